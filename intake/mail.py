"""The e-mail channel: a letter's bytes become an incoming item under its Message-ID; the
mailbox is polled over IMAP and a letter is marked read only after it is stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import re
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError

from appeals.choices import Channel
from intake.choices import EMAIL_CONTENT_TYPE
from intake.parsers import message_summary
from intake.services import Receipt, item_receive

logger = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


def message_id(raw: bytes, headers: dict[str, str]) -> str:
    """The letter's Message-ID without the angle brackets; a letter without one is known by the
    digest of its bytes, so the same letter fetched twice is still one item."""
    value = headers.get("Message-ID", "")
    found = _MESSAGE_ID.search(value)
    if found:
        return found.group(1)
    if value.strip():
        return value.strip()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def email_receive(raw: bytes, *, received_at: dt.datetime | None = None) -> Receipt:
    """Store one letter as it came (an .eml file, an IMAP fetch) and queue its registration."""
    title, headers = message_summary(raw)
    return item_receive(
        channel=Channel.EMAIL,
        source_id=message_id(raw, headers),
        payload=raw,
        content_type=EMAIL_CONTENT_TYPE,
        headers=headers,
        received_at=received_at,
        title=title,
    )


class Mailbox(Protocol):
    """The part of `imaplib.IMAP4` the poll uses."""

    def select(self, mailbox: str = ..., readonly: bool = ...) -> tuple[str, list[bytes | None]]: ...
    def uid(self, command: str, *args: str) -> tuple[str, list]: ...  # type: ignore[type-arg]


@dataclass
class PollResult:
    fetched: int = 0
    new: int = 0
    repeated: int = 0
    refused: int = 0


def connect() -> imaplib.IMAP4:
    if not settings.OTKLIK_IMAP_HOST:
        raise ValidationError("Почтовый ящик не настроен: задайте OTKLIK_IMAP_HOST.")
    cls = imaplib.IMAP4_SSL if settings.OTKLIK_IMAP_SSL else imaplib.IMAP4
    connection = cls(settings.OTKLIK_IMAP_HOST, settings.OTKLIK_IMAP_PORT, timeout=60)
    connection.login(settings.OTKLIK_IMAP_USER, settings.OTKLIK_IMAP_PASSWORD)
    return connection


def _internal_date(meta: bytes) -> dt.datetime | None:
    parsed = imaplib.Internaldate2tuple(meta)
    if parsed is None:
        return None
    return dt.datetime.fromtimestamp(time.mktime(parsed), tz=dt.UTC)


def poll(mailbox: Mailbox, *, folder: str | None = None, batch: int | None = None) -> PollResult:
    """Fetch unread letters, store each, then mark it read. A crash between the two only means
    the letter is fetched again next time — and recognised by its Message-ID."""
    result = PollResult()
    status, _ = mailbox.select(folder or settings.OTKLIK_IMAP_FOLDER)
    if status != "OK":
        raise ValidationError(f"Папка «{folder or settings.OTKLIK_IMAP_FOLDER}» не открывается.")
    status, data = mailbox.uid("SEARCH", "UNSEEN")
    if status != "OK":
        raise ValidationError("Сервер IMAP не выполнил поиск непрочитанных писем.")
    uids = (data[0] or b"").split()[: batch or settings.OTKLIK_IMAP_BATCH]
    for uid in uids:
        status, parts = mailbox.uid("FETCH", uid.decode(), "(INTERNALDATE BODY.PEEK[])")
        fetched = [p for p in parts if isinstance(p, tuple)]
        if status != "OK" or not fetched:
            continue
        meta, raw = fetched[0]
        result.fetched += 1
        try:
            receipt = email_receive(raw, received_at=_internal_date(meta))
        except ValidationError as exc:
            # An empty or oversized letter: it stays unread in the mailbox for a person to see.
            result.refused += 1
            logger.warning("letter uid %s refused: %s", uid.decode(), " ".join(exc.messages))
            continue
        if receipt.created:
            result.new += 1
        else:
            result.repeated += 1
        mailbox.uid("STORE", uid.decode(), "+FLAGS", "(\\Seen)")
    return result


def poll_configured() -> PollResult | None:
    """Poll the mailbox from the settings; None when no mailbox is configured."""
    if not settings.OTKLIK_IMAP_HOST:
        return None
    connection = connect()
    try:
        return poll(connection)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
