"""Paper letters: the scan goes through the entry service as received, Tesseract reads it in a
task, the operator checks the text and the applicant beside the page images and registers.

    upload → `scan_receive` (item, status «получено») → task `recognise_scan` → `scan_recognise`
    (pages and text, status «распознано, ждёт проверки») → the operator's check → `scan_register`
    (the checked document kept on the item, registered at once; the scan attached to the appeal)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from appeals.choices import Channel
from core import clock
from intake import ocr, rules
from intake.attachments import Incoming, check_attachments
from intake.choices import ItemStatus
from intake.models import IncomingItem, ScanPage
from intake.operator import operator_check
from intake.services import Receipt, item_receive, item_register, read_payload, scan_file_name
from org.models import Body
from org.selectors import actor_for

logger = logging.getLogger(__name__)

# Paper arrives by post, by hand (нарочно) or at a personal reception.
SCAN_CHANNELS = (Channel.POST, Channel.COURIER, Channel.PERSONAL)


def is_scan(item: IncomingItem) -> bool:
    return item.is_scan


def _check_handler(actor: User) -> None:
    if not rules.can_handle_item(actor_for(actor)):
        raise PermissionDenied("Принимать сканы писем может оператор или администратор.")


def scan_receive(
    *,
    name: str,
    content: bytes,
    actor: User,
    channel: str = Channel.POST,
    received_at: dt.datetime | None = None,
    body: Body | None = None,
) -> Receipt:
    """Check the file (a readable PDF, JPEG, PNG or TIFF within the page limit, nothing else)
    and store it through the entry service; recognition is queued. The same file again is the
    same item (source id: the digest of its bytes)."""
    _check_handler(actor)
    if channel not in SCAN_CHANNELS:
        raise ValidationError("Скан письма поступает почтой, нарочно или на личном приёме.")
    info = ocr.inspect_scan(name, content)
    check_attachments([Incoming(name=info.name, content=content)])
    return item_receive(
        channel=channel,
        source_id="scan:" + hashlib.sha256(content).hexdigest(),
        payload=content,
        content_type=info.mime,
        headers={"file_name": info.name, "pages": info.pages, "uploaded_by": actor.get_username()},
        body=body,
        received_at=received_at,
        title=f"Скан «{info.name}» ({info.label}, страниц: {info.pages})",
    )


def _fail(item_id: int, reason: str) -> IncomingItem:
    IncomingItem.objects.filter(pk=item_id, status__in=[ItemStatus.RECEIVED, ItemStatus.FAILED]).update(
        status=ItemStatus.FAILED, error=reason[:2000], updated_at=clock.now()
    )
    return IncomingItem.objects.get(pk=item_id)


def scan_recognise(*, item_id: int) -> IncomingItem:
    """Read every page of a received scan (outside any transaction: it takes seconds) and keep
    the pages and their text on the item, which then waits for the operator's check. A file
    that cannot be read, or recognition that fails, leaves the item failed with the reason."""
    item = IncomingItem.objects.get(pk=item_id)
    if not is_scan(item) or item.checked or item.status not in (ItemStatus.RECEIVED, ItemStatus.FAILED):
        return item
    try:
        pages = ocr.recognise_scan(scan_file_name(item), read_payload(item))
    except ValidationError as exc:
        return _fail(item_id, " ".join(exc.messages))
    except Exception as exc:  # kept on the item for an operator; the log gets no content
        logger.warning("scan %s not recognised: %s", item_id, type(exc).__name__)
        return _fail(item_id, f"Внутренняя ошибка при распознавании ({type(exc).__name__}).")
    written: list[ScanPage] = []
    try:
        with transaction.atomic():
            item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item_id)
            if item.checked or item.status not in (ItemStatus.RECEIVED, ItemStatus.FAILED):
                return item
            for old in item.scan_pages.all():
                old.image.delete(save=False)
                old.delete()
            for page in pages:
                row = ScanPage(item=item, number=page.number, text=page.text, width=page.width, height=page.height)
                row.image.save(f"scan-{item.pk}-{page.number}.jpg", ContentFile(page.preview), save=False)
                written.append(row)
                row.save()
            item.status = ItemStatus.RECOGNISED
            item.error = ""
            item.save(update_fields=["status", "error", "updated_at"])
            return item
    except Exception:
        for row in written:
            row.image.storage.delete(str(row.image.name))
        raise


def scan_text(item: IncomingItem) -> str:
    """The recognised text of all pages, pages separated by a blank line."""
    return "\n\n".join(p.text for p in item.scan_pages.all() if p.text).strip()


_FROM = re.compile(r"(?:^|\s)(?:от|заявител[ья]:?)\s*$", re.IGNORECASE)
_ADDRESS_LABEL = re.compile(r"(?:адрес[а-я]*|проживающ[а-я]*(?:\s+по\s+адресу)?)\s*:?\s*", re.IGNORECASE)
_LINE = re.compile(r"[^\n]+")


def scan_prefill(text: str) -> dict[str, Any]:
    """The applicant as far as the letter's text shows it, for the operator to check: the person
    after «от» in the header, else the last one named (the signature); the address on a line
    that says «адрес» or «проживающ…», else the first one; the first phone and e-mail."""
    from nlp.addresses import find_addresses
    from nlp.entities import find_emails, find_persons, find_phones

    head = text[:20_000]
    found: dict[str, Any] = {"text": text}
    persons = [p for p in find_persons(head) if p.surname and (p.first_name or p.initials)]
    if not persons:
        persons = [p for p in find_persons(head, use_ner=True) if p.surname]
    if persons:
        after_from = [p for p in persons if _FROM.search(head[max(0, p.start - 40) : p.start])]
        person = after_from[0] if after_from else persons[-1]
        found.update(surname=person.surname, first_name=person.first_name, patronymic=person.patronymic)
    addresses = find_addresses(head)
    if addresses:
        labelled = [
            a for a in addresses if _ADDRESS_LABEL.search(head[head.rfind("\n", 0, a.start) + 1 : a.start] or "")
        ]
        mention = (labelled or addresses)[0]
        line_start = head.rfind("\n", 0, mention.start) + 1
        line_end = head.find("\n", mention.end)
        line = head[line_start : line_end if line_end >= 0 else len(head)]
        label = _ADDRESS_LABEL.search(line)
        value = line[label.end() :] if label else mention.text
        found["postal_address"] = value.strip(" ,.;")[:500]
    phones = find_phones(head)
    if phones:
        found["phone"] = phones[0].e164
    emails = find_emails(head)
    if emails:
        found["email"] = emails[0].normalized
    return found


def scan_register(*, item: IncomingItem, actor: User, document: dict[str, Any]) -> IncomingItem:
    """The operator checked the scan: keep their document on the item and register it now. The
    scan itself becomes the appeal's first attachment. A second submit of a registered scan
    changes nothing; a failure leaves the item failed with the reason, the checked text kept."""
    _check_handler(actor)
    if not is_scan(item):
        raise ValidationError("Это входящее — не скан письма.")
    operator_check(document)
    with transaction.atomic():
        item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
        if item.status == ItemStatus.REGISTERED:
            return item
        if item.status == ItemStatus.DISPOSITIONED:
            raise ValidationError("Это входящее уже разобрано без регистрации.")
        if item.status == ItemStatus.RECEIVED and not item.checked:
            raise ValidationError("Скан ещё распознаётся: подождите, страница обновится сама.")
        item.checked = document
        item.save(update_fields=["checked", "updated_at"])
    return item_register(item_id=item.pk)
