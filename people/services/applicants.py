"""Writes to applicant cards: create, contacts, recognition at the door, the match index,
the review queue, the personal-data log and retention."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from core.bulk import insert_rows
from org.selectors import actor_for
from people import rules
from people.choices import (
    ApplicantKind,
    ContactKind,
    DataAccessAction,
    MatchDecision,
    SuspicionSource,
    SuspicionStatus,
)
from people.index import applicant_changed, card_record, index_deferred, new_card_filed, refresh_match_index
from people.matching import Candidate, MatchQuery, match
from people.matching.lookup import TOTAL_KEY, BatchLookup
from people.matching.memory import frequency_keys
from people.matching.model import Score
from people.matching.record import MatchRecord
from people.models import (
    Applicant,
    ApplicantMerge,
    Contact,
    DedupRun,
    DuplicateSuspicion,
    NameFrequency,
    PersonalDataAccess,
)
from people.names import normalize_person_name
from people.normalize import normalize_contact, normalize_name_part, normalize_phone


@dataclass(frozen=True)
class ContactInput:
    kind: str
    value: str


def _validate_contact(kind: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationError("Пустой контакт.")
    if kind == ContactKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(f"Неверный адрес электронной почты: {value}") from None
    elif kind == ContactKind.PHONE:
        digits = normalize_phone(value)
        if not 8 <= len(digits) - 1 <= 15:
            raise ValidationError(f"Неверный номер телефона: {value}")
    elif kind not in ContactKind.values:
        raise ValidationError(f"Неизвестный вид контакта: {kind}")
    return value


def contact_validate(*, kind: str, value: str) -> str:
    """The contact as it will be stored, or `ValidationError` with the reason (a form checks
    its contacts before anything is stored)."""
    return _validate_contact(kind, value)


# --- the match index ---------------------------------------------------------------------


def applicant_reindex(*, applicant: Applicant) -> MatchRecord:
    """Recompute a card's match profile and blocking keys after its data changed."""
    return refresh_match_index(applicant)


def applicants_reindex(*, batch: int = 1000, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every card's profile and keys (after an import or a change of the normal forms)."""
    total = Applicant.objects.count()
    done = 0
    last = 0
    while True:
        chunk = list(Applicant.objects.filter(pk__gt=last).order_by("pk").prefetch_related("contacts")[:batch])
        if not chunk:
            break
        with transaction.atomic():
            for applicant in chunk:
                applicant_reindex(applicant=applicant)
        last = chunk[-1].pk
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    name_frequencies_rebuild()
    return done


@transaction.atomic
def name_frequencies_rebuild() -> int:
    """Recount how many live cards carry each name part (the registry's own name statistics)."""
    counts: Counter[str] = Counter()
    cards = 0
    live = Applicant.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
    for profile in live.values_list("match_profile", flat=True).iterator(chunk_size=5000):
        if profile:
            cards += 1
            counts.update(frequency_keys(MatchRecord.from_json(profile)))
    counts[TOTAL_KEY] = cards
    NameFrequency.objects.all().delete()
    NameFrequency.objects.bulk_create([NameFrequency(key=k, count=v) for k, v in counts.items()], batch_size=5000)
    return cards


# --- cards ---------------------------------------------------------------------------------


@transaction.atomic
def applicant_create(
    *,
    kind: str = ApplicantKind.PERSON,
    surname: str = "",
    first_name: str = "",
    patronymic: str = "",
    gender: str = "",
    organisation_name: str = "",
    inn: str = "",
    gosuslugi_id: str = "",
    consent_personal_data: bool = False,
    consent_notifications: bool = False,
    contacts: Sequence[ContactInput] = (),
    check_duplicates: bool = True,
    lookup: BatchLookup | None = None,
) -> Applicant:
    """Create an applicant card with validated contacts; the name is put in order («Пётр» typed as
    the surname, a whole name in one field). Cards that may be the same person go to the review queue."""
    if kind == ApplicantKind.ORGANISATION and not organisation_name.strip():
        raise ValidationError("Укажите наименование организации.")
    if kind == ApplicantKind.PERSON:
        name = normalize_person_name(surname, first_name, patronymic)
        surname, first_name, patronymic = name.surname, name.first_name, name.patronymic
        gender = gender or name.gender
    applicant = Applicant(
        kind=kind,
        surname=normalize_name_part(surname),
        first_name=normalize_name_part(first_name),
        patronymic=normalize_name_part(patronymic),
        gender=gender,
        organisation_name=" ".join(organisation_name.split()),
        inn=inn.strip(),
        gosuslugi_id=gosuslugi_id.strip(),
        consent_personal_data=consent_personal_data,
        consent_personal_data_at=timezone.now() if consent_personal_data else None,
        consent_notifications=consent_notifications,
    )
    if (
        applicant.gosuslugi_id
        and Applicant.objects.filter(gosuslugi_id=applicant.gosuslugi_id, merged_into__isnull=True).exists()
    ):
        raise ValidationError("Заявитель с таким ID Госуслуг уже есть в системе.")
    # The one constraint (a Gosuslugi id used once) is checked just above, without a query per card.
    applicant.full_clean(validate_constraints=False)
    # The card goes in with its profile and contacts at once (nothing to read back to index it).
    added = _new_contacts(applicant, contacts, known=set())
    record = card_record(applicant, [(c.kind, c.normalized) for c in added])
    applicant.match_profile = record.to_json()
    with index_deferred():
        applicant.save()
        for contact in added:
            contact.applicant = applicant
        insert_rows(Contact, added)
        new_card_filed(applicant, record)
    if lookup is not None:
        lookup.card_filed(applicant)
    if check_duplicates and record.has_identity:
        result = (lookup.match if lookup is not None else match)(record, exclude={applicant.pk})
        # A card made just now is in no pair yet: the pairs go in together, nothing to look up.
        insert_rows(
            DuplicateSuspicion,
            [
                _suspicion(applicant, candidate.applicant, candidate.score, source=SuspicionSource.REGISTRATION)
                for candidate in result.candidates
            ],
        )
    return applicant


def _contacts_add(
    applicant: Applicant, contacts: Iterable[ContactInput], *, known: set[tuple[str, str]] | None = None
) -> list[Contact]:
    """Validate and add the contacts the card does not have yet (`known`: its (kind, normalized)
    pairs when the caller knows them — an empty set for a card just made); one insert for all."""
    added = _new_contacts(applicant, contacts, known=known)
    if added:
        Contact.objects.bulk_create(added)
        applicant_changed(applicant)
    return added


def _new_contacts(
    applicant: Applicant, contacts: Iterable[ContactInput], *, known: set[tuple[str, str]] | None
) -> list[Contact]:
    """The validated contacts that are new to the card, not saved yet."""
    if known is None:
        known = set(applicant.contacts.values_list("kind", "normalized"))
    kinds = {kind for kind, _ in known}
    added: list[Contact] = []
    for item in contacts:
        value = _validate_contact(item.kind, item.value)
        normalized = normalize_contact(item.kind, value)
        if (item.kind, normalized) in known:
            continue
        added.append(
            Contact(
                applicant=applicant,
                kind=item.kind,
                value=value,
                normalized=normalized,
                is_primary=item.kind not in kinds,
            )
        )
        known.add((item.kind, normalized))
        kinds.add(item.kind)
    return added


@transaction.atomic
def contacts_add(*, applicant: Applicant, contacts: Iterable[ContactInput]) -> list[Contact]:
    """Add contacts that the card does not have yet; the first of a kind becomes primary."""
    with index_deferred():
        return _contacts_add(applicant, contacts)


# --- recognition at the door ---------------------------------------------------------------


@dataclass
class Resolution:
    """What `applicant_resolve` did: the card to use (none when the operator must choose first),
    the decision, and the cards it considered."""

    applicant: Applicant | None
    decision: str  # MatchDecision
    candidates: list[Candidate] = field(default_factory=list)
    created: bool = False


def _query_contacts(query: MatchQuery) -> list[ContactInput]:
    return [
        *(ContactInput(ContactKind.PHONE, v) for v in query.phones if v.strip()),
        *(ContactInput(ContactKind.EMAIL, v) for v in query.emails if v.strip()),
        *(ContactInput(ContactKind.POSTAL, v) for v in query.postal_addresses if v.strip()),
    ]


def _is_initial(value: str) -> bool:
    return len(value.rstrip(".")) <= 1


def _enrich(applicant: Applicant, query: MatchQuery, lookup: BatchLookup | None) -> None:
    """A recognised card learns what it lacked: new contacts, a patronymic, a full first name
    where only the initial was known, the Gosuslugi id. Nothing it knows is overwritten."""
    name = query.person_name()
    changed: list[str] = []
    for attr, value in (("first_name", name.first_name), ("patronymic", name.patronymic)):
        current = getattr(applicant, attr)
        if (
            value
            and not _is_initial(value)
            and (not current or (_is_initial(current) and current[:1].lower() == value[:1].lower()))
        ):
            setattr(applicant, attr, value)
            changed.append(attr)
    if not applicant.gender and name.gender:
        applicant.gender = name.gender
        changed.append("gender")
    gosuslugi = query.gosuslugi_id.strip()
    if (
        gosuslugi
        and not applicant.gosuslugi_id
        and not Applicant.objects.filter(gosuslugi_id=gosuslugi, merged_into__isnull=True).exists()
    ):
        applicant.gosuslugi_id = gosuslugi
        changed.append("gosuslugi_id")
    with index_deferred():
        if changed:
            applicant.save(update_fields=[*changed, "search_name", "updated_at"])
        # Saving the card and adding contacts re-index it; a card that learnt nothing keeps its index.
        added = _contacts_add(applicant, _query_contacts(query), known=_indexed_contacts(applicant))
    if lookup is not None and (changed or added):
        lookup.card_filed(applicant)


def _indexed_contacts(applicant: Applicant) -> set[tuple[str, str]] | None:
    """The card's phones, e-mails and postal addresses as its match profile holds them (kept in
    step with its contacts by `people.index`); None when it has no profile to read them from."""
    if not applicant.match_profile:
        return None
    record = MatchRecord.from_json(applicant.match_profile)
    return {
        *((ContactKind.PHONE.value, v) for v in record.phones),
        *((ContactKind.EMAIL.value, v) for v in record.emails),
        *((ContactKind.POSTAL.value, v) for v in record.addresses),
    }


def _locked_card(pk: int) -> Applicant:
    """The card, locked until the transaction ends. Most items of a channel come from people
    already known, so this runs for most of them: one plain statement instead of a compiled
    query (a third of the cost)."""
    table = connection.ops.quote_name(Applicant._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    for card in Applicant.objects.raw(f"SELECT * FROM {table} WHERE id = %s{lock}", [pk]):  # noqa: S608
        return card
    raise Applicant.DoesNotExist(f"no card {pk}")


@transaction.atomic
def applicant_resolve(
    *,
    query: MatchQuery,
    actor: User | None = None,
    gender: str = "",
    consent_personal_data: bool = False,
    consent_notifications: bool = False,
    ask_operator: bool = False,
    lookup: BatchLookup | None = None,
) -> Resolution:
    """Find or make the card for the person at the door (a channel's data or the operator's form).

    Above the upper threshold the known card is used and learns the new contacts; below the lower
    one a new card is made. In between, with `ask_operator` nothing is written and the proposals
    are returned for the operator to choose; otherwise (a channel, nobody to ask) a new card is
    made and the pair goes to the review queue. `lookup`: the batch's shared reads, when a
    registration batch recognises many applicants one after another."""
    gosuslugi = query.gosuslugi_id.strip()
    known = Applicant.objects.filter(gosuslugi_id=gosuslugi, merged_into__isnull=True).first() if gosuslugi else None
    if known is not None:
        # A Gosuslugi account is an authenticated identity: its card is this person's, whatever
        # the name says (a surname changes on marriage).
        applicant = _locked_card(known.pk)
        _enrich(applicant, query, lookup)
        return Resolution(applicant, MatchDecision.AUTO_LINK, [])
    result = lookup.match(query) if lookup is not None else match(query)
    if result.decision == MatchDecision.AUTO_LINK and result.best is not None:
        applicant = _locked_card(result.best.applicant.pk)
        _enrich(applicant, query, lookup)
        return Resolution(applicant, MatchDecision.AUTO_LINK, result.candidates)
    if result.decision == MatchDecision.PROPOSE and ask_operator:
        return Resolution(None, MatchDecision.PROPOSE, result.candidates)
    name = query.person_name()
    applicant = applicant_create(
        kind=query.kind,
        surname=name.surname,
        first_name=name.first_name,
        patronymic=name.patronymic,
        gender=gender or name.gender,
        organisation_name=query.organisation_name,
        inn=query.inn,
        gosuslugi_id=query.gosuslugi_id,
        consent_personal_data=consent_personal_data,
        consent_notifications=consent_notifications,
        contacts=_query_contacts(query),
        check_duplicates=result.decision == MatchDecision.PROPOSE,
        lookup=lookup,
    )
    return Resolution(applicant, result.decision, result.candidates, created=True)


# --- the review queue ------------------------------------------------------------------------


def _evidence_json(score: Score) -> list[dict[str, object]]:
    return [{"field": e.field, "level": e.level, "weight": round(e.weight, 2)} for e in score.evidence]


def _suspect(
    a: Applicant, b: Applicant, score: Score, *, source: str, run: DedupRun | None = None
) -> tuple[DuplicateSuspicion, bool]:
    """Put a pair on the review queue once (True when new); a pair called different stays so."""
    first, second = (a, b) if a.pk < b.pk else (b, a)
    existing = DuplicateSuspicion.objects.filter(first=first, second=second).first()
    if existing is not None:
        if existing.status == SuspicionStatus.PENDING:
            existing.weight, existing.probability = score.weight, score.probability
            existing.evidence = _evidence_json(score)
            existing.save(update_fields=["weight", "probability", "evidence"])
        return existing, False
    created = _suspicion(a, b, score, source=source, run=run)
    created.save()
    return created, True


def _suspicion(
    a: Applicant, b: Applicant, score: Score, *, source: str, run: DedupRun | None = None
) -> DuplicateSuspicion:
    """The pair as a new review-queue entry (unsaved), the older card first."""
    first, second = (a, b) if a.pk < b.pk else (b, a)
    return DuplicateSuspicion(
        first=first,
        second=second,
        weight=score.weight,
        probability=score.probability,
        evidence=_evidence_json(score),
        source=source,
        run=run,
    )


@transaction.atomic
def suspicion_dismiss(*, suspicion: DuplicateSuspicion, actor: User) -> None:
    """The operator looked: these are two different people. The pair is not proposed again."""
    if not rules.can_merge(actor_for(actor)):
        raise PermissionDenied("Решать по возможным дубликатам может оператор или администратор.")
    suspicion = DuplicateSuspicion.objects.select_for_update().get(pk=suspicion.pk)
    if suspicion.status != SuspicionStatus.PENDING:
        raise ValidationError("По этой паре уже принято решение.")
    suspicion.status = SuspicionStatus.DISMISSED
    suspicion.decided_at = timezone.now()
    suspicion.decided_by = actor
    suspicion.save(update_fields=["status", "decided_at", "decided_by"])


# --- personal data ---------------------------------------------------------------------------


def personal_data_accessed(
    *, user: User, applicants: Iterable[Applicant], action: str = DataAccessAction.VIEW, context: str = ""
) -> None:
    """Log that a staff member saw or exported these applicants' personal data."""
    rows = [
        PersonalDataAccess(applicant=a, user=user, action=action, context=context[:200])
        for a in {a.pk: a for a in applicants}.values()
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)


def stale_applicants(*, years: int, now: dt.datetime | None = None) -> Q:
    """Cards with no appeal registered in the last `years` years and older than that themselves."""
    from appeals.models import AppealApplicant

    cutoff = (now or timezone.now()) - dt.timedelta(days=round(365.25 * years))
    recent = AppealApplicant.objects.filter(applicant_id=OuterRef("pk"), appeal__registered_at__gte=cutoff)
    return Q(anonymised_at__isnull=True, created_at__lt=cutoff) & ~Q(Exists(recent))


@transaction.atomic
def applicant_anonymise(*, applicant: Applicant, now: dt.datetime | None = None) -> None:
    """Remove a card's personal data for good: names, identifiers, contacts, match keys, the
    snapshots of its merges and its place in the review queue. The card stays (appeals refer to it)."""
    from appeals.models import Appeal
    from appeals.services import refresh_search_document

    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    applicant.surname = applicant.first_name = applicant.patronymic = ""
    applicant.organisation_name = ""
    applicant.inn = applicant.gosuslugi_id = applicant.note = ""
    applicant.gender = ""
    applicant.consent_personal_data = applicant.consent_notifications = False
    applicant.consent_personal_data_at = None
    applicant.anonymised_at = now or timezone.now()
    with index_deferred():
        applicant.save()
        applicant.contacts.all().delete()
    DuplicateSuspicion.objects.filter(Q(first=applicant) | Q(second=applicant)).delete()
    for merge in ApplicantMerge.objects.filter(Q(target=applicant) | Q(merged=applicant)).distinct():
        # The snapshot holds the card's old data; without it the merge can no longer be undone.
        merge.snapshot = {}
        merge.save(update_fields=["snapshot"])
    for appeal in Appeal.objects.filter(signatories__applicant=applicant):
        refresh_search_document(appeal)


def applicants_anonymise_stale(*, years: int, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Anonymise every card without an appeal newer than `years` years; the number anonymised."""
    if years <= 0:
        return 0
    done = 0
    condition = stale_applicants(years=years, now=now)
    while True:
        ids = list(Applicant.objects.filter(condition).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        for applicant in Applicant.objects.filter(pk__in=ids):
            applicant_anonymise(applicant=applicant, now=now)
        done += len(ids)
