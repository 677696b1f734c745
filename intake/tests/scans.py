"""Scanned letters made for the tests: Cyrillic text drawn with a real font, saved as PNG, JPEG,
multi-page TIFF or PDF, so that Tesseract reads real pixels."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian fonts-dejavu-core

needs_ocr = pytest.mark.skipif(
    shutil.which("tesseract") is None or shutil.which("pdftoppm") is None or not FONT.exists(),
    reason="Tesseract (tesseract-ocr, tesseract-ocr-rus), poppler-utils or fonts-dejavu-core not installed",
)

LETTER = [
    "Главе администрации района",
    "от Смирновой Анны Петровны,",
    "проживающей по адресу: ул. Садовая, д. 5, кв. 12",
    "тел. 8 912 345-67-89",
    "",
    "ЗАЯВЛЕНИЕ",
    "Прошу отремонтировать крышу нашего дома,",
    "после дождей протекает потолок в подъезде.",
    "",
    "Смирнова А. П.",
]


def page(lines: list[str], *, width: int = 1400, size: int = 36) -> Image.Image:
    """A white page with black text, as a 200-dpi scanner gives it."""
    font = ImageFont.truetype(str(FONT), size)
    height = 160 + len(lines) * int(size * 1.6)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((90, 80 + i * int(size * 1.6)), line, font=font, fill=0)
    return image


def png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    page(lines).save(out, format="PNG")
    return out.getvalue()


def jpeg(lines: list[str]) -> bytes:
    out = io.BytesIO()
    page(lines).save(out, format="JPEG", quality=90)
    return out.getvalue()


def tiff(pages: list[list[str]]) -> bytes:
    images = [page(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, format="TIFF", save_all=True, append_images=images[1:], compression="tiff_deflate")
    return out.getvalue()


def pdf(pages: list[list[str]]) -> bytes:
    images = [page(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A one-page PDF whose trailer names an encryption dictionary (RC4, 40-bit, with a user
    password), as a protected scan would."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -44 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, b"ab" * 16, b"ab" * 16, xref)
    )
    return out.getvalue()
