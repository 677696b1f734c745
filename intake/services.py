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
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from appeals.choices import Channel, QuestionType
from appeals.models import Appeal
from appeals.services import AlreadyRegistered, QuestionDraft, appeal_register
from classification.models import ClassifierEntry
from core import clock
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


def _fetch(item_id: int) -> Fetched | None:
    item = IncomingItem.objects.filter(pk=item_id).first()
    if item is None or item.content_type not in FETCHERS or item.status in FINAL_STATUSES:
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


def _applicant_for(parsed: Parsed, query: MatchQuery) -> Applicant | None:
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
            query=query, consent_personal_data=parsed.consent_personal_data, ask_operator=False
        )
        applicant, contacts = resolution.applicant, []
    if applicant is not None:
        contacts += [ContactInput(kind, value) for kind, value in parsed.messengers]
        if contacts:
            contacts_add(applicant=applicant, contacts=contacts)
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


def _register(item: IncomingItem, fetched: Fetched | None = None) -> tuple[Appeal, Parsed | None]:
    """The item's appeal, and what was parsed when this call registered it (None when an appeal
    with the item's source id already existed)."""
    existing = Appeal.objects.filter(external_source=item.channel, external_id=item.source_id).first()
    if existing is not None:
        return existing, None
    parsed = _parsed(item)
    files = check_attachments([*parsed.attachments, *(fetched.attachments if fetched else [])])
    body = _body_for(item)
    actor: User | None = None
    questions: list[QuestionDraft] = []
    applicants: list[Applicant] = []
    if parsed.operator is not None:
        actor = User.objects.filter(pk=parsed.operator.user_id, is_active=True).first()
        if actor is None:
            raise ValidationError("Сотрудник, принявший обращение, не найден или отключён.")
        applicants = _operator_applicants(parsed, parsed.operator, actor)
        questions = _operator_questions(parsed, parsed.operator)
    else:
        query = fetched.applicant if fetched is not None and fetched.applicant is not None else parsed.applicant
        applicant = _applicant_for(parsed, query)
        applicants = [applicant] if applicant is not None else []
    try:
        appeal = appeal_register(
            body=body,
            actor=actor,
            channel=item.channel,
            text=parsed.text,
            applicants=applicants,
            received_at=item.received_at,
            kind=parsed.kind,
            summary=parsed.summary,
            addressee=parsed.addressee,
            questions=questions,
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
        # Network work (files a payload points to) happens before the row is locked.
        fetched = _fetch(item_id)
        with transaction.atomic():
            item = IncomingItem.objects.select_for_update(of=("self",)).get(pk=item_id)
            if item.status in FINAL_STATUSES:
                return item
            appeal, parsed = _register(item, fetched)
            if parsed is not None:
                from intake.acknowledgement import acknowledgement_queue

                acknowledgement_queue(item=item, appeal=appeal, parsed=parsed)
            item.status = ItemStatus.REGISTERED
            item.appeal = appeal
            item.error = ""
            item.attempts += 1
            item.save(update_fields=["status", "appeal", "error", "attempts", "updated_at"])
            _acknowledge(item, appeal)
            return item
    except IncomingItem.DoesNotExist:
        raise
    except Exception as exc:  # every failure is kept on the item for an operator
        logger.warning("incoming item %s not registered: %s", item_id, type(exc).__name__)
        IncomingItem.objects.filter(pk=item_id).exclude(
            status__in=[ItemStatus.REGISTERED, ItemStatus.DISPOSITIONED]
        ).update(status=ItemStatus.FAILED, error=_reason(exc), attempts=F("attempts") + 1, updated_at=clock.now())
        return IncomingItem.objects.get(pk=item_id)


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
