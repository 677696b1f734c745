"""Each adapter against the real shape of its protocol: SMTP, Bot API, VK API, an SMS gateway, a folder."""

import email
import json
import socket
import urllib.parse

import pytest
from django.core import mail

from appeals.choices import Channel
from delivery import services
from delivery.channels import DeliveryError, TelegramAdapter, email_zone_warning
from delivery.choices import DeliveryChannel, OutboxStatus
from delivery.models import OutboxMessage
from tests.factories import ApplicantFactory, ContactFactory, make_appeal

PDF = ("ответ.pdf", b"%PDF-1.7 test", "application/pdf")


@pytest.fixture
def applicant(db):  # type: ignore[no-untyped-def]
    person = ApplicantFactory(surname="Иванова", first_name="Анна", patronymic="Ивановна", gender="f")
    ContactFactory(applicant=person, kind="email", value="anna@example.ru")
    return person


def _enqueue(appeal, applicant, channel, **kwargs):  # type: ignore[no-untyped-def]
    return services.outbox_enqueue(
        appeal=appeal,
        applicant=applicant,
        kind="letter:answer",
        subject="Ответ на обращение",
        text="Уважаемая Анна Ивановна!\n\nВаш вопрос решён.",
        html="<p>Уважаемая Анна Ивановна!</p>",
        attachments=[PDF],
        channel=channel,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("address", "warns"),
    [
        ("a@mail.ru", False),
        ("a@администрация.рф", False),
        ("a@xn--80aaaabhbu3bdd.xn--p1ai", False),
        ("a@old.su", False),
        ("a@gmail.com", True),
        ("a@example.org", True),
    ],
)
def test_national_zone_warning(address, warns) -> None:
    assert bool(email_zone_warning(address)) is warns


def test_email_through_locmem_with_html_and_attachment(cast, applicant) -> None:
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EMAIL)
    message = _enqueue(appeal, applicant, None)
    assert message.channel == DeliveryChannel.EMAIL and message.address == "anna@example.ru" and not message.warning
    assert services.deliver(message.pk) == OutboxStatus.SENT
    sent = mail.outbox[-1]
    assert sent.to == ["anna@example.ru"] and sent.subject == "Ответ на обращение"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "ответ.pdf"
    message.refresh_from_db()
    assert message.external_id == sent.extra_headers["Message-ID"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_email_through_real_smtp_server(cast, applicant, settings) -> None:
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = _free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EMAIL)
        message = _enqueue(appeal, applicant, DeliveryChannel.EMAIL)
        assert services.deliver(message.pk) == OutboxStatus.SENT
    finally:
        controller.stop()
    assert received[0].rcpt_tos == ["anna@example.ru"]
    parsed = email.message_from_bytes(received[0].content)
    assert parsed.is_multipart()
    names = [part.get_filename() for part in parsed.walk() if part.get_filename()]
    assert names == ["ответ.pdf"]


def test_smtp_down_is_retried_with_backoff(cast, applicant, settings) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": _free_port(), "timeout": 2},
        }
    }
    settings.OTKLIK_DELIVERY_RETRY_MINUTES = 5
    settings.OTKLIK_DELIVERY_MAX_ATTEMPTS = 3
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EMAIL)
    message = _enqueue(appeal, applicant, DeliveryChannel.EMAIL)
    start = message.next_attempt_at
    assert services.deliver(message.pk, now=start) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1 and (message.next_attempt_at - start).total_seconds() == 5 * 60
    assert "SMTP" in message.last_error
    assert services.deliver(message.pk, now=start) == OutboxStatus.QUEUED  # not due yet: untouched
    message.refresh_from_db()
    assert message.attempts == 1
    second = message.next_attempt_at
    assert services.deliver(message.pk, now=second) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert (message.next_attempt_at - second).total_seconds() == 10 * 60
    assert services.deliver(message.pk, now=message.next_attempt_at) == OutboxStatus.FAILED
    assert message in services.failed_messages()


def test_foreign_mailbox_is_sent_with_warning(cast) -> None:
    person = ApplicantFactory()
    ContactFactory(applicant=person, kind="email", value="x@gmail.com")
    appeal = make_appeal(body=cast.body, applicants=[person], channel=Channel.WEB)
    message = _enqueue(appeal, person, None)
    assert "547-ФЗ" in message.warning


def test_telegram_bot_api(cast, applicant, settings, fake_api) -> None:
    settings.OTKLIK_TELEGRAM_TOKEN = "123:abc"
    settings.OTKLIK_TELEGRAM_API = fake_api.url
    ContactFactory(applicant=applicant, kind="telegram", value="987654321")
    fake_api.answers = {
        "/sendMessage": (200, {"ok": True, "result": {"message_id": 11}}),
        "/sendDocument": (200, {"ok": True, "result": {"message_id": 12}}),
    }
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.TELEGRAM)
    message = _enqueue(appeal, applicant, None)
    assert message.channel == DeliveryChannel.TELEGRAM
    assert services.deliver(message.pk) == OutboxStatus.SENT
    first, second = fake_api.requests
    assert first.path == "/bot123:abc/sendMessage" and first.method == "POST"
    assert json.loads(first.body) == {"chat_id": "987654321", "text": message.text}
    assert second.path == "/bot123:abc/sendDocument"
    assert second.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="chat_id"\r\n\r\n987654321' in second.body and b"%PDF-1.7 test" in second.body
    message.refresh_from_db()
    assert message.external_id == "11,12"


def test_telegram_blocked_bot_is_not_retried(cast, applicant, settings, fake_api) -> None:
    settings.OTKLIK_TELEGRAM_TOKEN = "123:abc"
    settings.OTKLIK_TELEGRAM_API = fake_api.url
    fake_api.answers = {"/sendMessage": (403, {"ok": False, "description": "Forbidden: bot was blocked by the user"})}
    appeal = make_appeal(body=cast.body, applicants=[applicant])
    message = _enqueue(appeal, applicant, DeliveryChannel.TELEGRAM, address="42")
    assert services.deliver(message.pk) == OutboxStatus.FAILED
    message.refresh_from_db()
    assert "blocked" in message.last_error and message.attempts == 1


def test_telegram_long_text_is_split() -> None:
    from delivery.channels import _split

    text = "\n\n".join(["абзац " * 100] * 20)
    pieces = _split(text, TelegramAdapter.limit)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)


def test_vk_messages_send_with_document(cast, applicant, settings, fake_api) -> None:
    settings.OTKLIK_VK_TOKEN = "vk-token"
    settings.OTKLIK_VK_API = fake_api.url + "/method"
    fake_api.answers = {
        "/docs.getMessagesUploadServer": (200, {"response": {"upload_url": fake_api.url + "/upload"}}),
        "/upload": (200, {"file": "uploaded-file-token"}),
        "/docs.save": (200, {"response": {"type": "doc", "doc": {"id": 55, "owner_id": 77}}}),
        "/messages.send": (200, {"response": 901}),
    }
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.VK)
    message = _enqueue(appeal, applicant, DeliveryChannel.VK, address="12345")
    assert services.deliver(message.pk) == OutboxStatus.SENT
    paths = [r.path for r in fake_api.requests]
    assert paths == ["/method/docs.getMessagesUploadServer", "/upload", "/method/docs.save", "/method/messages.send"]
    sent = urllib.parse.parse_qs(fake_api.requests[-1].body.decode())
    assert sent["peer_id"] == ["12345"] and sent["attachment"] == ["doc77_55"]
    assert sent["access_token"] == ["vk-token"] and sent["v"] == [settings.OTKLIK_VK_API_VERSION]
    assert sent["message"] == [message.text] and sent["random_id"][0].isdigit()


def test_vk_flood_control_is_retried(cast, applicant, settings, fake_api) -> None:
    settings.OTKLIK_VK_TOKEN = "vk-token"
    settings.OTKLIK_VK_API = fake_api.url + "/method"
    fake_api.answers = {"/messages.send": (200, {"error": {"error_code": 9, "error_msg": "Flood control"}})}
    appeal = make_appeal(body=cast.body, applicants=[applicant])
    message = services.outbox_enqueue(
        appeal=appeal, applicant=applicant, kind="note", subject="s", text="t", channel="vk", address="1"
    )
    assert services.deliver(message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert "Flood control (9)" in message.last_error


@pytest.mark.parametrize("method", ["get", "post"])
def test_sms_gateway(cast, applicant, settings, fake_api, method) -> None:
    settings.OTKLIK_SMS_URL = fake_api.url + "/send?login=body&to={phone}&msg={text}"
    settings.OTKLIK_SMS_METHOD = method
    ContactFactory(applicant=applicant, kind="phone", value="+7 (921) 000-11-22")
    fake_api.answers = {"/send": (200, b"ID 777")}
    appeal = make_appeal(body=cast.body, applicants=[applicant])
    message = services.outbox_enqueue(
        appeal=appeal,
        applicant=applicant,
        kind="letter:answer",
        subject="Ответ",
        text="длинный текст письма",
        short_text="Ответ на обращение направлен на почту.",
        channel=DeliveryChannel.SMS,
    )
    assert message.text == "Ответ на обращение направлен на почту."
    assert services.deliver(message.pk) == OutboxStatus.SENT
    seen = fake_api.requests[0]
    if method == "get":
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(seen.path).query)
        assert query["to"] == ["+79210001122"] and query["msg"] == [message.text] and query["login"] == ["body"]
    else:
        form = urllib.parse.parse_qs(seen.body.decode())
        assert seen.method == "POST" and form["phone"] == ["+79210001122"] and form["text"] == [message.text]
    message.refresh_from_db()
    assert message.external_id == "ID 777"


def test_exchange_folder_is_complete_or_absent(cast, applicant, settings, tmp_path) -> None:
    settings.OTKLIK_EXCHANGE_DIR = tmp_path / "exchange"
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EDMS)
    message = _enqueue(appeal, applicant, None)
    assert message.channel == DeliveryChannel.EXCHANGE
    assert services.deliver(message.pk) == OutboxStatus.SENT
    folders = list((tmp_path / "exchange" / "outbox").iterdir())
    assert len(folders) == 1 and not folders[0].name.startswith(".")
    manifest = json.loads((folders[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["appeal"] == appeal.number
    assert {f["name"] for f in manifest["files"]} == {"letter.txt", "letter.html", "ответ.pdf"}
    assert (folders[0] / "ответ.pdf").read_bytes() == PDF[1]


def test_receipt_channel_falls_back_to_email_then_post(cast) -> None:
    person = ApplicantFactory()
    ContactFactory(applicant=person, kind="email", value="p@example.ru")
    appeal = make_appeal(body=cast.body, applicants=[person], channel=Channel.TELEGRAM)
    assert services.channel_for(appeal, person) == DeliveryChannel.EMAIL
    paper = ApplicantFactory()
    ContactFactory(applicant=paper, kind="postal", value="190000, СПб, ул. Садовая, 1")
    assert services.channel_for(make_appeal(body=cast.body, applicants=[paper]), paper) == DeliveryChannel.PRINT


def test_no_address_changes_nothing(cast) -> None:
    person = ApplicantFactory()
    appeal = make_appeal(body=cast.body, applicants=[person], channel=Channel.EMAIL)
    with pytest.raises(Exception, match="нет адреса"):
        services.outbox_enqueue(appeal=appeal, applicant=person, kind="x", subject="s", text="t", channel="email")
    assert not OutboxMessage.objects.exists()


def test_print_batch(cast) -> None:
    person = ApplicantFactory(surname="Сидоров", first_name="Олег", patronymic="Ильич", gender="m")
    ContactFactory(applicant=person, kind="postal", value="190000, Санкт-Петербург, ул. Садовая, д. 1")
    appeal = make_appeal(body=cast.body, applicants=[person], channel=Channel.POST)
    message = services.outbox_enqueue(
        appeal=appeal, applicant=person, kind="letter:answer", subject="Ответ", text="Уважаемый Олег Ильич!"
    )
    assert message.channel == DeliveryChannel.PRINT and message.recipient_name == "Сидорову О. И."
    assert services.deliver_due() == {}  # the post is not sent by the worker
    batch = services.print_batch_create(actor=cast.operator.user, sender="Администрация\n191023, СПб")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.print_batch == batch and batch.count == 1
    data = batch.pdf.open("rb").read()
    assert data.startswith(b"%PDF-")


def test_print_batch_layout(cast) -> None:
    from delivery.printing import batch_document

    people = []
    for i in range(17):
        person = ApplicantFactory()
        ContactFactory(applicant=person, kind="postal", value=f"190000, СПб, ул. Садовая, д. {i}")
        people.append(person)
    appeal = make_appeal(body=cast.body, applicants=people[:1], channel=Channel.POST)
    messages = [
        services.outbox_enqueue(appeal=appeal, applicant=p, kind="x", subject="Ответ", text="Текст письма")
        for p in people
    ]
    pages = batch_document(messages, sender="Администрация").pages
    mm = 96 / 25.4  # CSS pixels per millimetre
    sizes = [(round(p.width / mm), round(p.height / mm)) for p in pages]
    assert sizes[:2] == [(210, 297), (220, 110)]  # a letter, then its DL envelope
    assert sizes.count((220, 110)) == 17
    assert sizes[-2:] == [(210, 297), (210, 297)]  # 17 labels need two sheets of 16


def test_delivery_error_flags() -> None:
    assert DeliveryError("x").retry and not DeliveryError("x", retry=False).retry


def test_unexpected_adapter_failure_is_retried_not_stuck(cast, applicant, monkeypatch) -> None:
    from delivery.channels import ADAPTERS

    def broken(message):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    monkeypatch.setattr(ADAPTERS[DeliveryChannel.EMAIL], "send", broken)
    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EMAIL)
    message = _enqueue(appeal, applicant, None)
    assert services.deliver(message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert message.last_error == "Внутренняя ошибка канала: RuntimeError" and message.next_attempt_at is not None


def test_stuck_sending_is_requeued(cast, applicant) -> None:
    import datetime as dt

    from django.utils import timezone

    appeal = make_appeal(body=cast.body, applicants=[applicant], channel=Channel.EMAIL)
    message = _enqueue(appeal, applicant, None)
    long_ago = timezone.now() - dt.timedelta(hours=2)
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.SENDING, updated_at=long_ago)
    assert services.deliver_due() == {OutboxStatus.SENT: 1}
