"""The e-mail channel: a letter's bytes become an incoming item under its Message-ID; the
mailbox is polled over IMAP (imap-tools) and a letter is marked read only after it is stored."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import imaplib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage
from imap_tools.errors import MailboxFetchError, MailboxFlagError, MailboxFolderSelectError, MailboxLoginError
from imap_tools.utils import check_command_status

from appeals.choices import Channel
from intake.choices import EMAIL_CONTENT_TYPE
from intake.parsers import message_summary
from intake.services import Receipt, item_receive, max_payload_bytes

logger = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
# UIDs per command when asking the server for sizes and dates.
_ENVELOPE_CHUNK = 500
IMAP_TIMEOUT = 60


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


class FetchedLetter(MailMessage):
    """imap-tools' message that also keeps the bytes exactly as the server sent them: those are
    what is stored, not a re-serialisation of the parsed message."""

    def __init__(self, fetch_data: list) -> None:  # type: ignore[type-arg]
        raw, _, _ = self._get_message_data_parts(fetch_data)
        self.raw: bytes = raw
        super().__init__(fetch_data)


@dataclass(frozen=True)
class Envelope:
    size: int
    internal_date: dt.datetime | None


@dataclass
class PollResult:
    fetched: int = 0
    new: int = 0
    repeated: int = 0
    refused: int = 0


def connect() -> BaseMailBox:
    """A logged-in mailbox from the settings: IMAPS, STARTTLS or (on a trusted network) plain IMAP."""
    if not settings.OTKLIK_IMAP_HOST:
        raise ValidationError("Почтовый ящик не настроен: задайте OTKLIK_IMAP_HOST.")
    host, port = settings.OTKLIK_IMAP_HOST, settings.OTKLIK_IMAP_PORT
    box: BaseMailBox
    if settings.OTKLIK_IMAP_SSL:
        box = MailBox(host, port, timeout=IMAP_TIMEOUT)
    elif settings.OTKLIK_IMAP_STARTTLS:
        box = MailBoxStartTls(host, port, timeout=IMAP_TIMEOUT)
    else:
        box = MailBoxUnencrypted(host, port, timeout=IMAP_TIMEOUT)
    try:
        box.login(settings.OTKLIK_IMAP_USER, settings.OTKLIK_IMAP_PASSWORD, initial_folder=None)
    except MailboxLoginError:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            box.client.shutdown()
        raise ValidationError(
            "Сервер IMAP отказал во входе: проверьте OTKLIK_IMAP_USER и OTKLIK_IMAP_PASSWORD."
        ) from None
    return box


def _internal_date(meta: bytes) -> dt.datetime | None:
    parsed = imaplib.Internaldate2tuple(meta)
    if parsed is None:
        return None
    return dt.datetime.fromtimestamp(time.mktime(parsed), tz=dt.UTC)


def envelopes(box: BaseMailBox, uids: list[str]) -> dict[str, Envelope]:
    """Size and INTERNALDATE of each letter, asked before any body is downloaded (an oversized
    letter is never fetched). A UID missing from the answer was expunged meanwhile."""
    found: dict[str, Envelope] = {}
    for start in range(0, len(uids), _ENVELOPE_CHUNK):
        chunk = uids[start : start + _ENVELOPE_CHUNK]
        reply = box.client.uid("FETCH", ",".join(chunk), "(UID RFC822.SIZE INTERNALDATE)")
        check_command_status(reply, MailboxFetchError)
        for line in reply[1]:
            meta = line[0] if isinstance(line, tuple) else line
            if not isinstance(meta, bytes):
                continue
            uid, size = _UID.search(meta), _SIZE.search(meta)
            if uid is None or size is None:
                continue
            found[uid.group(1).decode()] = Envelope(int(size.group(1)), _internal_date(meta))
    return found


def mark_seen(box: BaseMailBox, uid: str) -> None:
    """Set \\Seen on one letter. Not `BaseMailBox.flag`: it EXPUNGEs after every STORE, which
    would also erase whatever a person had marked deleted in the same mailbox."""
    reply = box.client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")
    check_command_status(reply, MailboxFlagError)


def poll(box: BaseMailBox, *, folder: str | None = None, batch: int | None = None) -> PollResult:
    """Fetch unread letters (oldest first, at most `batch`) without marking them read, store
    each, then mark it read. A crash between the two only means the letter is fetched again next
    time — and recognised by its Message-ID. Empty and oversized letters stay unread."""
    result = PollResult()
    folder = folder or settings.OTKLIK_IMAP_FOLDER
    try:
        box.folder.set(folder)
    except MailboxFolderSelectError:
        raise ValidationError(f"Папка «{folder}» в почтовом ящике не открывается.") from None
    # No CHARSET in the search (some servers refuse one; UNSEEN is plain ASCII); oldest first.
    uids = sorted(box.uids(AND(seen=False), charset=None), key=int)[: batch or settings.OTKLIK_IMAP_BATCH]
    if not uids:
        return result
    limit = max_payload_bytes()
    wanted: dict[str, Envelope] = {}
    for uid, envelope in envelopes(box, uids).items():
        if envelope.size == 0 or envelope.size > limit:
            # It stays unread in the mailbox for a person to see; it is never downloaded.
            result.refused += 1
            logger.warning("letter uid %s left unread: %s bytes", uid, envelope.size)
            continue
        wanted[uid] = envelope
    if not wanted:
        return result
    box.email_message_class = FetchedLetter
    for letter in box.fetch(uid_list=list(wanted), mark_seen=False, bulk=False):
        assert isinstance(letter, FetchedLetter)
        uid = letter.uid or ""
        if uid not in wanted:
            continue
        result.fetched += 1
        try:
            receipt = email_receive(letter.raw, received_at=wanted[uid].internal_date)
        except ValidationError as exc:
            result.refused += 1
            logger.warning("letter uid %s refused: %s", uid, " ".join(exc.messages))
            continue
        if receipt.created:
            result.new += 1
        else:
            result.repeated += 1
        mark_seen(box, uid)
    return result


def poll_configured() -> PollResult | None:
    """Poll the mailbox from the settings; None when no mailbox is configured."""
    if not settings.OTKLIK_IMAP_HOST:
        return None
    box = connect()
    try:
        return poll(box)
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            box.logout()
