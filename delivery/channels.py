"""Channel adapters: each turns one outbox message into the protocol of its channel.

An adapter's `send(message)` returns the identifier the other side gave (message id, file
folder) or raises `DeliveryError`; `retry=False` marks errors another attempt will not fix
(a wrong address, a bot blocked by the user, a refused token).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import smtplib
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.message import make_msgid
from django.utils import timezone

from delivery.choices import DeliveryChannel
from delivery.models import OutboxMessage

# 547-FZ: state bodies' mail to citizens must use servers in Russia; these zones are national.
NATIONAL_ZONES = (".ru", ".рф", ".xn--p1ai", ".su")


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry: bool = True) -> None:
        super().__init__(message)
        self.retry = retry


def email_zone_warning(address: str) -> str:
    """A warning when the address is outside the Russian national domain zones (547-FZ), else ''."""
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    if not domain:
        return ""
    if domain.endswith(NATIONAL_ZONES):
        return ""
    return (
        f"Адрес {address} вне национальных доменных зон (.ru, .рф, .su): по 547-ФЗ переписка с гражданами "
        "ведётся через почтовые серверы в России — проверьте, допустима ли отправка на этот адрес."
    )


class Adapter(Protocol):
    channel: str

    def send(self, message: OutboxMessage) -> str: ...


def _files(message: OutboxMessage) -> list[tuple[str, bytes, str]]:
    result = []
    for a in message.attachments.all():
        with a.file.open("rb") as handle:
            result.append((a.name, handle.read(), a.content_type))
    return result


class EmailAdapter:
    """SMTP through Django's mail backend: text, an HTML alternative and the letter's files."""

    channel: str = DeliveryChannel.EMAIL

    def send(self, message: OutboxMessage) -> str:
        msgid = make_msgid(domain=settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1] or None)
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers={**(message.headers or {}), "Message-ID": msgid},
        )
        if message.html:
            mail.attach_alternative(message.html, "text/html")
        for name, data, content_type in _files(message):
            mail.attach(name, data, content_type)
        try:
            sent = mailers.default.send_messages([mail])
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"Почтовый сервер отклонил адрес: {exc.recipients}", retry=False) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP: {exc}") from None
        if not sent:
            raise DeliveryError("Почтовый сервер не принял письмо.")
        return msgid


@dataclass
class HttpReply:
    status: int
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None


class TooLarge(DeliveryError):
    """The answer is larger than the caller accepts (another attempt will not make it smaller)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retry=False)


def _read_limited(response: Any, max_bytes: int | None) -> bytes:
    if max_bytes is None:
        return bytes(response.read())
    declared = response.headers.get("Content-Length") or ""
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"Файл больше {max_bytes // (1024 * 1024)} МБ.")
    body = bytes(response.read(max_bytes + 1))
    if len(body) > max_bytes:
        raise TooLarge(f"Файл больше {max_bytes // (1024 * 1024)} МБ.")
    return body


def _http(
    method: str,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> HttpReply:
    """One HTTP exchange; network failures become retryable DeliveryErrors. The URL is never logged:
    it may carry a token. With `max_bytes` a longer answer is refused without reading it all."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError("Адрес шлюза должен начинаться с http:// или https://", retry=False)
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=settings.OTKLIK_DELIVERY_TIMEOUT) as response:  # noqa: S310
            return HttpReply(response.status, _read_limited(response, max_bytes))
    except urllib.error.HTTPError as exc:
        return HttpReply(exc.code, exc.read())
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"Нет связи со шлюзом: {getattr(exc, 'reason', exc)}") from None


def _multipart(fields: dict[str, str], files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = "otklik" + secrets.token_hex(12)
    chunks: list[bytes] = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for field, filename, data, content_type in files:
        quoted = urllib.parse.quote(filename)
        chunks.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{quoted}"; '
                f"filename*=UTF-8''{quoted}\r\nContent-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _split(text: str, limit: int) -> list[str]:
    """Cut a long text at paragraph or line breaks into pieces a messenger accepts."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = max(rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces


class TelegramAdapter:
    """Bot API: sendMessage for the text (split at 4096 characters), sendDocument for each file."""

    channel: str = DeliveryChannel.TELEGRAM
    limit = 4096

    def _call(self, method: str, *, data: bytes, content_type: str) -> Any:
        token = settings.OTKLIK_TELEGRAM_TOKEN
        if not token:
            raise DeliveryError("Не задан OTKLIK_TELEGRAM_TOKEN.", retry=False)
        url = f"{settings.OTKLIK_TELEGRAM_API.rstrip('/')}/bot{token}/{method}"
        reply = _http("POST", url, data=data, headers={"Content-Type": content_type})
        payload = reply.json() or {}
        if reply.status == 200 and payload.get("ok"):
            return payload.get("result") or {}
        description = payload.get("description") or f"HTTP {reply.status}"
        retry = reply.status == 429 or reply.status >= 500
        raise DeliveryError(f"Telegram: {description}", retry=retry)

    def send(self, message: OutboxMessage) -> str:
        chat_id = message.address.strip()
        if not re.fullmatch(r"-?\d+|@[A-Za-z0-9_]{5,}", chat_id):
            raise DeliveryError("Telegram: нужен числовой chat_id получателя.", retry=False)
        ids = []
        for piece in _split(message.text, self.limit):
            body = json.dumps({"chat_id": chat_id, "text": piece}).encode()
            result = self._call("sendMessage", data=body, content_type="application/json")
            ids.append(str(result.get("message_id", "")))
        for name, data, content_type in _files(message):
            body, multipart_type = _multipart({"chat_id": chat_id}, [("document", name, data, content_type)])
            result = self._call("sendDocument", data=body, content_type=multipart_type)
            ids.append(str(result.get("message_id", "")))
        return ",".join(i for i in ids if i)


class VkAdapter:
    """VK API: messages.send with a random_id (VK drops a repeat with the same id); files go as
    documents through docs.getMessagesUploadServer → upload → docs.save."""

    channel: str = DeliveryChannel.VK
    limit = 4000

    def _call(self, method: str, params: dict[str, str]) -> Any:
        token = settings.OTKLIK_VK_TOKEN
        if not token:
            raise DeliveryError("Не задан OTKLIK_VK_TOKEN.", retry=False)
        fields = {**params, "access_token": token, "v": settings.OTKLIK_VK_API_VERSION}
        url = f"{settings.OTKLIK_VK_API.rstrip('/')}/{method}"
        reply = _http(
            "POST",
            url,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        payload = reply.json()
        if reply.status != 200 or not isinstance(payload, dict):
            raise DeliveryError(f"ВКонтакте: HTTP {reply.status}", retry=reply.status >= 500 or reply.status == 429)
        if "error" in payload:
            error = payload["error"] or {}
            code = int(error.get("error_code", 0) or 0)
            # 6 too many requests, 9 flood control, 10 internal error: worth another attempt.
            raise DeliveryError(f"ВКонтакте: {error.get('error_msg', 'ошибка')} ({code})", retry=code in (6, 9, 10))
        return payload.get("response")

    def _upload(self, peer_id: str, name: str, data: bytes, content_type: str) -> str:
        server = self._call("docs.getMessagesUploadServer", {"type": "doc", "peer_id": peer_id})
        upload_url = (server or {}).get("upload_url", "")
        body, multipart_type = _multipart({}, [("file", name, data, content_type)])
        reply = _http("POST", upload_url, data=body, headers={"Content-Type": multipart_type})
        uploaded = reply.json() or {}
        if reply.status != 200 or "file" not in uploaded:
            raise DeliveryError(f"ВКонтакте: файл «{name}» не загружен ({reply.status})")
        saved = self._call("docs.save", {"file": uploaded["file"], "title": name})
        doc = (saved or {}).get("doc") or {}
        return f"doc{doc.get('owner_id')}_{doc.get('id')}"

    def send(self, message: OutboxMessage) -> str:
        peer_id = message.address.strip()
        if not re.fullmatch(r"\d+", peer_id):
            raise DeliveryError("ВКонтакте: нужен числовой id пользователя.", retry=False)
        attachments = [self._upload(peer_id, name, data, ct) for name, data, ct in _files(message)]
        pieces = _split(message.text, self.limit) or [message.subject]
        ids = []
        for i, piece in enumerate(pieces):
            params = {
                "peer_id": peer_id,
                "message": piece,
                # Stable per message and piece: a retried request is not delivered twice.
                "random_id": str(int.from_bytes(hashlib.sha256(f"{message.pk}:{i}".encode()).digest()[:4], "big")),
            }
            if attachments and i == len(pieces) - 1:
                params["attachment"] = ",".join(attachments)
            ids.append(str(self._call("messages.send", params)))
        return ",".join(ids)


class SmsAdapter:
    """An HTTP SMS gateway described by a URL template with {phone} and {text}."""

    channel: str = DeliveryChannel.SMS
    limit = 670  # ten concatenated Cyrillic parts

    def send(self, message: OutboxMessage) -> str:
        template = settings.OTKLIK_SMS_URL
        if not template:
            raise DeliveryError("Не задан OTKLIK_SMS_URL.", retry=False)
        phone = re.sub(r"[^\d+]", "", message.address)
        if not re.fullmatch(r"\+?\d{10,15}", phone):
            raise DeliveryError("SMS: неверный номер телефона.", retry=False)
        text = message.text.strip()
        if len(text) > self.limit:
            text = text[: self.limit - 1].rstrip() + "…"
        fields = {"phone": phone, "text": text}
        if settings.OTKLIK_SMS_METHOD == "post":
            url = template.format(phone="", text="")
            reply = _http(
                "POST",
                url,
                data=urllib.parse.urlencode(fields).encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            url = template.format(**{k: urllib.parse.quote(v, safe="") for k, v in fields.items()})
            reply = _http("GET", url)
        if 200 <= reply.status < 300:
            return reply.body.decode("utf-8", "replace").strip()[:300]
        raise DeliveryError(f"SMS-шлюз ответил {reply.status}", retry=reply.status >= 500 or reply.status == 429)


class ExchangeAdapter:
    """A folder a document-management system polls: one sub-folder per message, with the text,
    the HTML, the files and manifest.json. The folder is written under a temporary name and
    renamed in one step, so the other side never sees half a message."""

    channel: str = DeliveryChannel.EXCHANGE

    def send(self, message: OutboxMessage) -> str:
        root = Path(settings.OTKLIK_EXCHANGE_DIR) / "outbox"
        name = f"{timezone.localtime():%Y%m%d-%H%M%S}-{message.pk}-{uuid.uuid4().hex[:8]}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
        except OSError as exc:
            raise DeliveryError(f"Папка обмена недоступна: {exc.strerror or exc}") from None
        try:
            files = [("letter.txt", message.text.encode(), "text/plain; charset=utf-8")]
            if message.html:
                files.append(("letter.html", message.html.encode(), "text/html; charset=utf-8"))
            files.extend(_files(message))
            listed = []
            for i, (filename, data, content_type) in enumerate(files):
                safe = re.sub(r"[^\w.\-]+", "_", filename) or f"file{i}"
                (staging / safe).write_bytes(data)
                listed.append(
                    {
                        "name": safe,
                        "content_type": content_type,
                        "size": len(data),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
            manifest = {
                "id": name,
                "kind": message.kind,
                "subject": message.subject,
                "appeal": message.appeal.number if message.appeal_id and message.appeal else "",
                "recipient": message.recipient_name,
                "address": message.address,
                "created": timezone.localtime().isoformat(),
                "files": listed,
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            for path in staging.iterdir():
                with path.open("rb") as handle:
                    os.fsync(handle.fileno())
            os.rename(staging, root / name)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise DeliveryError(f"Папка обмена: {exc}") from None
        return name


# --- the same APIs for intake (docs/intake.md): the bot's dialogue, files, the VK profile ------


def telegram_call(method: str, params: dict[str, Any]) -> Any:
    """One Bot API method with JSON parameters; its `result`, or DeliveryError."""
    return TelegramAdapter()._call(method, data=json.dumps(params).encode(), content_type="application/json")


def telegram_file(file_id: str, *, max_bytes: int) -> bytes:
    """A file a user sent the bot: getFile gives its path, then the file URL of the Bot API."""
    info = telegram_call("getFile", {"file_id": file_id}) or {}
    size = info.get("file_size")
    if isinstance(size, int) and size > max_bytes:
        raise TooLarge(f"Файл больше {max_bytes // (1024 * 1024)} МБ.")
    path = info.get("file_path")
    if not isinstance(path, str) or not path:
        raise DeliveryError("Telegram: файл недоступен для загрузки.", retry=False)
    token = settings.OTKLIK_TELEGRAM_TOKEN
    url = f"{settings.OTKLIK_TELEGRAM_API.rstrip('/')}/file/bot{token}/{urllib.parse.quote(path)}"
    reply = _http("GET", url, max_bytes=max_bytes)
    if reply.status != 200:
        raise DeliveryError(f"Telegram: файл не загружен (HTTP {reply.status})", retry=reply.status >= 500)
    return reply.body


def vk_call(method: str, params: dict[str, str]) -> Any:
    """One VK API method with the community token; its `response`, or DeliveryError."""
    return VkAdapter()._call(method, params)


def http_download(url: str, *, max_bytes: int) -> bytes:
    """A file at a URL (a photo a VK user attached), at most `max_bytes`."""
    reply = _http("GET", url, max_bytes=max_bytes)
    if reply.status != 200:
        raise DeliveryError(f"Файл не загружен (HTTP {reply.status})", retry=reply.status >= 500)
    return reply.body


ADAPTERS: dict[str, Adapter] = {
    DeliveryChannel.EMAIL: EmailAdapter(),
    DeliveryChannel.TELEGRAM: TelegramAdapter(),
    DeliveryChannel.VK: VkAdapter(),
    DeliveryChannel.SMS: SmsAdapter(),
    DeliveryChannel.EXCHANGE: ExchangeAdapter(),
}
