"""Real-shaped letters: multipart, cp1251 / koi8-r, quoted-printable, attachments, broken ones."""

import pytest
from django.core.exceptions import ValidationError

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from intake.attachments import check_attachments
from intake.choices import ItemStatus
from intake.mail import email_receive, message_id
from intake.models import IncomingItem
from intake.parsers import ParseError, parse_email


def test_multipart_alternative_utf8_quoted_printable(eml) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_email(eml("multipart_utf8_qp.eml"))
    assert parsed.kind == Kind.MESSAGE
    assert parsed.summary == "Мусор во дворе"
    assert "не вывозят мусор" in parsed.text
    # Greeting, signature and the quoted earlier letter are not the substance.
    assert "Здравствуйте" not in parsed.text
    assert "Ранее я уже писал" not in parsed.text
    assert "С уважением" not in parsed.text
    assert parsed.applicant.full_name == "Петров Сергей"
    assert list(parsed.applicant.emails) == ["petrov.s@example.org"]


def test_cp1251_quoted_printable(eml) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_email(eml("cp1251_qp.eml"))
    assert "освещение в подъезде дома 5" in parsed.text
    assert parsed.summary == "Освещение в подъезде"
    assert "Иванова" not in parsed.text  # the signature after «-- »


def test_koi8r_base64_with_attachments(eml) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_email(eml("koi8r_attachments.eml"))
    assert "состояние дороги у школы" in parsed.text
    assert parsed.applicant.full_name == "Сидоров Андрей"
    files = check_attachments(parsed.attachments)
    assert [(f.name, f.content_type) for f in files] == [("акт.pdf", "application/pdf"), ("photo.jpg", "image/jpeg")]


def test_html_only_letter_becomes_text(eml) -> None:  # type: ignore[no-untyped-def]
    parsed = parse_email(eml("html_only.eml"))
    assert parsed.text.startswith("На детской площадке во дворе дома 12")
    assert "DOCTYPE" not in parsed.text and "<" not in parsed.text and "color" not in parsed.text
    assert "Добрый день" not in parsed.text and "Кузнецова" not in parsed.text
    assert parsed.applicant.full_name == "Кузнецова Ольга"


def test_broken_mime_gets_a_clear_error(eml) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParseError, match="Повреждённая структура MIME"):
        parse_email(eml("broken_boundary.eml"))


def test_unknown_charset_gets_a_clear_error(eml) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParseError, match="x-unknown-8bit"):
        parse_email(eml("unknown_charset.eml"))


def test_message_id_or_digest() -> None:
    assert message_id(b"x", {"Message-ID": " <abc@host> "}) == "abc@host"
    assert message_id(b"x", {}).startswith("sha256:")


@pytest.mark.django_db
def test_letter_is_registered_as_message_with_attachments(cast, eml, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        receipt = email_receive(eml("koi8r_attachments.eml"))
    item = IncomingItem.objects.get(pk=receipt.item.pk)
    assert item.status == ItemStatus.REGISTERED, item.error
    assert item.source_id == "koi8-test-3@example.com"
    appeal = item.appeal
    assert appeal is not None
    assert (appeal.channel, appeal.kind) == (Channel.EMAIL, Kind.MESSAGE)
    assert appeal.received_at == item.received_at
    assert sorted(appeal.attachments.values_list("original_name", flat=True)) == ["photo.jpg", "акт.pdf"]
    assert appeal.applicants.get().contacts.filter(value="sidorov@example.com").exists()
    # The same letter fetched again: the same item, no second appeal.
    with django_capture_on_commit_callbacks(execute=True):
        again = email_receive(eml("koi8r_attachments.eml"))
    assert not again.created and again.item.pk == item.pk
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "reason"),
    [("broken_boundary.eml", "MIME"), ("html_exe.eml", "исполняемые"), ("unknown_charset.eml", "кодировка")],
)
def test_bad_letters_stay_in_the_inbox_with_the_reason(
    cast, eml, name, reason, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        receipt = email_receive(eml(name))
    item = IncomingItem.objects.get(pk=receipt.item.pk)
    assert item.status == ItemStatus.FAILED
    assert reason in item.error
    assert item.payload.read() == eml(name)  # kept exactly as it came
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_empty_letter_is_refused_at_the_door() -> None:
    with pytest.raises(ValidationError):
        email_receive(b"")
