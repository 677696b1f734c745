"""The one entry of every channel (`item_receive`), registration of what arrived
(`item_register`, run by a task), and the operator's retry and disposition."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F

from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import AlreadyRegistered, appeal_register
from core import clock
from intake import rules
from intake.attachments import check_attachments
from intake.choices import DOCUMENT_CONTENT_TYPE, EMAIL_CONTENT_TYPE, Disposition, ItemStatus
from intake.models import IncomingItem
from intake.parsers import Parsed, ParseError, parse
from org.models import Body
from org.selectors import actor_for
from people.matching.record import record_from_query
from people.services import applicant_resolve

logger = logging.getLogger(__name__)

_EXTENSIONS = {EMAIL_CONTENT_TYPE: ".eml", DOCUMENT_CONTENT_TYPE: ".json"}
# Raw deliveries larger than this are refused at the door (the attachments inside are limited
# again, one by one, at registration).
MAX_PAYLOAD_FACTOR = 2


@dataclass(frozen=True)
class Receipt:
    item: IncomingItem
    created: bool


def max_payload_bytes() -> int:
    """Base64 in a document or a letter makes files a third larger; a megabyte is left for the text."""
    per_item = settings.OTKLIK_MAX_ATTACHMENT_MB * settings.OTKLIK_MAX_ATTACHMENTS
    return (per_item * MAX_PAYLOAD_FACTOR + 1) * 1024 * 1024


def item_receive(
    *,
    channel: str,
    source_id: str,
    payload: bytes,
    content_type: str,
    headers: dict[str, Any] | None = None,
    body: Body | None = None,
    received_at: dt.datetime | None = None,
    title: str = "",
    enqueue: bool = True,
) -> Receipt:
    """Store a delivery as it came, before anything reads it, and queue its registration.

    The same (channel, source id) delivered again gives the stored item back (`created` false);
    when two deliveries race, the database's unique constraint lets one in and the other gets it."""
    if channel not in Channel.values:
        raise ValidationError(f"Неизвестный канал: «{channel}».")
    source_id = source_id.strip()
    if not source_id:
        raise ValidationError("Нет идентификатора в источнике: повторную доставку нельзя будет узнать.")
    if len(source_id) > 200:
        # Long ids (some Message-IDs) are kept recognisable by their digest.
        source_id = "sha256:" + hashlib.sha256(source_id.encode("utf-8")).hexdigest()
    if not payload:
        raise ValidationError("Пустое содержимое.")
    if len(payload) > max_payload_bytes():
        raise ValidationError(f"Содержимое больше {max_payload_bytes() // (1024 * 1024)} МБ и не может быть принято.")
    existing = IncomingItem.objects.filter(channel=channel, source_id=source_id).first()
    if existing is not None:
        return Receipt(existing, False)
    now = clock.now()
    received_at = min(received_at or now, now)
    digest = hashlib.sha256(payload).hexdigest()
    item = IncomingItem(
        channel=channel,
        source_id=source_id,
        body=body,
        payload_size=len(payload),
        payload_sha256=digest,
        content_type=content_type[:100],
        headers=headers or {},
        received_at=received_at,
        title=title.strip()[:300],
    )
    # The bytes reach the storage first: whatever happens next, what arrived is kept.
    item.payload.save(
        f"{channel}-{digest[:20]}{_EXTENSIONS.get(content_type, '.bin')}", ContentFile(payload), save=False
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        default_storage.delete(str(item.payload.name))
        existing = IncomingItem.objects.filter(channel=channel, source_id=source_id).first()
        if existing is None:
            raise
        return Receipt(existing, False)
    if enqueue:
        _enqueue(item.pk)
    return Receipt(item, True)


def _enqueue(item_id: int) -> None:
    from intake.tasks import register_incoming

    transaction.on_commit(lambda: register_incoming.enqueue(item_id=item_id))


def _body_for(item: IncomingItem) -> Body:
    if item.body is not None:
        return item.body
    code = settings.OTKLIK_INTAKE_BODY
    if code:
        body = Body.objects.filter(code=code).first()
        if body is None:
            raise ValidationError(f"Орган с кодом «{code}» (OTKLIK_INTAKE_BODY) не найден.")
        return body
    bodies = list(Body.objects.order_by("pk")[:2])
    if len(bodies) != 1:
        raise ValidationError("Не определён орган-получатель: задайте OTKLIK_INTAKE_BODY.")
    return bodies[0]


def _read_payload(item: IncomingItem) -> bytes:
    try:
        with item.payload.open("rb") as stream:
            return stream.read()
    except OSError:
        raise ValidationError("Файл с полученным содержимым не найден в хранилище.") from None


def _register(item: IncomingItem) -> tuple[Appeal, Parsed | None]:
    """The item's appeal, and what was parsed when this call registered it (None when an appeal
    with the item's source id already existed)."""
    existing = Appeal.objects.filter(external_source=item.channel, external_id=item.source_id).first()
    if existing is not None:
        return existing, None
    parsed: Parsed = parse(item.content_type, _read_payload(item))
    files = check_attachments(parsed.attachments)
    body = _body_for(item)
    applicants = []
    if record_from_query(parsed.applicant).has_identity:
        resolution = applicant_resolve(
            query=parsed.applicant, consent_personal_data=parsed.consent_personal_data, ask_operator=False
        )
        if resolution.applicant is not None:
            applicants.append(resolution.applicant)
    try:
        appeal = appeal_register(
            body=body,
            actor=None,
            channel=item.channel,
            text=parsed.text,
            applicants=applicants,
            received_at=item.received_at,
            kind=parsed.kind,
            summary=parsed.summary,
            addressee=parsed.addressee,
            attachments=files,
            external_source=item.channel,
            external_id=item.source_id,
        )
    except AlreadyRegistered as exc:
        return exc.appeal, None
    return appeal, parsed


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, ParseError):
        return str(exc)
    return f"Внутренняя ошибка при регистрации ({type(exc).__name__}): {exc}"[:2000]


def item_register(*, item_id: int) -> IncomingItem:
    """Read a stored item and register it as an appeal (the 3-day clock started at receipt).
    A failure leaves nothing registered and keeps the item in «Входящие» with the reason."""
    try:
        with transaction.atomic():
            item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item_id)
            if item.status in (ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED):
                return item
            appeal, parsed = _register(item)
            if parsed is not None:
                from intake.acknowledgement import acknowledgement_queue

                acknowledgement_queue(item=item, appeal=appeal, parsed=parsed)
            item.status = ItemStatus.REGISTERED
            item.appeal = appeal
            item.error = ""
            item.attempts += 1
            item.save(update_fields=["status", "appeal", "error", "attempts", "updated_at"])
            return item
    except IncomingItem.DoesNotExist:
        raise
    except Exception as exc:  # every failure is kept on the item for an operator
        logger.warning("incoming item %s not registered: %s", item_id, type(exc).__name__)
        IncomingItem.objects.filter(pk=item_id).exclude(
            status__in=[ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED]
        ).update(status=ItemStatus.FAILED, error=_reason(exc), attempts=F("attempts") + 1, updated_at=clock.now())
        return IncomingItem.objects.get(pk=item_id)


def _check_handler(actor: User) -> None:
    if not rules.can_handle_item(actor_for(actor)):
        raise PermissionDenied("Разбирать входящие может оператор или администратор.")


@transaction.atomic
def item_retry(*, item: IncomingItem, actor: User) -> IncomingItem:
    """Queue a failed (or stuck) item's registration again."""
    _check_handler(actor)
    item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.status not in (ItemStatus.FAILED, ItemStatus.RECEIVED):
        raise ValidationError("Повторить можно только регистрацию, которая не удалась или не завершилась.")
    item.status = ItemStatus.RECEIVED
    item.error = ""
    item.save(update_fields=["status", "error", "updated_at"])
    _enqueue(item.pk)
    return item


@transaction.atomic
def item_disposition(*, item: IncomingItem, actor: User, disposition: str, note: str = "") -> IncomingItem:
    """An operator decides an item is not an appeal, spam or a duplicate: it leaves the queue
    unregistered, with who decided, when and why."""
    _check_handler(actor)
    if disposition not in Disposition.values:
        raise ValidationError("Выберите решение: не обращение, спам или дубликат.")
    item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if item.status in (ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED):
        raise ValidationError("Это входящее уже разобрано.")
    note = note.strip()
    if disposition == Disposition.DUPLICATE and not note:
        raise ValidationError("Для дубликата укажите, что именно он повторяет (номер обращения или входящего).")
    item.status = ItemStatus.DISPOSITIONED
    item.disposition = disposition
    item.disposition_note = note[:2000]
    item.dispositioned_by = actor
    item.dispositioned_at = clock.now()
    item.save(
        update_fields=[
            "status",
            "disposition",
            "disposition_note",
            "dispositioned_by",
            "dispositioned_at",
            "updated_at",
        ]
    )
    return item


def items_requeue_stale(*, older_than: dt.timedelta = dt.timedelta(minutes=15)) -> int:
    """Items still «получено» long after receipt lost their task (a worker died): queue them again."""
    ids = list(
        IncomingItem.objects.filter(status=ItemStatus.RECEIVED, updated_at__lt=clock.now() - older_than).values_list(
            "pk", flat=True
        )[:1000]
    )
    with transaction.atomic():
        for pk in ids:
            _enqueue(pk)
    return len(ids)


def integration_client_create(*, name: str, code: str, channel: str, body: Body | None = None) -> tuple[Any, str]:
    """Register an integration client; the token is returned once and only its hash is kept."""
    import secrets

    from intake.api import token_hash
    from intake.models import IntegrationClient

    if channel not in Channel.values:
        raise ValidationError(f"Неизвестный канал: «{channel}».")
    token = secrets.token_urlsafe(32)
    client = IntegrationClient(
        name=name.strip(),
        code=code.strip(),
        channel=channel,
        body=body,
        token_hash=token_hash(token),
        token_prefix=token[:8],
    )
    client.full_clean()
    client.save()
    return client, token
