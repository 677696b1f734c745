"""Paper scans: checking the file, turning its pages into images and reading them with Tesseract.

PDF pages are rendered by poppler's `pdftoppm`, TIFF frames and photos are read by Pillow;
every page goes to the `tesseract` binary (languages `OTKLIK_OCR_LANGUAGES`, `rus` by default)
in a subprocess with a time limit. Nothing here touches the database."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from intake.attachments import detect, sanitize_name

SCAN_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
# A page image larger than this is refused (an A0 sheet at 300 dpi is ~140 Mpx; scanners of
# letters give 9-35 Mpx); Pillow would otherwise decode a decompression bomb.
MAX_PAGE_PIXELS = 80_000_000
# PDF pages are rendered with their longest side at most this many pixels (A3 at 300 dpi: 4961).
MAX_PAGE_SIDE = 7200
# The preview beside the text is scaled down to this width.
PREVIEW_WIDTH = 1400
_PDFINFO_TIMEOUT = 30


@dataclass(frozen=True)
class ScanInfo:
    mime: str
    label: str
    pages: int
    name: str


@dataclass(frozen=True)
class Page:
    number: int
    text: str
    preview: bytes  # JPEG
    width: int
    height: int


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


def _env() -> dict[str, str]:
    # One thread per page: the machine's cores belong to the web and the other workers too.
    return {**os.environ, "OMP_THREAD_LIMIT": "1", "LC_ALL": "C.UTF-8"}


def _run(args: list[str], *, timeout: int, what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, env=_env(), check=False)  # noqa: S603 (fixed programs, no shell, our own temp paths)
    except FileNotFoundError:
        raise ValidationError(
            f"Распознавание сканов недоступно: на сервере не установлена программа {args[0]} ({what})."
        ) from None
    except subprocess.TimeoutExpired:
        raise ValidationError(f"{what}: не уложилось в {timeout} с; файл слишком сложный или повреждён.") from None


def _pdf_info(path: Path) -> dict[str, str]:
    result = _run(["pdfinfo", str(path)], timeout=_PDFINFO_TIMEOUT, what="чтение PDF")
    err = result.stderr.decode("utf-8", "replace").lower()
    if result.returncode != 0:
        if "password" in err or "encrypt" in err:
            raise ValidationError("PDF защищён паролем: распознать его нельзя. Нужен скан без защиты.")
        raise ValidationError("PDF повреждён или не читается.")
    info: dict[str, str] = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def _image(content: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError("Изображение повреждено или не читается.") from None
    return image


def inspect_scan(name: str, content: bytes) -> ScanInfo:
    """What the file is and how many pages it has; anything that cannot be a scan of a letter
    raises `ValidationError` with the reason: empty, not an image or PDF, encrypted, damaged,
    more than `OTKLIK_SCAN_MAX_PAGES` pages, pages of absurd size."""
    shown = sanitize_name(name or "скан")
    if not content:
        raise ValidationError(f"Файл «{shown}» пустой.")
    limit_mb = settings.OTKLIK_MAX_ATTACHMENT_MB
    if len(content) > limit_mb * 1024 * 1024:
        raise ValidationError(f"Файл «{shown}» больше {limit_mb} МБ и не может быть принят.")
    kind = detect(shown, content)
    if kind.mime not in SCAN_TYPES:
        raise ValidationError(f"Файл «{shown}» — {kind.label}, а скан письма принимается в PDF, JPEG, PNG или TIFF.")
    max_pages = settings.OTKLIK_SCAN_MAX_PAGES
    if kind.mime == "application/pdf":
        with tempfile.TemporaryDirectory(prefix="otklik-scan-") as tmp:
            path = Path(tmp) / "scan.pdf"
            path.write_bytes(content)
            info = _pdf_info(path)
        if info.get("Encrypted", "no").lower().startswith("yes"):
            raise ValidationError("PDF зашифрован: распознать его нельзя. Нужен скан без защиты.")
        try:
            pages = int(info.get("Pages", "0"))
        except ValueError:
            pages = 0
        if pages < 1:
            raise ValidationError("В PDF нет ни одной страницы.")
    else:
        image = _image(content)
        pages = getattr(image, "n_frames", 1)
        if image.width * image.height > MAX_PAGE_PIXELS:
            raise ValidationError(f"Изображение слишком большое: {image.width}×{image.height} точек.")
    if pages > max_pages:
        raise ValidationError(f"В скане {pages} страниц, принимается не больше {max_pages}.")
    return ScanInfo(mime=kind.mime, label=SCAN_TYPES[kind.mime], pages=pages, name=sanitize_name(shown, kind.extension))


_PAGE_SIZE = re.compile(r"^Page\s+(\d+)\s+size:\s+([\d.]+)\s+x\s+([\d.]+)\s+pts", re.MULTILINE)


def _page_sizes(path: Path, pages: int) -> dict[int, float]:
    """The longest side of every page, in points."""
    result = _run(["pdfinfo", "-f", "1", "-l", str(pages), str(path)], timeout=_PDFINFO_TIMEOUT, what="чтение PDF")
    text = result.stdout.decode("utf-8", "replace")
    return {int(m[1]): max(float(m[2]), float(m[3])) for m in _PAGE_SIZE.finditer(text)}


def _pdf_pages(content: bytes, pages: int) -> Iterator[Image.Image]:
    dpi = settings.OTKLIK_OCR_DPI
    with tempfile.TemporaryDirectory(prefix="otklik-scan-") as tmp:
        path = Path(tmp) / "scan.pdf"
        path.write_bytes(content)
        sizes = _page_sizes(path, pages)
        for number in range(1, pages + 1):
            # One page at a time; a poster-sized page is rendered at a lower resolution so that
            # its longest side stays within MAX_PAGE_SIDE.
            longest = sizes.get(number, 842.0)
            resolution = max(36, min(dpi, int(MAX_PAGE_SIDE * 72 / max(longest, 1.0))))
            out = Path(tmp) / f"page-{number}"
            result = _run(
                [
                    "pdftoppm",
                    "-gray",
                    "-png",
                    "-r",
                    str(resolution),
                    "-f",
                    str(number),
                    "-l",
                    str(number),
                    "-singlefile",
                    str(path),
                    str(out),
                ],
                timeout=settings.OTKLIK_OCR_TIMEOUT,
                what=f"страница {number} PDF",
            )
            png = out.with_suffix(".png")
            if result.returncode != 0 or not png.exists():
                raise ValidationError(f"Страница {number} PDF не отображается: файл повреждён.")
            with Image.open(png) as image:
                image.load()
                yield image.copy()
            png.unlink()


def _image_pages(content: bytes) -> Iterator[Image.Image]:
    image = _image(content)
    try:
        for frame in ImageSequence.Iterator(image):
            # Photos carry their rotation in EXIF; the page must be upright for recognition.
            yield ImageOps.exif_transpose(frame).convert("L")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError("Изображение повреждено или не читается до конца.") from None


def page_images(info: ScanInfo, content: bytes) -> Iterator[Image.Image]:
    """The scan's pages, in order, as greyscale images."""
    if info.mime == "application/pdf":
        return _pdf_pages(content, info.pages)
    return _image_pages(content)


_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def recognise_image(image: Image.Image, *, number: int = 1) -> str:
    """Tesseract's reading of one page (languages from `OTKLIK_OCR_LANGUAGES`)."""
    with tempfile.TemporaryDirectory(prefix="otklik-ocr-") as tmp:
        path = Path(tmp) / "page.png"
        image.save(path, format="PNG")
        result = _run(
            ["tesseract", str(path), "stdout", "-l", settings.OTKLIK_OCR_LANGUAGES, "--psm", "3"],
            timeout=settings.OTKLIK_OCR_TIMEOUT,
            what=f"распознавание страницы {number}",
        )
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace")
        if "Failed loading language" in message or "Error opening data file" in message:
            raise ValidationError(
                f"Распознавание недоступно: нет языковых данных Tesseract «{settings.OTKLIK_OCR_LANGUAGES}»."
            )
        raise ValidationError(f"Страница {number} не распознана: Tesseract завершился с ошибкой.")
    text = result.stdout.decode("utf-8", "replace").replace("\f", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _preview(image: Image.Image) -> bytes:
    shown = image
    if image.width > PREVIEW_WIDTH:
        shown = image.resize((PREVIEW_WIDTH, round(image.height * PREVIEW_WIDTH / image.width)))
    out = io.BytesIO()
    shown.convert("L").save(out, format="JPEG", quality=82, optimize=True)
    return out.getvalue()


def recognise_scan(name: str, content: bytes) -> list[Page]:
    """Every page of a scan: its text and a preview image. Raises `ValidationError` for a file
    that is not a readable scan, or when recognition is not possible."""
    info = inspect_scan(name, content)
    pages: list[Page] = []
    for number, image in enumerate(page_images(info, content), start=1):
        if image.width * image.height > MAX_PAGE_PIXELS:
            raise ValidationError(f"Страница {number} слишком большая: {image.width}×{image.height} точек.")
        text = recognise_image(image, number=number)
        pages.append(Page(number=number, text=text, preview=_preview(image), width=image.width, height=image.height))
    return pages
