"""The one entry of every channel (`item_receive`), registration of what arrived
(`item_register`, run by a task), and the operator's retry and disposition."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.module_loading import import_string

from appeals.choices import Channel, QuestionType
from appeals.models import Appeal
from appeals.selectors import appeals_by_external
from appeals.services import AlreadyRegistered, AppealDraft, QuestionDraft, appeals_register
from classification.models import ClassifierEntry
from core import clock
from core.locks import transaction_lock
from core.text import fold
from intake import rules
from intake.attachments import Incoming, check_attachments
from intake.choices import (
    DOCUMENT_CONTENT_TYPE,
    EMAIL_CONTENT_TYPE,
    OPERATOR_CONTENT_TYPE,
    SCAN_CONTENT_TYPES,
    VK_CONTENT_TYPE,
    Disposition,
    ItemStatus,
)
from intake.models import IncomingItem
from intake.parsers import OperatorChoices, Parsed, ParseError, document_bytes, parse, parse_operator_document
from org.models import Body
from org.selectors import active_departments, actor_for
from people.choices import ContactKind, MatchDecision
from people.matching import MatchQuery, match
from people.matching.lookup import BatchLookup
from people.matching.record import record_from_query
from people.models import Applicant, Contact
from people.normalize import normalize_contact
from people.selectors import applicants_visible_to
from people.services import ContactInput, applicant_create, applicant_resolve, contacts_add

logger = logging.getLogger(__name__)

FINAL_STATUSES = (ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED)

_EXTENSIONS = {
    EMAIL_CONTENT_TYPE: ".eml",
    DOCUMENT_CONTENT_TYPE: ".json",
    OPERATOR_CONTENT_TYPE: ".json",
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
}
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
    stored = IncomingItem.objects.filter(channel=channel, source_id=source_id)
    if stored.exists():  # a repeated delivery (the usual answer is no: the cheapest question)
        return Receipt(stored.get(), False)
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
        _enqueue(item)
    return Receipt(item, True)


def needs_recognition(item: IncomingItem) -> bool:
    """A paper scan the operator has not checked yet: its next step is recognition, not registration."""
    return item.content_type in SCAN_CONTENT_TYPES and not item.checked


def _enqueue(item: IncomingItem) -> None:
    from intake.tasks import recognise_scan, register_incoming

    task = recognise_scan if needs_recognition(item) else register_incoming
    item_id = item.pk
    transaction.on_commit(lambda: task.enqueue(item_id=item_id))


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


def read_payload(item: IncomingItem) -> bytes:
    try:
        with item.payload.open("rb") as stream:
            return stream.read()
    except OSError:
        raise ValidationError("Файл с полученным содержимым не найден в хранилище.") from None


@dataclass(frozen=True)
class Fetched:
    """What a channel's payload only points to, fetched over the network before registration
    (outside the transaction): files at URLs, the sender's name from the network's profile."""

    attachments: list[Incoming]
    applicant: MatchQuery | None = None


# Content types whose payload names things to fetch: dotted path of `fetch(raw: bytes) -> Fetched`.
FETCHERS = {VK_CONTENT_TYPE: "intake.vk.fetch"}


def _fetch(item: IncomingItem) -> Fetched | None:
    if item.content_type not in FETCHERS:
        return None
    return cast(Callable[[bytes], Fetched], import_string(FETCHERS[item.content_type]))(read_payload(item))


def _messenger_card(messengers: tuple[tuple[str, str], ...]) -> Applicant | None:
    """The card that already has one of these messenger accounts (a sender known only by it)."""
    for kind, value in messengers:
        contact = (
            Contact.objects.filter(kind=kind, normalized=normalize_contact(kind, value), applicant__merged_into=None)
            .select_related("applicant")
            .order_by("pk")
            .first()
        )
        if contact is not None:
            return contact.applicant
    return None


def _name_fits(applicant: Applicant, query: MatchQuery) -> bool:
    """The name given (if any) is the card's: same surname, same first letter of the first name."""
    name = query.person_name()
    if not name.surname and not name.first_name:
        return True
    if fold(name.surname) != fold(applicant.surname):
        return False
    return (
        not name.first_name or not applicant.first_name or fold(name.first_name)[:1] == fold(applicant.first_name)[:1]
    )


def _applicant_for(parsed: Parsed, query: MatchQuery, lookup: BatchLookup | None = None) -> Applicant | None:
    """The card of the sender. A messenger account already on a card is that person when the name
    given does not contradict it (someone may write on behalf of another: then matching decides
    as for every channel)."""
    known = _messenger_card(parsed.messengers)
    contacts = _contacts(query)
    applicant = None
    if known is not None and _name_fits(known, query):
        applicant = known
    elif record_from_query(query).has_identity:
        resolution = applicant_resolve(
            query=query, consent_personal_data=parsed.consent_personal_data, ask_operator=False, lookup=lookup
        )
        applicant, contacts = resolution.applicant, []
    if applicant is not None:
        contacts += [ContactInput(kind, value) for kind, value in parsed.messengers]
        if contacts and contacts_add(applicant=applicant, contacts=contacts) and lookup is not None:
            lookup.card_filed(applicant)
    return applicant


def scan_file_name(item: IncomingItem) -> str:
    """The name the scan is attached under: the uploaded name, else one made from the item."""
    return str(item.headers.get("file_name") or f"скан-{item.pk}")


def _parsed(item: IncomingItem) -> Parsed:
    raw = read_payload(item)
    if item.content_type not in SCAN_CONTENT_TYPES:
        return parse(item.content_type, raw)
    # A paper scan is registered from what the operator checked; the scan itself is attached.
    if not item.checked:
        raise ValidationError("Скан ещё не проверен оператором: откройте его во «Входящих», проверьте текст.")
    parsed = parse_operator_document(document_bytes(item.checked))
    return replace(parsed, attachments=[Incoming(name=scan_file_name(item), content=raw), *parsed.attachments])


def operator_must_choose(query: MatchQuery, choices: OperatorChoices) -> bool:
    """The operator named nobody from the suggestions, and the matcher only suspects a known
    card: the form asks «это другой человек?» before anything is stored or written."""
    if choices.applicant_id or choices.new_applicant or not _has_identity(query):
        return False
    if query.gosuslugi_id.strip():
        return False
    return match(query).decision == MatchDecision.PROPOSE


def _has_identity(query: MatchQuery) -> bool:
    names = (query.surname, query.first_name, query.full_name, query.organisation_name)
    return any(v.strip() for v in names) or bool(_contacts(query))


def _contacts(query: MatchQuery) -> list[ContactInput]:
    return [
        *(ContactInput(ContactKind.PHONE, v) for v in query.phones if v.strip()),
        *(ContactInput(ContactKind.EMAIL, v) for v in query.emails if v.strip()),
        *(ContactInput(ContactKind.POSTAL, v) for v in query.postal_addresses if v.strip()),
    ]


def _operator_applicants(parsed: Parsed, choices: OperatorChoices, actor: User) -> list[Applicant]:
    """The card the operator picked (learning the new contacts), a new card when they said this
    is another person (the pair still goes to the duplicates queue), else the matcher's answer —
    asking again, never guessing, when it only suspects a known card."""
    query = parsed.applicant
    contacts = _contacts(query)
    if choices.applicant_id:
        applicant = applicants_visible_to(actor).filter(pk=choices.applicant_id).first() or (
            Applicant.objects.filter(pk=choices.applicant_id, merged_into__isnull=True).first()
            if actor_for(actor).can_register
            else None
        )
        if applicant is None:
            raise ValidationError("Выбранный заявитель не найден.")
        contacts_add(applicant=applicant, contacts=contacts)
        return [applicant]
    if not _has_identity(query):
        return []
    if choices.new_applicant:
        name = query.person_name()
        return [
            applicant_create(
                kind=query.kind,
                surname=name.surname,
                first_name=name.first_name,
                patronymic=name.patronymic,
                gender=choices.gender or name.gender,
                organisation_name=query.organisation_name,
                inn=query.inn,
                consent_personal_data=parsed.consent_personal_data,
                contacts=contacts,
                check_duplicates=True,
            )
        ]
    resolution = applicant_resolve(
        query=query,
        actor=actor,
        gender=choices.gender,
        consent_personal_data=parsed.consent_personal_data,
        ask_operator=True,
    )
    if resolution.applicant is None:
        raise ValidationError(
            "Похожий заявитель уже есть в реестре: выберите его карточку в подсказке "
            "или отметьте «Это другой человек: завести новую карточку»."
        )
    return [resolution.applicant]


def _operator_questions(parsed: Parsed, choices: OperatorChoices) -> list[QuestionDraft]:
    classifier = None
    if choices.classifier_code:
        classifier = ClassifierEntry.objects.filter(code=choices.classifier_code, is_active=True).first()
        if classifier is None or classifier.level < 4:
            raise ValidationError(f"Кода классификатора «{choices.classifier_code}» нет среди действующих вопросов.")
    department = None
    if choices.department_id:
        department = active_departments().filter(pk=choices.department_id).first()
        if department is None:
            raise ValidationError("Выбранное подразделение не найдено или упразднено.")
    qtype = choices.qtype or QuestionType.STATEMENT
    if qtype not in QuestionType.values:
        raise ValidationError(f"Неизвестный тип вопроса: «{qtype}».")
    return [QuestionDraft(text=parsed.text, qtype=qtype, classifier=classifier, department=department)]


@dataclass(frozen=True)
class _Prepared:
    """An item read, checked and ready to register (nothing written yet)."""

    item: IncomingItem
    parsed: Parsed
    body: Body
    files: list[Any]
    fetched: Fetched | None


def _prepare(item: IncomingItem, bodies: _Bodies, fetched: Fetched | None) -> _Prepared:
    """Parse and check an item without writing anything."""
    parsed = _parsed(item)
    files = check_attachments([*parsed.attachments, *(fetched.attachments if fetched else [])])
    return _Prepared(item, parsed, bodies.of(item), list(files), fetched)


def _query(prepared: _Prepared) -> MatchQuery:
    """Who the item says wrote it: the network's profile when one was fetched, else the payload."""
    fetched = prepared.fetched
    return fetched.applicant if fetched is not None and fetched.applicant is not None else prepared.parsed.applicant


def _draft(prepared: _Prepared, lookup: BatchLookup | None = None) -> tuple[AppealDraft, User | None]:
    """Recognise (or create) the applicant — a write — and describe the appeal to register; the
    operator who took it down, for operator entry."""
    parsed, item = prepared.parsed, prepared.item
    actor: User | None = None
    questions: list[QuestionDraft] = []
    if parsed.operator is not None:
        actor = User.objects.filter(pk=parsed.operator.user_id, is_active=True).first()
        if actor is None:
            raise ValidationError("Сотрудник, принявший обращение, не найден или отключён.")
        applicants = _operator_applicants(parsed, parsed.operator, actor)
        questions = _operator_questions(parsed, parsed.operator)
    else:
        applicant = _applicant_for(parsed, _query(prepared), lookup)
        applicants = [applicant] if applicant is not None else []
    draft = AppealDraft(
        body=prepared.body,
        channel=item.channel,
        text=parsed.text,
        applicants=applicants,
        received_at=item.received_at,
        kind=parsed.kind,
        summary=parsed.summary,
        addressee=parsed.addressee,
        questions=questions,
        attachments=prepared.files,
        external_source=item.channel,
        external_id=item.source_id,
    )
    return draft, actor


def _register_together(batch: list[_Prepared]) -> dict[int, Appeal | Exception]:
    """Applicants of the batch one by one (each sees the cards made before it in the batch, so a
    person writing twice gets one card), then one `appeals_register` call for the batch.

    Runs in one savepoint; if any item fails there, the savepoint is rolled back — its new
    cards with it — and the caller registers the items one by one.

    Workers register one batch at a time (the «registration» lock, held to the commit): a
    worker recognises applicants only after the previous batch's new cards are committed, so
    two workers never make two cards of one person, and the numbering counter and the cards
    are never locked in opposite orders (no deadlocks). Reading and checking the items
    (`_prepare`) happens before, in parallel."""
    outcomes: dict[int, Appeal | Exception] = {}
    transaction_lock("registration")
    with transaction.atomic():
        drafts: list[AppealDraft] = []
        actors: set[int | None] = set()
        actor: User | None = None
        # The applicants' lookups share their reads; each still sees the cards made before it.
        lookup = BatchLookup(_query(p) for p in batch if p.parsed.operator is None)
        for prepared in batch:
            draft, actor = _draft(prepared, lookup)
            drafts.append(draft)
            actors.add(actor.pk if actor is not None else None)
        if len(actors) > 1:  # only a batch of one carries an operator (see `_single_content_types`)
            raise ValueError("a registration batch mixes operators")
        results = appeals_register(drafts, actor=actor)
        for prepared, result in zip(batch, results, strict=True):
            outcomes[prepared.item.pk] = result.appeal if isinstance(result, AlreadyRegistered) else result
        if any(isinstance(o, Exception) for o in outcomes.values()):
            raise _BatchFailed(outcomes)
        from intake.acknowledgement import acknowledgement_queue

        for prepared in batch:
            appeal = cast(Appeal, outcomes[prepared.item.pk])
            acknowledgement_queue(item=prepared.item, appeal=appeal, parsed=prepared.parsed)
            _acknowledge(prepared.item, appeal)
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


def _item_state(item_id: int) -> IncomingItem:
    """The item with its status and content type read (the rest loads on access): one plain
    statement, since every task of the queue starts with it."""
    table = connection.ops.quote_name(IncomingItem._meta.db_table)
    for item in IncomingItem.objects.raw(
        f"SELECT id, status, content_type FROM {table} WHERE id = %s",  # noqa: S608
        [item_id],
    ):
        return item
    raise IncomingItem.DoesNotExist(f"no incoming item {item_id}")


def items_register(*, item_id: int, more: int = BATCH_SIZE - 1) -> list[IncomingItem]:
    """Register item `item_id` and up to `more` other items waiting in the queue, together.

    The given item is locked (a second task for it waits, then finds it registered); the others
    are taken with SKIP LOCKED, so two workers take different batches. Each item's outcome is
    its own: registered, or failed with the reason — never registered twice, never half. The
    items, the given one first."""
    # Most tasks of a busy queue find their item registered by an earlier task's batch: one
    # read, no transaction. (A concurrent registration is caught under the lock below.)
    item = _item_state(item_id)
    if item.status in FINAL_STATUSES:
        return [item]
    try:
        # Network work (files a payload points to) happens before the row is locked.
        fetched = _fetch(item)
        with transaction.atomic():
            return _items_register(item_id, more, fetched)
    except IncomingItem.DoesNotExist:
        raise
    except Exception as exc:  # the whole batch was rolled back: keep the reason on the given item
        logger.warning("incoming item %s not registered: %s", item_id, type(exc).__name__)
        _mark_failed(item_id, exc)
        return [IncomingItem.objects.get(pk=item_id)]


def _single_content_types() -> list[str]:
    """Items registered only by a task (or a request) of their own: operator entry (registered by
    the operator who took it down), paper scans (after the operator's check) and payloads that
    point to files fetched over the network before the transaction."""
    return [OPERATOR_CONTENT_TYPE, *SCAN_CONTENT_TYPES, *FETCHERS]


def _items_register(item_id: int, more: int, fetched: Fetched | None) -> list[IncomingItem]:
    first = IncomingItem.objects.select_for_update(of=("self",)).select_related("body").get(pk=item_id)
    items = [first]
    if first.status in FINAL_STATUSES:
        return items
    single = _single_content_types()
    if more > 0 and first.content_type not in single:
        items += list(
            IncomingItem.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("body")
            .filter(status=ItemStatus.RECEIVED)
            .exclude(content_type__in=single)
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
            waiting.append(_prepare(item, bodies, fetched if item is first else None))
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
            _enqueue(item)
        else:
            logger.warning("incoming item %s not registered: %s", item.pk, type(outcome).__name__)
            item.status, item.error = ItemStatus.FAILED, _reason(outcome)
            item.save(update_fields=["status", "error", "attempts", "updated_at"])
    if done:
        # One statement for the batch: each item's appeal is the one registered under its own
        # (channel, source id), as every draft above was.
        IncomingItem.objects.filter(pk__in=[item.pk for item in done]).update(
            status=ItemStatus.REGISTERED,
            error="",
            attempts=F("attempts") + 1,
            updated_at=now,
            appeal=Subquery(
                Appeal.objects.filter(external_source=OuterRef("channel"), external_id=OuterRef("source_id"))
                .exclude(external_id="")  # the condition of the unique index it is looked up by
                .values("pk")[:1]
            ),
        )
    return items


def _registered_before(items: list[IncomingItem]) -> dict[tuple[str, str], Appeal]:
    """Appeals already registered for these items (a retry after a crash)."""
    return appeals_by_external((item.channel, item.source_id) for item in items)


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
                _enqueue(IncomingItem.objects.get(pk=item_id))
                return
    waiting.update(status=ItemStatus.FAILED, error=_reason(exc), attempts=F("attempts") + 1, updated_at=clock.now())


def _acknowledge(item: IncomingItem, appeal: Appeal) -> None:
    """Messenger channels tell the sender the registration number (through the outbox, so a
    failed delivery is retried and shown to staff); the others are answered by letters."""
    from intake.messengers import acknowledgement

    message = acknowledgement(item, appeal)
    if message is None:
        return
    from delivery.services import outbox_enqueue

    channel, address, text = message
    try:
        with transaction.atomic():
            outbox_enqueue(
                appeal=appeal,
                applicant=appeal.applicants.order_by("pk").first(),
                kind="intake:registered",
                subject=f"Обращение зарегистрировано: № {appeal.number}",
                text=text,
                channel=channel,
                address=address,
                reference=f"intake:{item.pk}",
            )
    except ValidationError:
        # Registration stands even when the notice cannot be queued (the item page shows it).
        logger.warning("incoming item %s: registration notice not queued", item.pk)


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
    _enqueue(item)
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
    items = list(
        IncomingItem.objects.filter(status=ItemStatus.RECEIVED, updated_at__lt=clock.now() - older_than).only(
            "pk", "content_type", "checked"
        )[:1000]
    )
    with transaction.atomic():
        for item in items:
            _enqueue(item)
    return len(items)


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
