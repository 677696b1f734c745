"""The VK community: Callback API events become incoming items.

VK posts every event to the callback URL and repeats it until the answer is «ok», so the
endpoint only checks the event, stores it (without the secret key) through the entry service
and answers. A private message to the community (`message_new`) and a comment on the
community's wall (`wall_reply_new`) are items; their source id is built from the community and
the message or comment id, so a repeated event is the same item. What the event only points
to — the photos and documents at their URLs, the sender's name (`users.get`) — is fetched at
registration (`fetch`, before the item is locked). The registration number goes back in a
private message (`messages.send`, through the outbox: `intake.messengers`)."""

from __future__ import annotations

import datetime as dt
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from appeals.choices import Channel
from delivery.channels import DeliveryError, TooLarge, http_download, vk_call
from intake.attachments import Incoming
from intake.choices import VK_CONTENT_TYPE
from intake.parsers import Parsed, ParseError
from intake.services import Fetched, item_receive
from people.matching.record import MatchQuery

EVENTS = ("message_new", "wall_reply_new")
# Private dialogues only: peer ids from this value on are group chats.
CHAT_PEER_START = 2_000_000_000


class CallbackRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _load(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CallbackRefused(400, "Тело запроса не является JSON в UTF-8.") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise CallbackRefused(400, "Нет поля «type»: это не событие Callback API.")
    return data


def _object(data: dict[str, Any]) -> dict[str, Any]:
    """The message or the comment of an event."""
    obj = data.get("object")
    if not isinstance(obj, dict):
        raise CallbackRefused(400, "Нет объекта события.")
    if data["type"] == "message_new":
        message = obj.get("message")
        if isinstance(message, dict):
            return message
        if "from_id" in obj and "id" in obj:
            return obj  # API versions before 5.103 sent the message itself
        raise CallbackRefused(400, "В событии message_new нет сообщения.")
    return obj


def _attachment_refs(obj: dict[str, Any]) -> list[tuple[str, str, int | None]]:
    """(url, name, declared size) of the photos and documents of a message or comment."""
    refs: list[tuple[str, str, int | None]] = []
    attachments = obj.get("attachments")
    if not isinstance(attachments, list):
        return refs
    for entry in attachments:
        if not isinstance(entry, dict):
            continue
        kind = entry.get("type")
        if kind == "photo" and isinstance(entry.get("photo"), dict):
            photo = entry["photo"]
            original = photo.get("orig_photo")
            sizes = [s for s in photo.get("sizes") or [] if isinstance(s, dict) and isinstance(s.get("url"), str)]
            if isinstance(original, dict) and isinstance(original.get("url"), str):
                refs.append((original["url"], "фото.jpg", None))
            elif sizes:
                best = max(sizes, key=lambda s: (_int(s.get("width")) or 0) * (_int(s.get("height")) or 0))
                refs.append((best["url"], "фото.jpg", None))
        elif kind == "doc" and isinstance(entry.get("doc"), dict) and isinstance(entry["doc"].get("url"), str):
            doc = entry["doc"]
            title = doc.get("title") if isinstance(doc.get("title"), str) else "документ"
            refs.append((doc["url"], title or "документ", _int(doc.get("size"))))
    return refs


def _identify(data: dict[str, Any], group_id: int) -> tuple[str, int, int] | None:
    """(source id, the user to answer, the time sent) of an event worth an item; None for what
    is not from a person (the community's own messages and comments, group chats) or is empty."""
    obj = _object(data)
    from_id = _int(obj.get("from_id"))
    item_id = _int(obj.get("id"))
    if from_id is None or item_id is None:
        raise CallbackRefused(400, "В событии нет from_id или id.")
    if from_id <= 0 or obj.get("out") == 1:
        return None
    text = obj.get("text")
    if not (isinstance(text, str) and text.strip()) and not _attachment_refs(obj):
        return None  # a sticker, a call, a service message: nothing to register
    sent = _int(obj.get("date")) or 0
    if data["type"] == "message_new":
        peer_id = _int(obj.get("peer_id"))
        if peer_id is None or peer_id >= CHAT_PEER_START:
            return None
        return f"vk:{group_id}:message:{item_id}", from_id, sent
    owner_id, post_id = _int(obj.get("owner_id")), _int(obj.get("post_id"))
    if owner_id is None or post_id is None:
        raise CallbackRefused(400, "В комментарии нет owner_id или post_id.")
    return f"vk:{group_id}:wall:{owner_id}_{post_id}_{item_id}", from_id, sent


def _secret_matches(given: Any) -> bool:
    secret = settings.OTKLIK_VK_SECRET
    return bool(secret) and isinstance(given, str) and hmac.compare_digest(given.encode(), secret.encode())


def callback_handle(raw: bytes) -> str:
    """The answer to one Callback API request: the confirmation string or «ok»; CallbackRefused
    for a request that is not VK's (nothing stored)."""
    data = _load(raw)
    # The handshake may come before VK sends the key; it only reveals the string VK itself shows.
    handshake_without_key = data["type"] == "confirmation" and "secret" not in data
    if not handshake_without_key and not _secret_matches(data.get("secret")):
        raise CallbackRefused(403, "Неверный секретный ключ.")
    group_id = _int(data.get("group_id"))
    if group_id is None or (settings.OTKLIK_VK_GROUP_ID and group_id != settings.OTKLIK_VK_GROUP_ID):
        raise CallbackRefused(403, "Событие другого сообщества.")
    if data["type"] == "confirmation":
        if not settings.OTKLIK_VK_CONFIRMATION:
            raise CallbackRefused(403, "Не задана строка подтверждения (OTKLIK_VK_CONFIRMATION).")
        return settings.OTKLIK_VK_CONFIRMATION
    if data["type"] not in EVENTS:
        return "ok"
    found = _identify(data, group_id)
    if found is None:
        return "ok"
    source_id, from_id, sent = found
    stored = {k: v for k, v in data.items() if k != "secret"}
    payload = json.dumps(stored, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        parse_event(payload)
    except ParseError as exc:
        raise CallbackRefused(400, str(exc)) from None
    text = _object(data).get("text")
    item_receive(
        channel=Channel.VK,
        source_id=source_id,
        payload=payload,
        content_type=VK_CONTENT_TYPE,
        headers={"vk_event": data["type"], "vk_event_id": str(data.get("event_id") or ""), "vk_peer_id": str(from_id)},
        received_at=dt.datetime.fromtimestamp(sent, tz=dt.UTC) if sent > 0 else None,
        title=(text.strip().split("\n", 1)[0] if isinstance(text, str) else "")[:120],
    )
    return "ok"


# --- registration -----------------------------------------------------------------------------


def _stored_event(raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("type") not in EVENTS:
            raise ParseError("Событие ВКонтакте не является сообщением или комментарием.")
        return data, _object(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ParseError("Событие ВКонтакте не читается как JSON.") from None
    except CallbackRefused as exc:
        raise ParseError(str(exc)) from None


def parse_event(raw: bytes) -> Parsed:
    """A stored event: the text (with the place and, for a comment, the post it is under) and the
    sender's VK id; the files and the name come from `fetch`."""
    data, obj = _stored_event(raw)
    raw_text = obj.get("text")
    text = raw_text.strip() if isinstance(raw_text, str) else ""
    if len(text) > 100_000:
        raise ParseError("Текст длиннее 100000 символов.")
    files = _attachment_refs(obj)
    if not text:
        if not files:
            raise ParseError("В сообщении нет ни текста, ни вложений.")
        text = "Текст обращения во вложении."
    lines = [text]
    geo = obj.get("geo")
    coordinates = geo.get("coordinates") if isinstance(geo, dict) else None
    if isinstance(coordinates, dict):
        lat, lon = coordinates.get("latitude"), coordinates.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            lines.append(f"Место на карте: {lat:.6f}, {lon:.6f}")
    if data["type"] == "wall_reply_new":
        lines.append(f"Комментарий к записи https://vk.com/wall{obj.get('owner_id')}_{obj.get('post_id')}")
    from_id = _int(obj.get("from_id"))
    if from_id is None or from_id <= 0:
        raise ParseError("В событии нет отправителя.")
    return Parsed(
        text="\n\n".join(lines),
        applicant=MatchQuery(),
        kind=settings.OTKLIK_VK_KIND,
        messengers=(("vk", str(from_id)),),
    )


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(
        host == allowed or host.endswith("." + allowed) for allowed in settings.OTKLIK_VK_FILE_HOSTS
    )


def _profile(from_id: int) -> MatchQuery | None:
    """The sender's name from VK (users.get); None without a community token."""
    if not settings.OTKLIK_VK_TOKEN:
        return None
    try:
        users = vk_call("users.get", {"user_ids": str(from_id)})
    except DeliveryError as exc:
        raise ValidationError(f"Имя отправителя не получено от ВКонтакте: {exc}") from None
    if not isinstance(users, list) or not users or not isinstance(users[0], dict):
        return None
    user = users[0]
    first, last = str(user.get("first_name") or "").strip(), str(user.get("last_name") or "").strip()
    if user.get("deactivated") or not (first or last):
        return None
    return MatchQuery(surname=last[:150], first_name=first[:150])


def fetch(raw: bytes) -> Fetched:
    """Download the event's files (from VK's hosts only, each within the attachment limit) and
    ask VK for the sender's name. A failure fails the registration with the reason; the
    operator's retry fetches again."""
    _, obj = _stored_event(raw)
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    refs = _attachment_refs(obj)
    if len(refs) > settings.OTKLIK_MAX_ATTACHMENTS:
        raise ValidationError(f"Не более {settings.OTKLIK_MAX_ATTACHMENTS} вложений к одному обращению.")
    files = []
    for index, (url, name, size) in enumerate(refs, start=1):
        if not _allowed(url):
            raise ValidationError(f"Вложение {index}: адрес не на серверах ВКонтакте (OTKLIK_VK_FILE_HOSTS).")
        if size is not None and size > limit:
            raise ValidationError(f"Вложение {index} больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ.")
        try:
            content = http_download(url, max_bytes=limit)
        except TooLarge:
            raise ValidationError(f"Вложение {index} больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ.") from None
        except DeliveryError as exc:
            raise ValidationError(f"Вложение {index} не загружено: {exc}") from None
        files.append(Incoming(name=name, content=content))
    from_id = _int(obj.get("from_id")) or 0
    return Fetched(attachments=files, applicant=_profile(from_id) if from_id > 0 else None)
