"""The Telegram bot: a short dialogue in a private chat collects the text of an appeal, an
optional place on the map and photos (or other files), the name and, if the user shares it, the
phone; on «Отправить» the whole document goes through the entry service.

Every update is acted on once: its update_id is recorded in the same transaction as the change
it makes, so Telegram delivering it again (or twice at the same moment) changes nothing. The
dialogue's state lives in `TelegramChat`, one row per chat, locked while an update is handled.
Replies go through the Bot API (`delivery.channels.telegram_call`) after the commit; the
registration number follows after registration, through the outbox (`intake.messengers`)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from appeals.choices import Channel
from core import clock
from delivery.channels import DeliveryError, TooLarge, telegram_call, telegram_file
from intake.attachments import Incoming, check_attachments
from intake.choices import DOCUMENT_CONTENT_TYPE
from intake.models import TelegramChat, TelegramUpdate
from intake.parsers import ParseError, document_bytes, parse_document
from intake.services import item_receive

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000
MAX_NAME = 200
# How long a processed update_id is remembered (Telegram gives up redelivering within a day).
UPDATE_MEMORY = dt.timedelta(days=7)

DONE = "Готово"
SEND = "Отправить"
CANCEL = "Отменить"
PROFILE_NAME = "Имя из профиля Telegram"
SHARE_PHONE = "Поделиться телефоном"
SHARE_PLACE = "Отметить место на карте"

HELP = (
    "Через этот бот можно направить обращение в администрацию.\n\n"
    "1. Опишите, что случилось и где, одним или несколькими сообщениями; можно приложить "
    "фотографии и отметить место на карте. Затем нажмите «Готово».\n"
    "2. Напишите фамилию, имя и отчество (или возьмите имя из профиля) и, если хотите, "
    "поделитесь телефоном.\n"
    "3. Проверьте и нажмите «Отправить». Регистрационный номер придёт сюда же.\n\n"
    "/start — начать заново, /cancel — отменить, /help — эта справка."
)
GREETING = "Здравствуйте! Опишите, пожалуйста, суть обращения: что случилось и где."


class UpdateRefused(ValueError):
    """The request is not a Bot API update; nothing was stored."""


@dataclass(frozen=True)
class Reply:
    text: str
    markup: dict[str, Any] | None = None


@dataclass
class StoredFile:
    name: str
    path: str


@dataclass
class FileOutcome:
    stored: StoredFile | None = None
    refusal: str = ""


class _Repeat(Exception):
    """The update_id was recorded by another delivery in the meantime."""


def _keyboard(*rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"keyboard": list(rows), "resize_keyboard": True}


REMOVE_KEYBOARD: dict[str, Any] = {"remove_keyboard": True}
TEXT_KEYBOARD = _keyboard([{"text": SHARE_PLACE, "request_location": True}], [{"text": DONE}, {"text": CANCEL}])
NAME_KEYBOARD = _keyboard(
    [{"text": SHARE_PHONE, "request_contact": True}], [{"text": PROFILE_NAME}], [{"text": CANCEL}]
)
CONFIRM_KEYBOARD = _keyboard([{"text": SEND}, {"text": CANCEL}])


# --- reading an update ------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def load_update(raw: bytes) -> dict[str, Any]:
    """The update as a dict with an integer update_id, or UpdateRefused."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UpdateRefused("Тело запроса не является JSON в UTF-8.") from None
    if not isinstance(data, dict) or _int(data.get("update_id")) is None:
        raise UpdateRefused("Нет целочисленного update_id: это не обновление Bot API.")
    message = data.get("message")
    if message is not None:
        if (
            not isinstance(message, dict)
            or not isinstance(message.get("chat"), dict)
            or _int(message["chat"].get("id")) is None
        ):
            raise UpdateRefused("Сообщение без чата: это не обновление Bot API.")
        sender = message.get("from")
        if sender is not None and not isinstance(sender, dict):
            raise UpdateRefused("Поле «from» должно быть объектом.")
    return data


def _private_message(data: dict[str, Any]) -> dict[str, Any] | None:
    """A new message of a person in a private chat with the bot; other updates (edits, groups,
    channels, bots) are acknowledged and ignored."""
    message = data.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from")
    if message["chat"].get("type") != "private" or not isinstance(sender, dict) or sender.get("is_bot"):
        return None
    return message


def _command(text: str) -> str:
    match = re.fullmatch(r"/([a-z]+)(?:@\w+)?(?:\s.*)?", text.strip(), flags=re.DOTALL)
    return match.group(1) if match else ""


def _is(text: str, button: str) -> bool:
    return text.strip().casefold() == button.casefold()


# --- files ------------------------------------------------------------------------------------


def _file_ref(message: dict[str, Any]) -> tuple[str, str, int | None] | None:
    """(file_id, name, declared size) of the photo (largest size that fits) or document."""
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        sizes = [p for p in photos if isinstance(p, dict) and isinstance(p.get("file_id"), str)]
        fitting = [p for p in sizes if (_int(p.get("file_size")) or 0) <= limit] or sizes
        if fitting:
            best = max(fitting, key=lambda p: (_int(p.get("width")) or 0) * (_int(p.get("height")) or 0))
            return best["file_id"], "фото.jpg", _int(best.get("file_size"))
    document = message.get("document")
    if isinstance(document, dict) and isinstance(document.get("file_id"), str):
        name = document.get("file_name") if isinstance(document.get("file_name"), str) else "файл"
        return document["file_id"], name or "файл", _int(document.get("file_size"))
    return None


def _take_file(chat_id: int, message: dict[str, Any]) -> FileOutcome:
    """Download, check and store a file before the transaction (network time holds no lock)."""
    ref = _file_ref(message)
    if ref is None:
        return FileOutcome()
    chat = TelegramChat.objects.filter(chat_id=chat_id).first()
    if chat is not None and chat.step == TelegramChat.Step.CONFIRM:
        return FileOutcome()  # the dialogue asks to send or cancel
    if chat is not None and len(chat.files) >= settings.OTKLIK_MAX_ATTACHMENTS:
        return FileOutcome(refusal=f"Можно приложить не больше {settings.OTKLIK_MAX_ATTACHMENTS} файлов.")
    file_id, name, size = ref
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    too_big = f"Файл больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ и не может быть принят."
    if size is not None and size > limit:
        return FileOutcome(refusal=too_big)
    try:
        content = telegram_file(file_id, max_bytes=limit)
    except TooLarge:
        return FileOutcome(refusal=too_big)
    except DeliveryError as exc:
        if exc.retry:
            raise  # the webhook answers 500 and Telegram delivers the update again
        logger.warning("telegram file not downloaded: %s", type(exc).__name__)
        return FileOutcome(refusal="Не удалось получить файл. Попробуйте отправить его ещё раз.")
    try:
        (checked,) = check_attachments([Incoming(name=name, content=content)])
    except ValidationError as exc:
        return FileOutcome(refusal=" ".join(exc.messages))
    shown = checked.name or name
    path = default_storage.save(f"telegram/{uuid.uuid4().hex}-{shown}", ContentFile(content))
    return FileOutcome(stored=StoredFile(name=shown, path=path))


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:
            logger.warning("telegram dialogue file not deleted")


# --- the dialogue -----------------------------------------------------------------------------


def _forget(chat: TelegramChat) -> None:
    paths = [f["path"] for f in chat.files]
    chat.delete()
    transaction.on_commit(lambda: _delete_files(paths))


def _new_chat(chat_id: int, sender: dict[str, Any]) -> TelegramChat:
    return TelegramChat.objects.create(
        chat_id=chat_id,
        profile_first_name=str(sender.get("first_name") or "")[:150],
        profile_last_name=str(sender.get("last_name") or "")[:150],
    )


def _name(chat: TelegramChat) -> str:
    return chat.full_name or " ".join(p for p in (chat.surname, chat.first_name) if p)


def _summary(chat: TelegramChat) -> Reply:
    text = chat.text if len(chat.text) <= 1500 else chat.text[:1500].rstrip() + "…"
    lines = ["Проверьте обращение:", "", text, ""]
    if chat.files:
        lines.append(f"Файлов: {len(chat.files)}")
    if chat.latitude is not None and chat.longitude is not None:
        lines.append(f"Место: {chat.latitude:.6f}, {chat.longitude:.6f}")
    lines.append(f"Заявитель: {_name(chat)}")
    if chat.phone:
        lines.append(f"Телефон: {chat.phone}")
    lines += [
        "",
        "Нажимая «Отправить», вы соглашаетесь на обработку ваших персональных данных для рассмотрения обращения.",
    ]
    return Reply("\n".join(lines), CONFIRM_KEYBOARD)


def _ask_name(chat: TelegramChat) -> Reply:
    profile = " ".join(p for p in (chat.profile_first_name, chat.profile_last_name) if p)
    hint = f" или нажмите «{PROFILE_NAME}» ({profile})" if profile else ""
    return Reply(
        "Как к вам обращаться? Напишите фамилию, имя и отчество" + hint + ". "
        f"Чтобы вам могли позвонить, нажмите «{SHARE_PHONE}».",
        NAME_KEYBOARD,
    )


def _take_contact(chat: TelegramChat, message: dict[str, Any]) -> str:
    """The user's own contact (the request_contact button); someone else's is refused."""
    contact = message["contact"]
    sender = message["from"]
    owner = _int(contact.get("user_id")) if isinstance(contact, dict) else None
    if owner is None or owner != _int(sender.get("id")):
        return "Можно поделиться только своим номером — кнопкой «Поделиться телефоном»."
    phone = re.sub(r"[^\d+]", "", str(contact.get("phone_number") or ""))
    if not 8 <= len(phone.lstrip("+")) <= 15:
        return "Номер телефона не распознан."
    chat.phone = phone if phone.startswith("+") else "+" + phone
    if not _name(chat):
        chat.first_name = str(contact.get("first_name") or "")[:150]
        chat.surname = str(contact.get("last_name") or "")[:150]
    return ""


def _add_material(chat: TelegramChat, message: dict[str, Any], text: str, outcome: FileOutcome) -> list[str]:
    """Text, a file (its caption joins the text), a place: what the user added, in words."""
    said: list[str] = []
    caption = message.get("caption") if isinstance(message.get("caption"), str) else ""
    addition = "\n\n".join(p.strip() for p in (text, caption) if p and p.strip())
    if addition:
        joined = f"{chat.text}\n\n{addition}" if chat.text else addition
        if len(joined) > MAX_TEXT:
            said.append(f"Текст обращения не может быть длиннее {MAX_TEXT} символов; последнее сообщение не добавлено.")
        else:
            chat.text = joined
            said.append("Текст записан.")
    if outcome.stored is not None:
        chat.files = [*chat.files, {"name": outcome.stored.name, "path": outcome.stored.path}]
        said.append(f"Файл добавлен ({len(chat.files)} из {settings.OTKLIK_MAX_ATTACHMENTS}).")
    if outcome.refusal:
        said.append(outcome.refusal)
    location = message.get("location")
    if isinstance(location, dict):
        lat, lon = location.get("latitude"), location.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float) and -90 <= lat <= 90 and -180 <= lon <= 180:
            chat.latitude, chat.longitude = float(lat), float(lon)
            said.append("Место отмечено.")
    return said


def _submit(chat: TelegramChat, update_id: int) -> list[Reply]:
    text = chat.text
    if chat.latitude is not None and chat.longitude is not None:
        text += f"\n\nМесто на карте: {chat.latitude:.6f}, {chat.longitude:.6f}"
    applicant = {
        "full_name": chat.full_name,
        "surname": chat.surname,
        "first_name": chat.first_name,
        "phone": chat.phone,
        "telegram": str(chat.chat_id),
    }
    attachments = []
    for f in chat.files:
        with default_storage.open(f["path"], "rb") as handle:
            attachments.append({"name": f["name"], "content_base64": base64.b64encode(handle.read()).decode()})
    document = {
        "text": text,
        "kind": settings.OTKLIK_TELEGRAM_KIND,
        "consent_personal_data": True,
        "applicant": {k: v.strip() for k, v in applicant.items() if v and v.strip()},
        "attachments": attachments,
    }
    payload = document_bytes(document)
    try:
        parse_document(payload)
    except ParseError as exc:  # cannot happen with what the dialogue collects; kept as a guard
        return [Reply(f"Обращение не может быть принято: {exc}")]
    item_receive(
        channel=Channel.TELEGRAM,
        source_id=f"telegram:{chat.chat_id}:{update_id}",
        payload=payload,
        content_type=DOCUMENT_CONTENT_TYPE,
        headers={"telegram_chat_id": str(chat.chat_id), "telegram_update_id": update_id},
        title=chat.text.split("\n", 1)[0][:120],
    )
    _forget(chat)
    return [
        Reply(
            "Спасибо, обращение принято. Регистрационный номер придёт сюда, как только оно будет зарегистрировано.",
            REMOVE_KEYBOARD,
        )
    ]


def _dialogue(chat_id: int, message: dict[str, Any], update_id: int, outcome: FileOutcome) -> list[Reply]:
    chat = TelegramChat.objects.select_for_update().filter(chat_id=chat_id).first()
    raw_text = message.get("text")
    text = raw_text if isinstance(raw_text, str) else ""
    command = _command(text)
    sender = message["from"]
    if command == "help":
        return [Reply(HELP)]
    if command == "cancel" or (chat is not None and _is(text, CANCEL)):
        if chat is None:
            return [Reply("Отменять нечего. " + GREETING, REMOVE_KEYBOARD)]
        _forget(chat)
        return [
            Reply("Обращение отменено, ничего не отправлено. Чтобы начать заново, нажмите /start.", REMOVE_KEYBOARD)
        ]
    if command == "start":
        if chat is not None:
            _forget(chat)
        _new_chat(chat_id, sender)
        return [Reply(GREETING, TEXT_KEYBOARD)]
    if command:
        return [Reply("Неизвестная команда.\n\n" + HELP)]
    has_material = bool(text or outcome.stored or outcome.refusal or message.get("location"))
    if chat is None:
        if not has_material and not message.get("contact"):
            return [Reply(HELP)]
        chat = _new_chat(chat_id, sender)
    replies = _step(chat, message, text, outcome, update_id)
    if chat.pk is not None:  # not sent or cancelled by this step
        chat.save()
    return replies


def _step(chat: TelegramChat, message: dict[str, Any], text: str, outcome: FileOutcome, update_id: int) -> list[Reply]:
    step = TelegramChat.Step
    if chat.step == step.CONFIRM:
        if _is(text, SEND):
            return _submit(chat, update_id)
        return [Reply(f"Нажмите «{SEND}», чтобы направить обращение, или «{CANCEL}».", CONFIRM_KEYBOARD)]
    if chat.step == step.NAME:
        if message.get("contact") is not None:
            refusal = _take_contact(chat, message)
            if refusal:
                return [Reply(refusal, NAME_KEYBOARD)]
            if not _name(chat):
                return [Reply("Телефон записан. Теперь напишите, как к вам обращаться.", NAME_KEYBOARD)]
            chat.step = step.CONFIRM
            return [_summary(chat)]
        if _is(text, PROFILE_NAME):
            if not (chat.profile_first_name or chat.profile_last_name):
                return [Reply("В профиле Telegram нет имени: напишите, как к вам обращаться.", NAME_KEYBOARD)]
            chat.first_name, chat.surname, chat.full_name = chat.profile_first_name, chat.profile_last_name, ""
            chat.step = step.CONFIRM
            return [_summary(chat)]
        if any(_is(text, button) for button in (DONE, SEND)):
            return [_ask_name(chat)]
        if text.strip():
            name = " ".join(text.split())
            if len(name) > MAX_NAME or not re.search(r"[^\W\d_]", name):
                return [Reply("Напишите фамилию, имя и отчество буквами.", NAME_KEYBOARD)]
            chat.full_name, chat.surname, chat.first_name = name, "", ""
            chat.step = step.CONFIRM
            return [_summary(chat)]
        said = _add_material(chat, message, "", outcome)
        return [Reply(" ".join([*said, "Теперь напишите, как к вам обращаться."]), NAME_KEYBOARD)]
    # Collecting the text, files and the place.
    if _is(text, DONE):
        if not chat.text.strip():
            return [Reply("Сначала опишите суть обращения текстом.", TEXT_KEYBOARD)]
        chat.step = step.NAME
        return [_ask_name(chat)]
    if message.get("contact") is not None:
        refusal = _take_contact(chat, message)
        return [Reply(refusal or "Телефон записан.", TEXT_KEYBOARD)]
    said = _add_material(chat, message, text, outcome)
    if not said:
        return [Reply("Такие сообщения бот не принимает: напишите текст, пришлите фото или место.", TEXT_KEYBOARD)]
    return [
        Reply(
            " ".join([*said, f"Можно добавить ещё текст, фото или место; когда всё готово, нажмите «{DONE}»."]),
            TEXT_KEYBOARD,
        )
    ]


# --- the webhook's service --------------------------------------------------------------------


def _send(chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        params: dict[str, Any] = {"chat_id": chat_id, "text": reply.text}
        if reply.markup is not None:
            params["reply_markup"] = reply.markup
        try:
            telegram_call("sendMessage", params)
        except DeliveryError as exc:
            # The dialogue has moved on regardless; the log carries no text and no chat.
            logger.warning("telegram reply not sent: %s", type(exc).__name__)


def update_handle(raw: bytes) -> bool:
    """Act on one webhook update; False when it was handled before (a repeated delivery)."""
    data = load_update(raw)
    update_id = int(data["update_id"])
    if TelegramUpdate.objects.filter(pk=update_id).exists():
        return False
    message = _private_message(data)
    chat_id = int(message["chat"]["id"]) if message is not None else 0
    outcome = _take_file(chat_id, message) if message is not None else FileOutcome()
    downloaded = [outcome.stored.path] if outcome.stored is not None else []
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    TelegramUpdate.objects.create(update_id=update_id, processed_at=clock.now())
            except IntegrityError:
                raise _Repeat from None
            if message is not None:
                replies = _dialogue(chat_id, message, update_id, outcome)
                transaction.on_commit(lambda: _send(chat_id, replies))
    except _Repeat:
        _delete_files(downloaded)
        return False
    except BaseException:
        _delete_files(downloaded)
        raise
    return True


def dialogues_forget_stale(*, now: dt.datetime | None = None) -> int:
    """Unfinished dialogues (and their files) older than OTKLIK_TELEGRAM_DIALOGUE_HOURS are not
    kept; neither are update_ids older than a week."""
    now = now or clock.now()
    stale = TelegramChat.objects.filter(
        updated_at__lt=now - dt.timedelta(hours=settings.OTKLIK_TELEGRAM_DIALOGUE_HOURS)
    )
    count = 0
    for chat in stale.iterator():
        with transaction.atomic():
            _forget(chat)
        count += 1
    TelegramUpdate.objects.filter(processed_at__lt=now - UPDATE_MEMORY).delete()
    return count


# --- connecting the bot -----------------------------------------------------------------------

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


def webhook_set(url: str) -> None:
    """Point the bot's updates at this installation (setWebhook with the secret token; only
    messages are asked for). Raises ValidationError or DeliveryError with the reason."""
    if not url.startswith("https://"):
        raise ValidationError("Telegram доставляет обновления только по адресу https://.")
    secret = settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET
    if not SECRET_TOKEN.fullmatch(secret):
        raise ValidationError(
            "OTKLIK_TELEGRAM_WEBHOOK_SECRET должен быть задан: от 1 до 256 символов A–Z, a–z, 0–9, «_» и «-»."
        )
    telegram_call("setWebhook", {"url": url, "secret_token": secret, "allowed_updates": ["message"]})


def webhook_delete() -> None:
    telegram_call("deleteWebhook", {})


def webhook_info() -> dict[str, Any]:
    info = telegram_call("getWebhookInfo", {})
    return info if isinstance(info, dict) else {}
