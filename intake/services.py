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
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F

from appeals.choices import Channel
from appeals.models import Appeal
from appeals.services import AlreadyRegistered, AppealDraft, appeals_register
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
# How many waiting items one registration task takes: registering them together shares the
# queries and inserts, a batch is still short enough to keep the database's locks brief.
BATCH_SIZE = 200
# An item that lost a lock conflict (deadlock, lock timeout) goes back to the queue this many
# times before it is shown as failed.
TRANSIENT_ATTEMPTS = 3


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


class _Bodies:
    """The receiving body of each item of a batch; the configured default is looked up once."""

    def __init__(self) -> None:
        self._default: Body | None = None

    def of(self, item: IncomingItem) -> Body:
        if item.body is not None:
            return item.body
        if self._default is None:
            self._default = _default_body()
        return self._default


def _default_body() -> Body:
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


@dataclass(frozen=True)
class _Prepared:
    """An item read, checked and ready to register (nothing written yet)."""

    item: IncomingItem
    parsed: Parsed
    body: Body
    files: list[Any]


def _prepare(item: IncomingItem, bodies: _Bodies) -> _Prepared:
    """Parse and check an item without writing anything."""
    parsed: Parsed = parse(item.content_type, _read_payload(item))
    files = check_attachments(parsed.attachments)
    return _Prepared(item, parsed, bodies.of(item), list(files))


def _draft(prepared: _Prepared) -> AppealDraft:
    """Recognise (or create) the applicant — a write — and describe the appeal to register."""
    parsed, item = prepared.parsed, prepared.item
    applicants = []
    if record_from_query(parsed.applicant).has_identity:
        resolution = applicant_resolve(
            query=parsed.applicant, consent_personal_data=parsed.consent_personal_data, ask_operator=False
        )
        if resolution.applicant is not None:
            applicants.append(resolution.applicant)
    return AppealDraft(
        body=prepared.body,
        channel=item.channel,
        text=parsed.text,
        applicants=applicants,
        received_at=item.received_at,
        kind=parsed.kind,
        summary=parsed.summary,
        addressee=parsed.addressee,
        attachments=prepared.files,
        external_source=item.channel,
        external_id=item.source_id,
    )


def _register_together(batch: list[_Prepared]) -> dict[int, Appeal | Exception]:
    """Applicants of the batch one by one (each sees the cards made before it in the batch, so a
    person writing twice gets one card), then one `appeals_register` call for the batch.

    Runs in one savepoint; if any item fails there, the savepoint is rolled back — its new
    cards with it — and the caller registers the items one by one."""
    outcomes: dict[int, Appeal | Exception] = {}
    with transaction.atomic():
        drafts: list[tuple[IncomingItem, AppealDraft]] = []
        for prepared in batch:
            drafts.append((prepared.item, _draft(prepared)))
        results = appeals_register([d for _, d in drafts], actor=None)
        for (item, _), result in zip(drafts, results, strict=True):
            outcomes[item.pk] = result.appeal if isinstance(result, AlreadyRegistered) else result
        if any(isinstance(o, Exception) for o in outcomes.values()):
            raise _BatchFailed(outcomes)
    return outcomes


class _BatchFailed(Exception):
    def __init__(self, outcomes: dict[int, Appeal | Exception]) -> None:
        super().__init__("an item of the batch failed")
        self.outcomes = outcomes


def _register_prepared(batch: list[_Prepared]) -> dict[int, Appeal | Exception]:
    """Together when all goes well; else each item alone, so a bad one fails by itself."""
    if not batch:
        return {}
    try:
        return _register_together(batch)
    except Exception as exc:
        if len(batch) == 1:
            return {batch[0].item.pk: exc.outcomes[batch[0].item.pk] if isinstance(exc, _BatchFailed) else exc}
    outcomes: dict[int, Appeal | Exception] = {}
    for prepared in batch:
        outcomes.update(_register_prepared([prepared]))
    return outcomes


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, ParseError):
        return str(exc)
    return f"Внутренняя ошибка при регистрации ({type(exc).__name__}): {exc}"[:2000]


def item_register(*, item_id: int) -> IncomingItem:
    """Read a stored item and register it as an appeal (the 3-day clock started at receipt).
    A failure leaves nothing registered and keeps the item in «Входящие» with the reason."""
    return items_register(item_id=item_id, more=0)[0]


def items_register(*, item_id: int, more: int = BATCH_SIZE - 1) -> list[IncomingItem]:
    """Register item `item_id` and up to `more` other items waiting in the queue, together.

    The given item is locked (a second task for it waits, then finds it registered); the others
    are taken with SKIP LOCKED, so two workers take different batches. Each item's outcome is
    its own: registered, or failed with the reason — never registered twice, never half. The
    items, the given one first."""
    try:
        with transaction.atomic():
            return _items_register(item_id, more)
    except IncomingItem.DoesNotExist:
        raise
    except Exception as exc:  # the whole batch was rolled back: keep the reason on the given item
        logger.warning("incoming item %s not registered: %s", item_id, type(exc).__name__)
        _mark_failed(item_id, exc)
        return [IncomingItem.objects.get(pk=item_id)]


def _items_register(item_id: int, more: int) -> list[IncomingItem]:
    first = IncomingItem.objects.select_for_update(of=("self",)).select_related("body").get(pk=item_id)
    items = [first]
    if first.status in (ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED):
        return items
    if more > 0:
        items += list(
            IncomingItem.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("body")
            .filter(status=ItemStatus.RECEIVED)
            .exclude(pk=item_id)
            .order_by("pk")[:more]
        )
    bodies = _Bodies()
    outcomes: dict[int, Appeal | Exception] = {}
    existing = _registered_before(items)
    waiting: list[_Prepared] = []
    for item in items:
        if (item.channel, item.source_id) in existing:
            outcomes[item.pk] = existing[(item.channel, item.source_id)]
            continue
        try:
            waiting.append(_prepare(item, bodies))
        except Exception as exc:  # a bad payload fails its item only
            outcomes[item.pk] = exc
    outcomes.update(_register_prepared(waiting))
    now = clock.now()
    done = []
    for item in items:
        outcome = outcomes[item.pk]
        item.attempts += 1
        item.updated_at = now
        if isinstance(outcome, Appeal):
            item.status, item.appeal, item.error = ItemStatus.REGISTERED, outcome, ""
            done.append(item)
        elif isinstance(outcome, OperationalError) and item.attempts < TRANSIENT_ATTEMPTS:
            # A lock conflict with another worker's batch (a deadlock, a lock timeout): nothing of
            # the item was kept, it goes back to the queue with a task of its own.
            logger.info("incoming item %s queued again after %s", item.pk, type(outcome).__name__)
            item.error = _reason(outcome)
            item.save(update_fields=["error", "attempts", "updated_at"])
            _enqueue(item.pk)
        else:
            logger.warning("incoming item %s not registered: %s", item.pk, type(outcome).__name__)
            item.status, item.error = ItemStatus.FAILED, _reason(outcome)
            item.save(update_fields=["status", "error", "attempts", "updated_at"])
    IncomingItem.objects.bulk_update(done, ["status", "appeal", "error", "attempts", "updated_at"])
    return items


def _registered_before(items: list[IncomingItem]) -> dict[tuple[str, str], Appeal]:
    """Appeals already registered for these items (a retry after a crash): one query per channel."""
    by_channel: dict[str, list[str]] = {}
    for item in items:
        by_channel.setdefault(item.channel, []).append(item.source_id)
    found: dict[tuple[str, str], Appeal] = {}
    for channel, ids in by_channel.items():
        for appeal in Appeal.objects.filter(external_source=channel, external_id__in=ids):
            found[(appeal.external_source, appeal.external_id)] = appeal
    return found


def _mark_failed(item_id: int, exc: BaseException) -> None:
    """The reason on the item; a lock conflict (the other items of its batch are still waiting)
    sends it back to the queue, up to `TRANSIENT_ATTEMPTS` times, anything else fails it."""
    waiting = IncomingItem.objects.filter(pk=item_id).exclude(
        status__in=[ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED]
    )
    if isinstance(exc, OperationalError):
        with transaction.atomic():
            again = waiting.filter(attempts__lt=TRANSIENT_ATTEMPTS - 1).update(
                status=ItemStatus.RECEIVED, error=_reason(exc), attempts=F("attempts") + 1, updated_at=clock.now()
            )
            if again:
                _enqueue(item_id)
                return
    waiting.update(status=ItemStatus.FAILED, error=_reason(exc), attempts=F("attempts") + 1, updated_at=clock.now())


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
