"""The acknowledgement to a letter's sender: received by a real SMTP server (aiosmtpd), once,
and never for automatic letters."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from django.utils import timezone

from appeals.choices import Channel, Kind
from delivery.choices import OutboxStatus
from delivery.models import OutboxMessage
from intake import acknowledgement, mail
from intake.choices import ItemStatus
from intake.models import IncomingItem
from intake.services import item_register
from tests.factories import make_appeal

pytestmark = pytest.mark.django_db


def _letter(
    headers: str = "", sender: str = "Петров Сергей <petrov@example.ru>", msgid: str = "ack-1@example.ru"
) -> bytes:
    return (
        f"From: {sender}\r\nTo: obr@admin.example.ru\r\nSubject: Яма на дороге\r\n"
        f"Message-ID: <{msgid}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        f"{headers}\r\nНа улице Мира у дома 3 глубокая яма на проезжей части.\r\n"
    ).encode()


def _receive(raw: bytes, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        receipt = mail.email_receive(raw)
    return IncomingItem.objects.get(pk=receipt.item.pk)


def _parse(envelope):  # type: ignore[no-untyped-def]
    return email.message_from_bytes(envelope.content, policy=policy.default)


def test_polled_letter_is_acknowledged_over_smtp_once(
    cast, dovecot, smtp_sink, eml, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    dovecot.append(re.sub(rb"\r*\n", b"\r\n", eml("koi8r_attachments.eml")))
    with django_capture_on_commit_callbacks(execute=True):
        mail.poll_configured()
    item = IncomingItem.objects.get()
    assert item.status == ItemStatus.REGISTERED
    appeal = item.appeal
    assert appeal is not None

    assert len(smtp_sink) == 1
    envelope = smtp_sink[0]
    assert envelope.rcpt_tos == ["sidorov@example.com"]
    assert envelope.mail_from == "obr@admin.example.ru"
    sent = _parse(envelope)
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["In-Reply-To"] == "<koi8-test-3@example.com>"
    assert appeal.number in sent["Subject"]
    text = sent.get_body(preferencelist=("plain",)).get_content()
    registered = f"{timezone.localtime(appeal.registered_at):%d.%m.%Y}"
    assert appeal.number in text and registered in text
    assert "зарегистрировано как сообщение" in text and "547-ФЗ" in text
    assert f"{appeal.due_date:%d.%m.%Y}" in text
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.SENT and message.appeal == appeal
    # The letter again, polled again, registered again: nothing more is sent.
    dovecot.append(re.sub(rb"\r*\n", b"\r\n", eml("koi8r_attachments.eml")))
    with django_capture_on_commit_callbacks(execute=True):
        assert mail.poll_configured().repeated == 1  # type: ignore[union-attr]
        item_register(item_id=item.pk)
    assert len(smtp_sink) == 1 and OutboxMessage.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "sender"),
    [
        ("Auto-Submitted: auto-replied\r\n", "Петров Сергей <petrov@example.ru>"),
        ("Auto-Submitted: auto-generated\r\n", "Петров Сергей <petrov@example.ru>"),
        ("Precedence: bulk\r\n", "Петров Сергей <petrov@example.ru>"),
        ("Precedence: list\r\n", "Петров Сергей <petrov@example.ru>"),
        ("List-Id: <residents.example.ru>\r\n", "Петров Сергей <petrov@example.ru>"),
        ("X-Autoreply: yes\r\n", "Петров Сергей <petrov@example.ru>"),
        ("X-Auto-Response-Suppress: All\r\n", "Петров Сергей <petrov@example.ru>"),
        ("Return-Path: <>\r\n", "Петров Сергей <petrov@example.ru>"),
        ("", "Mail Delivery System <MAILER-DAEMON@mx.example.ru>"),
        ("", "noreply@portal.example.ru"),
    ],
)
def test_automatic_letters_get_no_acknowledgement(
    cast, smtp_sink, headers, sender, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    item = _receive(_letter(headers, sender), django_capture_on_commit_callbacks)
    assert item.status == ItemStatus.REGISTERED  # registered like any letter, just not answered
    assert smtp_sink == [] and not OutboxMessage.objects.exists()


def test_a_person_letter_with_auto_submitted_no_is_acknowledged(
    cast, smtp_sink, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _receive(_letter("Auto-Submitted: no\r\n"), django_capture_on_commit_callbacks)
    assert [e.rcpt_tos for e in smtp_sink] == [["petrov@example.ru"]]


def test_setting_turns_acknowledgements_off(cast, smtp_sink, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_MAIL_ACKNOWLEDGE = False
    item = _receive(_letter(), django_capture_on_commit_callbacks)
    assert item.status == ItemStatus.REGISTERED and smtp_sink == []


def test_no_acknowledgement_to_our_own_address(cast, smtp_sink, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _receive(_letter(sender="obr@admin.example.ru"), django_capture_on_commit_callbacks)
    assert smtp_sink == []


def test_failed_letter_is_acknowledged_only_when_registered(
    cast, smtp_sink, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    # No body the registration needs: the item fails, nothing is sent.
    raw = b"From: petrov@example.ru\r\nSubject: x\r\nMessage-ID: <empty-1@example.ru>\r\n\r\n"
    item = _receive(raw, django_capture_on_commit_callbacks)
    assert item.status == ItemStatus.FAILED and smtp_sink == []


def test_a_broken_wording_does_not_cost_the_registration(
    cast, smtp_sink, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    def broken(appeal, applicant):  # type: ignore[no-untyped-def]
        raise RuntimeError("template")

    monkeypatch.setattr(acknowledgement, "compose", broken)
    item = _receive(_letter(), django_capture_on_commit_callbacks)
    assert item.status == ItemStatus.REGISTERED and item.appeal is not None
    assert smtp_sink == [] and not OutboxMessage.objects.exists()


def test_appeal_regime_is_named(cast) -> None:
    appeal = make_appeal(body=cast.body, channel=Channel.EMAIL, kind=Kind.APPEAL)
    subject, text = acknowledgement.compose(appeal, None)
    assert appeal.number in subject
    assert "зарегистрировано как обращение" in text and "59-ФЗ" in text and "547-ФЗ" not in text
    assert text.endswith(acknowledgement.AUTOMATIC_NOTE)


def test_only_letters_are_acknowledged(cast, smtp_sink, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from intake.choices import DOCUMENT_CONTENT_TYPE
    from intake.parsers import document_bytes
    from intake.services import item_receive

    document = {
        "text": "Прошу убрать снег во дворе.",
        "applicant": {"full_name": "Орлова Вера", "email": "orlova@example.ru"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        receipt = item_receive(
            channel=Channel.EMAIL,
            source_id="api:1",
            payload=document_bytes(document),
            content_type=DOCUMENT_CONTENT_TYPE,
        )
    item = IncomingItem.objects.get(pk=receipt.item.pk)
    assert item.status == ItemStatus.REGISTERED and smtp_sink == []
