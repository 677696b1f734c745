"""Attachments are judged by their content: types, limits, archive bombs, nested archives, names."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from intake.attachments import Incoming, check_attachments, detect, sanitize_name

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_type_comes_from_content_not_name() -> None:
    [pdf, png] = check_attachments([Incoming("скан.jpg", PDF), Incoming("photo", PNG)])
    assert (pdf.name, pdf.content_type) == ("скан.pdf", "application/pdf")
    assert (png.name, png.content_type) == ("photo.png", "image/png")


def test_office_documents_are_recognised_inside_their_zip() -> None:
    docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert detect("a.zip", docx).extension == ".docx"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "исполняемые"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 20, "исполняемые"),
        (b"Rar!\x1a\x07\x00" + b"\x00" * 20, "RAR"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip"),
        (b"\x00\x01\x02\x03\x00\xff\xfe" * 10, "не распознан"),
    ],
)
def test_dangerous_or_unknown_types_are_refused(content: bytes, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        check_attachments([Incoming("doc.pdf", content)])


def test_zip_bomb_is_refused() -> None:
    bomb = _zip({"zeros.txt": b"\x00" * (30 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="архивная бомба"):
        check_attachments([Incoming("photos.zip", bomb)])


def test_archive_inside_archive_is_refused() -> None:
    inner = _zip({"a.txt": b"hello"})
    with pytest.raises(ValidationError, match="архив внутри архива"):
        check_attachments([Incoming("outer.zip", _zip({"scan.pdf": PDF, "more.bin": inner}))])
    with pytest.raises(ValidationError, match="архив внутри архива"):
        check_attachments([Incoming("outer.zip", _zip({"inner.rar": b"whatever"}))])


def test_plain_zip_with_documents_is_accepted() -> None:
    [archive] = check_attachments([Incoming("фото.zip", _zip({"1.png": PNG, "2.pdf": PDF}))])
    assert archive.content_type == "application/zip"


def test_empty_too_large_and_too_many_are_refused(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="пустой"):
        check_attachments([Incoming("a.pdf", b"")])
    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    with pytest.raises(ValidationError, match="больше 1 МБ"):
        check_attachments([Incoming("big.pdf", PDF + b"0" * (1024 * 1024))])
    settings.OTKLIK_MAX_ATTACHMENTS = 2
    with pytest.raises(ValidationError, match="Не более 2"):
        check_attachments([Incoming(f"{i}.pdf", PDF) for i in range(3)])


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\me\\акт проверки.PDF", "акт проверки.pdf"),
        ('bad<>:"|?*name.pdf', "bad_name.pdf"),
        ("....", "файл.pdf"),
        ("x" * 300 + ".pdf", "x" * 120 + ".pdf"),
    ],
)
def test_names_are_sanitised(given: str, expected: str) -> None:
    assert sanitize_name(given, ".pdf") == expected
