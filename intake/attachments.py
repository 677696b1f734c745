"""Checking attachments before anything is registered: the type read from the content (the name
and the sender's word are not trusted), size and count limits, archive bombs and archives inside
archives, empty files, safe names. Any refusal is a `ValidationError` naming the file and why."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

# An archive may hold at most this many files, expand to at most this ratio of its own size and,
# in total, to at most this multiple of the attachment limit.
MAX_ARCHIVE_ENTRIES = 200
MAX_ARCHIVE_RATIO = 100
MAX_ARCHIVE_EXPANSION = 5

_ARCHIVE_EXTENSIONS = {".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab", ".arj"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


@dataclass(frozen=True)
class Incoming:
    """An attachment as a channel delivered it."""

    name: str
    content: bytes


@dataclass(frozen=True)
class FileType:
    mime: str
    extension: str
    label: str


_PDF = FileType("application/pdf", ".pdf", "PDF")
_PNG = FileType("image/png", ".png", "PNG")
_JPEG = FileType("image/jpeg", ".jpg", "JPEG")
_GIF = FileType("image/gif", ".gif", "GIF")
_TIFF = FileType("image/tiff", ".tif", "TIFF")
_WEBP = FileType("image/webp", ".webp", "WebP")
_ZIP = FileType("application/zip", ".zip", "ZIP")
_DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word")
_XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "Excel")
_ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument")
_ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", ".ods", "OpenDocument")
_OLE = FileType("application/msword", ".doc", "Microsoft Office 97–2003")
_RTF = FileType("application/rtf", ".rtf", "RTF")
_TEXT = FileType("text/plain", ".txt", "текст")
_MP3 = FileType("audio/mpeg", ".mp3", "MP3")
_MP4 = FileType("video/mp4", ".mp4", "MP4")

# Signatures of formats refused outright, with the reason a person reads.
_REFUSED: list[tuple[bytes, str]] = [
    (b"MZ", "исполняемые файлы Windows не принимаются"),
    (b"\x7fELF", "исполняемые файлы не принимаются"),
    (b"Rar!", "архивы RAR не принимаются: их содержимое нельзя проверить"),
    (b"7z\xbc\xaf\x27\x1c", "архивы 7z не принимаются: их содержимое нельзя проверить"),
    (b"\x1f\x8b", "сжатые файлы gzip не принимаются: их содержимое нельзя проверить"),
    (b"BZh", "сжатые файлы bzip2 не принимаются: их содержимое нельзя проверить"),
    (b"\xfd7zXZ\x00", "сжатые файлы xz не принимаются: их содержимое нельзя проверить"),
]


def sanitize_name(name: str, extension: str | None = None) -> str:
    """A file name safe to show and store: no folders, control or reserved characters, at most
    120 characters; with `extension`, the extension of the type actually found replaces the given one."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    stem, dot, given = name.rpartition(".")
    if not dot:
        stem, given = name, ""
    stem = stem.strip(" ._")[:120] or "файл"
    if extension is None:
        extension = f".{given[:10]}" if given else ""
    return f"{stem}{extension}"


def _looks_like_text(content: bytes) -> bool:
    sample = content[:8192]
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "cp1251"):
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte letter may be cut at the sample's end; cp1251 decodes any byte.
            continue
        return True
    return False


def _zip_kind(archive: zipfile.ZipFile) -> FileType:
    names = set(archive.namelist())
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return _DOCX
        if any(n.startswith("xl/") for n in names):
            return _XLSX
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100]
        if b"opendocument.text" in mimetype:
            return _ODT
        if b"opendocument.spreadsheet" in mimetype:
            return _ODS
    return _ZIP


def _check_zip(name: str, content: bytes) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ValidationError(f"Файл «{name}»: повреждённый архив ZIP.") from None
    with archive:
        if len(infos) > MAX_ARCHIVE_ENTRIES:
            raise ValidationError(f"Файл «{name}»: в архиве больше {MAX_ARCHIVE_ENTRIES} файлов.")
        declared = sum(i.file_size for i in infos)
        limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024 * MAX_ARCHIVE_EXPANSION
        if declared > limit or declared > max(len(content), 1) * MAX_ARCHIVE_RATIO:
            raise ValidationError(f"Файл «{name}»: архив разворачивается в слишком большой объём (архивная бомба).")
        kind = _zip_kind(archive)
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise ValidationError(f"Файл «{name}»: архив защищён паролем, его содержимое нельзя проверить.")
            if info.is_dir():
                continue
            inner = info.filename.rsplit("/", 1)[-1]
            if kind is _ZIP and any(inner.lower().endswith(ext) for ext in _ARCHIVE_EXTENSIONS):
                raise ValidationError(f"Файл «{name}»: архив внутри архива («{inner}») не принимается.")
            # Read in pieces and count what really comes out: the sizes in the directory can lie.
            with archive.open(info) as stream:
                head = stream.read(8)
                if kind is _ZIP and (head.startswith(b"PK\x03\x04") or _refusal(head)):
                    raise ValidationError(f"Файл «{name}»: архив внутри архива («{inner}») не принимается.")
                total += len(head)
                while chunk := stream.read(1 << 16):
                    total += len(chunk)
                    if total > limit:
                        raise ValidationError(
                            f"Файл «{name}»: архив разворачивается в слишком большой объём (архивная бомба)."
                        )
        return kind


def _refusal(head: bytes) -> str | None:
    for signature, reason in _REFUSED:
        if head.startswith(signature):
            return reason
    return None


def detect(name: str, content: bytes) -> FileType:
    """The type of a file read from its first bytes; refused types raise with the reason."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _GIF
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _TIFF
    if head.startswith(b"RIFF") and content[8:12] == b"WEBP":
        return _WEBP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _OLE
    if head.startswith(b"{\\rtf"):
        return _RTF
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3"):
        return _MP3
    if content[4:8] == b"ftyp":
        return _MP4
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _check_zip(name, content)
    reason = _refusal(head)
    if reason:
        raise ValidationError(f"Файл «{name}»: {reason}.")
    if _looks_like_text(content):
        return _TEXT
    raise ValidationError(f"Файл «{name}»: тип файла не распознан, такие файлы не принимаются.")


def check_attachments(files: list[Incoming]) -> list[SimpleUploadedFile]:
    """Check every file (all or nothing) and return them ready for `appeal_register`."""
    if len(files) > settings.OTKLIK_MAX_ATTACHMENTS:
        raise ValidationError(f"Не более {settings.OTKLIK_MAX_ATTACHMENTS} вложений к одному обращению.")
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    checked: list[SimpleUploadedFile] = []
    for f in files:
        shown = sanitize_name(f.name)
        if not f.content:
            raise ValidationError(f"Файл «{shown}» пустой.")
        if len(f.content) > limit:
            raise ValidationError(
                f"Файл «{shown}» больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ и не может быть принят."
            )
        kind = detect(shown, f.content)
        checked.append(SimpleUploadedFile(sanitize_name(f.name, kind.extension), f.content, content_type=kind.mime))
    return checked
