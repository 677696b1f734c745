"""The Telegram bot against the real protocol: Bot API updates posted to the webhook the way
Telegram posts them, and a local HTTP server playing api.telegram.org that records every call."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from core import clock
from delivery.models import OutboxMessage
from intake.choices import ItemStatus
from intake.models import IncomingItem, TelegramChat, TelegramUpdate
from intake.telegram import dialogues_forget_stale
from people.models import Contact
from tests.factories import BodyFactory

SECRET = "webhook-secret-1"
TOKEN = "123456:ABC"
CHAT = 555000111
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
USER = {"id": CHAT, "is_bot": False, "first_name": "Ольга", "last_name": "Смирнова", "language_code": "ru"}


@pytest.fixture
def bot(settings, fake_api):  # type: ignore[no-untyped-def]
    settings.OTKLIK_TELEGRAM_TOKEN = TOKEN
    settings.OTKLIK_TELEGRAM_API = fake_api.url
    settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET = SECRET
    fake_api.answers = {
        "/sendMessage": (200, {"ok": True, "result": {"message_id": 900}}),
        "/getFile": (
            200,
            {"ok": True, "result": {"file_id": "AgAD1", "file_size": len(PNG), "file_path": "photos/file_7.jpg"}},
        ),
        "/photos/file_7.jpg": (200, PNG),
    }
    return fake_api


class Bot:
    """Posts updates with increasing update_ids, as Telegram does."""

    def __init__(self, client: Client, start: int = 700_000) -> None:
        self.client = client
        self.update_id = start

    def post(self, update: dict[str, Any], secret: str | None = SECRET, raw: bytes | None = None) -> Any:
        headers = {} if secret is None else {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}
        body = raw if raw is not None else json.dumps(update).encode()
        return self.client.post(reverse("intake:telegram_webhook"), body, content_type="application/json", **headers)

    def update(self, **message: Any) -> dict[str, Any]:
        self.update_id += 1
        return {
            "update_id": self.update_id,
            "message": {
                "message_id": self.update_id - 699_000,
                "from": USER,
                "chat": {"id": CHAT, "first_name": "Ольга", "last_name": "Смирнова", "type": "private"},
                "date": 1_764_400_000,
                **message,
            },
        }

    def say(self, **message: Any) -> Any:
        response = self.post(self.update(**message))
        assert response.status_code == 200, response.content
        return response


def _sent(api: Any) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in api.calls("/sendMessage")]


PHOTO = [
    {"file_id": "small", "file_unique_id": "s", "file_size": 900, "width": 90, "height": 67},
    {"file_id": "AgAD1", "file_unique_id": "b", "file_size": len(PNG), "width": 1280, "height": 960},
]


@pytest.mark.django_db
def test_whole_dialogue_registers_and_tells_the_number(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="/start", entities=[{"type": "bot_command", "offset": 0, "length": 6}])
        chat.say(text="Во дворе дома 5 по улице Ленина третий день не вывозят мусор.")
        chat.say(photo=PHOTO, caption="Контейнеры переполнены")
        chat.say(location={"latitude": 59.934280, "longitude": 30.335099})
        chat.say(text="Готово")
        chat.say(
            contact={"phone_number": "79211234567", "first_name": "Ольга", "last_name": "Смирнова", "user_id": CHAT}
        )
    # The shared contact carried the name, so the summary came right after it.
    sent = _sent(bot)
    assert sent[0]["chat_id"] == CHAT and "суть обращения" in sent[0]["text"]
    assert sent[0]["reply_markup"]["keyboard"][0][0]["request_location"] is True
    assert any(b.get("request_contact") for row in sent[4]["reply_markup"]["keyboard"] for b in row)
    summary = sent[5]["text"]
    assert "Проверьте обращение" in summary and "Файлов: 1" in summary and "+79211234567" in summary
    assert "59.934280, 30.335099" in summary
    # The largest photo size was fetched: getFile, then the file URL of the Bot API.
    (get_file,) = bot.calls("/getFile")
    assert get_file.path == f"/bot{TOKEN}/getFile" and json.loads(get_file.body) == {"file_id": "AgAD1"}
    (download,) = bot.calls("/photos/file_7.jpg")
    assert download.method == "GET" and download.path == f"/file/bot{TOKEN}/photos/file_7.jpg"
    assert not IncomingItem.objects.exists()  # nothing is received before «Отправить»
    dialogue = TelegramChat.objects.get(chat_id=CHAT)
    stored = dialogue.files[0]["path"]
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="Отправить")
    item = IncomingItem.objects.get()
    assert item.source_id == f"telegram:{CHAT}:{chat.update_id}"
    assert item.channel == Channel.TELEGRAM and item.status == ItemStatus.REGISTERED, item.error
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind) == (Channel.TELEGRAM, Kind.MESSAGE)
    assert "не вывозят мусор" in appeal.text and "Контейнеры переполнены" in appeal.text
    assert "Место на карте: 59.934280, 30.335099" in appeal.text
    assert appeal.attachments.get().original_name.endswith(".png")  # the type read from the bytes
    applicant = appeal.applicants.get()
    assert (applicant.surname, applicant.first_name) == ("Смирнова", "Ольга")
    assert applicant.consent_personal_data
    kinds = {(c.kind, c.value) for c in applicant.contacts.all()}
    assert ("telegram", str(CHAT)) in kinds and ("phone", "+79211234567") in kinds
    # The dialogue and its files are gone; the number went back through the outbox.
    assert not TelegramChat.objects.exists() and not default_storage.exists(stored)
    notice = OutboxMessage.objects.get(kind="intake:registered")
    assert notice.status == "sent" and notice.address == str(CHAT)
    last = _sent(bot)[6:]
    assert len(last) == 2
    (thanks,) = [m for m in last if "Спасибо, обращение принято" in m["text"]]
    assert thanks["reply_markup"] == {"remove_keyboard": True}
    (number,) = [m for m in last if appeal.number in m["text"]]
    assert number["chat_id"] == str(CHAT) and "зарегистрировано" in number["text"]


@pytest.mark.django_db
def test_typed_name_and_profile_name(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="Прошу отремонтировать освещение во дворе дома 12 по улице Мира.")
        chat.say(text="Готово")
        chat.say(text="Кузнецов Андрей Викторович")
        chat.say(text="Отправить")
    applicant = Appeal.objects.get().applicants.get()
    assert (applicant.surname, applicant.first_name, applicant.patronymic) == ("Кузнецов", "Андрей", "Викторович")
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="Ещё одна просьба: покрасить скамейки у дома 12 по улице Мира.")
        chat.say(text="Готово")
        chat.say(text="Имя из профиля Telegram")
        chat.say(text="Отправить")
    second = Appeal.objects.order_by("pk").last()
    assert second is not None
    assert [(a.surname, a.first_name) for a in second.applicants.all()] == [("Смирнова", "Ольга")]


@pytest.mark.django_db
def test_same_update_twice_changes_nothing(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="Яма на дороге у остановки «Школа».")
        chat.say(text="Готово")
        chat.say(text="Петров Иван")
        confirm = chat.update(text="Отправить")
        first = chat.post(confirm)
    calls = len(bot.requests)
    with django_capture_on_commit_callbacks(execute=True):
        again = chat.post(confirm)
    assert first.status_code == again.status_code == 200
    assert IncomingItem.objects.count() == 1 and Appeal.objects.count() == 1
    assert len(bot.requests) == calls  # no second reply, no second notice
    # A repeated text update does not add the text twice either.
    with django_capture_on_commit_callbacks(execute=True):
        update = chat.update(text="Новый текст")
        chat.post(update)
        chat.post(update)
    assert TelegramChat.objects.get().text == "Новый текст"


@pytest.mark.django_db(transaction=True)
def test_same_update_delivered_concurrently_is_handled_once(settings, bot) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = BodyFactory().code
    prepare = Bot(Client())
    for text in ("Не работает светофор на перекрёстке Садовой и Лесной.", "Готово", "Белова Анна"):
        prepare.say(text=text)
    confirm = prepare.update(text="Отправить")
    count = 5
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            statuses.append(Bot(Client()).post(confirm).status_code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert statuses == [200] * count
    assert IncomingItem.objects.count() == 1
    assert Appeal.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="intake:registered").count() == 1
    assert TelegramUpdate.objects.filter(update_id=confirm["update_id"]).count() == 1


@pytest.mark.django_db
def test_secret_token_is_checked(cast, bot, client, settings) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    update = chat.update(text="/start")
    assert chat.post(update, secret=None).status_code == 403
    assert chat.post(update, secret="webhook-secret-2").status_code == 403
    settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET = ""  # not configured: nothing is accepted
    assert chat.post(update, secret="").status_code == 403
    assert not TelegramUpdate.objects.exists() and not TelegramChat.objects.exists()
    assert not bot.requests
    assert client.get(reverse("intake:telegram_webhook")).status_code == 405


@pytest.mark.django_db
def test_bad_json_and_oversize_are_refused(cast, bot, client) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    broken = chat.post({}, raw=b'{"update_id": 5, "message": ')
    assert broken.status_code == 400 and "JSON" in broken.content.decode()
    assert chat.post({}, raw=b'{"message": {"text": "x"}}').status_code == 400
    assert chat.post({}, raw=b'{"update_id": 6, "message": {"text": "no chat"}}').status_code == 400
    assert chat.post({}, raw="\xff".encode("latin-1")).status_code == 400
    huge = chat.update(text="я" * 600_000)
    assert chat.post(huge).status_code == 413
    assert not TelegramUpdate.objects.exists() and not TelegramChat.objects.exists() and not bot.requests


@pytest.mark.django_db
def test_cancel_forgets_the_dialogue_and_its_files(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(photo=PHOTO)
    path = TelegramChat.objects.get().files[0]["path"]
    assert default_storage.exists(path)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="/cancel")
    assert not TelegramChat.objects.exists() and not default_storage.exists(path)
    assert "отменено" in _sent(bot)[-1]["text"]
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_large_and_unsafe_files_are_refused_with_the_reason(
    cast, bot, client, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    chat = Bot(client)
    big = [{"file_id": "big", "file_unique_id": "b", "file_size": 3 * 1024 * 1024, "width": 4000, "height": 3000}]
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(photo=big)
    assert "больше 1 МБ" in _sent(bot)[-1]["text"]
    assert not bot.calls("/getFile")  # refused from the declared size, nothing downloaded
    # The size getFile declares is small but the file server sends more: cut off while reading.
    bot.answers["/getFile"] = (200, {"ok": True, "result": {"file_id": "d", "file_path": "documents/big.pdf"}})
    bot.answers["/documents/big.pdf"] = (200, b"%PDF-1.4 " + b"0" * (2 * 1024 * 1024))
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(document={"file_id": "d", "file_unique_id": "d", "file_name": "акт.pdf"})
    assert "больше 1 МБ" in _sent(bot)[-1]["text"]
    # An executable dressed as a photo.
    bot.answers["/getFile"] = (200, {"ok": True, "result": {"file_id": "x", "file_path": "documents/x.jpg"}})
    bot.answers["/documents/x.jpg"] = (200, b"MZ\x90\x00" + b"\x00" * 200)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(document={"file_id": "x", "file_unique_id": "x", "file_name": "фото.jpg"})
    assert "исполняемые файлы Windows не принимаются" in _sent(bot)[-1]["text"]
    assert TelegramChat.objects.get().files == []


@pytest.mark.django_db
def test_other_updates_are_acknowledged_and_ignored(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    group = chat.update(text="Всем привет")
    group["message"]["chat"] = {"id": -100200, "title": "Двор", "type": "supergroup"}
    edited = {"update_id": 800_001, "edited_message": chat.update(text="исправлено")["message"]}
    with django_capture_on_commit_callbacks(execute=True):
        assert chat.post(group).status_code == 200
        assert chat.post(edited).status_code == 200
        chat.say(sticker={"file_id": "st", "file_unique_id": "st", "width": 512, "height": 512, "type": "regular"})
    assert not TelegramChat.objects.exists()
    assert TelegramUpdate.objects.count() == 3
    assert len(_sent(bot)) == 1 and "/start" in _sent(bot)[0]["text"]  # help for the sticker only


@pytest.mark.django_db
def test_someone_elses_contact_and_empty_done_are_refused(
    cast, bot, client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(text="/start")
        chat.say(text="Готово")
        chat.say(location={"latitude": 55.75, "longitude": 37.61})
        chat.say(text="Готово")
        chat.say(text="Нужен пандус у входа в поликлинику.")
        chat.say(text="Готово")
        chat.say(contact={"phone_number": "+79001112233", "first_name": "Сосед", "user_id": 42})
        chat.say(text="Готово")  # a button of the previous step is not taken for a name
    sent = _sent(bot)
    assert "Сначала опишите" in sent[1]["text"] and "Сначала опишите" in sent[3]["text"]
    assert "только своим номером" in sent[-2]["text"]
    assert "Как к вам обращаться" in sent[-1]["text"]
    dialogue = TelegramChat.objects.get()
    assert dialogue.phone == "" and dialogue.step == TelegramChat.Step.NAME


@pytest.mark.django_db
def test_abandoned_dialogues_are_forgotten(cast, bot, client, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    with django_capture_on_commit_callbacks(execute=True):
        chat.say(photo=PHOTO)
    path = TelegramChat.objects.get().files[0]["path"]
    later = clock.now() + dt.timedelta(hours=settings.OTKLIK_TELEGRAM_DIALOGUE_HOURS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert dialogues_forget_stale(now=clock.now()) == 0
        assert dialogues_forget_stale(now=later) == 1
    assert not TelegramChat.objects.exists() and not default_storage.exists(path)
    assert dialogues_forget_stale(now=later + dt.timedelta(days=8)) == 0
    assert not TelegramUpdate.objects.exists()


@pytest.mark.django_db
def test_a_known_telegram_user_is_recognised(cast, bot, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    chat = Bot(client)
    for text in ("Первое: яма у дома 3.", "Второе: лужа у дома 4."):
        with django_capture_on_commit_callbacks(execute=True):
            chat.say(text=text)
            chat.say(text="Готово")
            chat.say(text="Имя из профиля Telegram")
            chat.say(text="Отправить")
    first, second = Appeal.objects.order_by("pk")
    assert first.applicants.get() == second.applicants.get()
    assert Contact.objects.filter(kind="telegram").count() == 1


@pytest.mark.django_db
def test_webhook_command_sets_the_secret_token(bot, settings) -> None:  # type: ignore[no-untyped-def]
    bot.answers["/setWebhook"] = (200, {"ok": True, "result": True, "description": "Webhook was set"})
    bot.answers["/getWebhookInfo"] = (
        200,
        {
            "ok": True,
            "result": {"url": "https://appeals.example.ru/intake/telegram/webhook/", "pending_update_count": 2},
        },
    )
    out = io.StringIO()
    call_command("telegram_webhook", "https://appeals.example.ru/intake/telegram/webhook/", stdout=out)
    (call,) = bot.calls("/setWebhook")
    assert call.path == f"/bot{TOKEN}/setWebhook"
    assert json.loads(call.body) == {
        "url": "https://appeals.example.ru/intake/telegram/webhook/",
        "secret_token": SECRET,
        "allowed_updates": ["message"],
    }
    assert "Ожидают доставки: 2" in out.getvalue()
    with pytest.raises(CommandError, match="https://"):
        call_command("telegram_webhook", "http://appeals.example.ru/hook/")
    settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET = "пробелы и кириллица"
    with pytest.raises(CommandError, match="OTKLIK_TELEGRAM_WEBHOOK_SECRET"):
        call_command("telegram_webhook", "https://appeals.example.ru/intake/telegram/webhook/")
    assert len(bot.calls("/setWebhook")) == 1
    bot.answers["/setWebhook"] = (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET = SECRET
    with pytest.raises(CommandError, match="Unauthorized"):
        call_command("telegram_webhook", "https://appeals.example.ru/intake/telegram/webhook/")
