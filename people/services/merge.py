"""Merging duplicate cards into one, field by field, and undoing a merge.

A merge keeps every absorbed card (pointing at the survivor through `merged_into`), moves their
contacts and signatures to the survivor and records a snapshot of all cards before the merge in
`ApplicantMerge`, from which `applicant_merge_undo` puts everything back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from appeals.models import Appeal, AppealApplicant
from org.selectors import actor_for
from people import rules
from people.choices import DataAccessAction, SuspicionStatus
from people.index import applicant_changed, index_deferred
from people.models import Applicant, ApplicantMerge, Contact, DuplicateSuspicion
from people.services.applicants import personal_data_accessed

# The card fields an operator chooses between, in the order the merge page shows them.
MERGE_FIELDS = (
    "surname",
    "first_name",
    "patronymic",
    "gender",
    "organisation_name",
    "inn",
    "gosuslugi_id",
)
_SNAPSHOT_FIELDS = (
    *MERGE_FIELDS,
    "consent_personal_data",
    "consent_personal_data_at",
    "consent_notifications",
    "note",
)


def _card_state(card: Applicant) -> dict[str, Any]:
    state = {name: getattr(card, name) for name in _SNAPSHOT_FIELDS}
    at = state["consent_personal_data_at"]
    state["consent_personal_data_at"] = at.isoformat() if at else None
    state["merged_into"] = card.merged_into_id
    return state


def _restore_card(card: Applicant, state: Mapping[str, Any]) -> None:
    from django.utils.dateparse import parse_datetime

    for name in _SNAPSHOT_FIELDS:
        value = state[name]
        if name == "consent_personal_data_at" and value:
            value = parse_datetime(value)
        setattr(card, name, value)


def _default_values(target: Applicant, others: Sequence[Applicant]) -> dict[str, Any]:
    """What the surviving card keeps unless the operator chose otherwise: its own value, or the
    first non-empty one of the other cards."""
    values: dict[str, Any] = {}
    for name in MERGE_FIELDS:
        value = getattr(target, name)
        if not value:
            value = next((getattr(o, name) for o in others if getattr(o, name)), value)
        values[name] = value
    return values


def _chosen_values(target: Applicant, others: Sequence[Applicant], choices: Mapping[str, int] | None) -> dict[str, Any]:
    values = _default_values(target, others)
    cards = {c.pk: c for c in [target, *others]}
    for name, source in (choices or {}).items():
        if name not in MERGE_FIELDS:
            raise ValidationError(f"Поле «{name}» нельзя выбрать при объединении.")
        if source not in cards:
            raise ValidationError("Значение можно взять только из объединяемых карточек.")
        values[name] = getattr(cards[source], name)
    return values


def applicants_merge(
    *,
    target: Applicant,
    others: Sequence[Applicant],
    actor: User,
    choices: Mapping[str, int] | None = None,
    reason: str = "",
) -> ApplicantMerge:
    """Merge `others` into `target`: the chosen field values (`choices`: field → card id) go to
    the target, every contact and signature moves there, the other cards point at it. Audited;
    `applicant_merge_undo` reverses it."""
    with transaction.atomic(), index_deferred():
        return _merge(target=target, others=others, actor=actor, choices=choices, reason=reason)


def _merge(
    *,
    target: Applicant,
    others: Sequence[Applicant],
    actor: User,
    choices: Mapping[str, int] | None,
    reason: str,
) -> ApplicantMerge:
    if not rules.can_merge(actor_for(actor)):
        raise PermissionDenied("Объединять карточки может оператор или администратор.")
    other_ids = sorted({o.pk for o in others} - {target.pk})
    if not other_ids:
        raise ValidationError("Выберите хотя бы одну карточку, кроме итоговой.")
    locked = {a.pk: a for a in Applicant.objects.select_for_update().filter(pk__in=[target.pk, *other_ids])}
    if len(locked) != len(other_ids) + 1:
        raise ValidationError("Одна из карточек не найдена.")
    target = locked[target.pk]
    rest = [locked[i] for i in other_ids]
    cards = [target, *rest]
    if any(c.merged_into_id is not None for c in cards):
        raise ValidationError("Одна из карточек уже объединена с другой; откройте итоговую карточку.")
    if any(c.anonymised_at is not None for c in cards):
        raise ValidationError("Обезличенную карточку объединить нельзя.")
    if len({c.kind for c in cards}) > 1:
        raise ValidationError("Нельзя объединить карточку гражданина с карточкой организации.")
    values = _chosen_values(target, rest, choices)

    contacts = list(Contact.objects.filter(applicant_id__in=[c.pk for c in cards]).order_by("pk"))
    signatures = list(AppealApplicant.objects.filter(applicant_id__in=[c.pk for c in cards]).order_by("pk"))
    earlier = list(Applicant.objects.filter(merged_into_id__in=other_ids).values_list("pk", "merged_into_id"))
    in_set = Q(first_id__in=[c.pk for c in cards]) & Q(second_id__in=[c.pk for c in cards])
    settled = list(
        DuplicateSuspicion.objects.filter(in_set, status=SuspicionStatus.PENDING).values_list("pk", flat=True)
    )
    snapshot = {
        "cards": {str(c.pk): _card_state(c) for c in cards},
        "contacts": [
            {"id": c.pk, "applicant": c.applicant_id, "kind": c.kind, "value": c.value, "is_primary": c.is_primary}
            for c in contacts
        ],
        "signatures": [
            {
                "id": s.pk,
                "appeal": s.appeal_id,
                "applicant": s.applicant_id,
                "is_primary": s.is_primary,
                "position": s.position,
            }
            for s in signatures
        ],
        "earlier_merges": [[pk, into] for pk, into in earlier],
        "suspicions": settled,
    }

    # The absorbed cards leave the live registry first: the Gosuslugi id may then move to the target.
    now = timezone.now()
    Applicant.objects.filter(pk__in=other_ids).update(merged_into=target, updated_at=now)
    Applicant.objects.filter(merged_into_id__in=other_ids).update(merged_into=target, updated_at=now)
    for card in rest:
        card.merged_into_id = target.pk
    for name, value in values.items():
        setattr(target, name, value)
    consenting = [c for c in cards if c.consent_personal_data]
    if consenting and not target.consent_personal_data:
        target.consent_personal_data = True
        target.consent_personal_data_at = min(
            (c.consent_personal_data_at for c in consenting if c.consent_personal_data_at), default=now
        )
    target.consent_notifications = any(c.consent_notifications for c in cards)
    notes = [c.note.strip() for c in cards if c.note.strip()]
    target.note = "\n".join(dict.fromkeys(notes))
    try:
        target.full_clean(validate_constraints=False)
        target.save()
    except IntegrityError:
        raise ValidationError("Этот ID Госуслуг уже у другой карточки.") from None

    owned = {(c.kind, c.normalized) for c in contacts if c.applicant_id == target.pk}
    primary_kinds = {c.kind for c in contacts if c.applicant_id == target.pk and c.is_primary}
    for contact in contacts:
        if contact.applicant_id == target.pk:
            continue
        if (contact.kind, contact.normalized) in owned:
            contact.delete()
            continue
        owned.add((contact.kind, contact.normalized))
        contact.applicant = target
        contact.is_primary = contact.kind not in primary_kinds
        primary_kinds.add(contact.kind)
        contact.save(update_fields=["applicant", "is_primary", "updated_at"])

    signed = {s.appeal_id for s in signatures if s.applicant_id == target.pk}
    for signature in signatures:
        if signature.applicant_id == target.pk:
            continue
        if signature.appeal_id in signed:
            signature.delete()  # both cards signed one appeal: it is one signatory now
            continue
        signed.add(signature.appeal_id)
        signature.applicant = target
        signature.save(update_fields=["applicant"])

    DuplicateSuspicion.objects.filter(pk__in=settled).update(
        status=SuspicionStatus.MERGED, decided_at=now, decided_by=actor
    )
    for card in cards:
        applicant_changed(card)
    merge = ApplicantMerge.objects.create(target=target, actor=actor, snapshot=snapshot, reason=reason[:300])
    _refresh_appeals(
        {s.appeal_id for s in signatures},
        actor=actor,
        note=f"Карточки заявителей объединены (объединение № {merge.pk}): подписавшие обращение сверены.",
    )
    merge.merged.set(rest)
    personal_data_accessed(user=actor, applicants=cards, action=DataAccessAction.EDIT, context="объединение карточек")
    return merge


def _refresh_appeals(appeal_ids: set[int], *, actor: User, note: str) -> None:
    from appeals.services import appeal_signatories_changed

    for appeal in Appeal.objects.filter(pk__in=appeal_ids):
        appeal_signatories_changed(appeal=appeal, actor=actor, note=note)


def applicant_merge_undo(*, merge: ApplicantMerge, actor: User) -> None:
    """Put the cards of a merge back as they were: fields, contacts, signatures. What was added to
    the surviving card after the merge (new appeals, new contacts) stays with it."""
    with transaction.atomic(), index_deferred():
        _undo(merge=merge, actor=actor)


def _undo(*, merge: ApplicantMerge, actor: User) -> None:
    if not rules.can_merge(actor_for(actor)):
        raise PermissionDenied("Отменять объединение может оператор или администратор.")
    merge = ApplicantMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.is_undone:
        raise ValidationError("Это объединение уже отменено.")
    snapshot = merge.snapshot
    if not snapshot:
        raise ValidationError("Данные карточек до объединения удалены по сроку хранения: отменить нельзя.")
    ids = [int(pk) for pk in snapshot["cards"]]
    later = (
        ApplicantMerge.objects.filter(undone_at__isnull=True, at__gte=merge.at)
        .exclude(pk=merge.pk)
        .filter(Q(target_id__in=ids) | Q(merged__in=ids))
        .order_by("-at")
        .first()
    )
    if later is not None:
        raise ValidationError(f"Сначала отмените более позднее объединение № {later.pk} с этими карточками.")
    cards = {a.pk: a for a in Applicant.objects.select_for_update().filter(pk__in=ids)}
    if any(c.anonymised_at is not None for c in cards.values()):
        raise ValidationError("Одна из карточек обезличена: отменить объединение нельзя.")
    target = cards[merge.target_id]
    _restore_card(target, snapshot["cards"][str(target.pk)])
    target.save()
    try:
        with transaction.atomic():
            for pk, card in cards.items():
                if pk == target.pk:
                    continue
                _restore_card(card, snapshot["cards"][str(pk)])
                card.merged_into_id = snapshot["cards"][str(pk)]["merged_into"]
                card.save()
    except IntegrityError:
        raise ValidationError("ID Госуслуг одной из карточек уже занят другой карточкой: отменить нельзя.") from None
    for pk, into in snapshot["earlier_merges"]:
        Applicant.objects.filter(pk=pk, merged_into_id=target.pk).update(merged_into_id=into)

    existing = {c.pk: c for c in Contact.objects.filter(pk__in=[c["id"] for c in snapshot["contacts"]])}
    for item in snapshot["contacts"]:
        contact = existing.get(item["id"])
        if contact is None:
            Contact.objects.create(
                applicant_id=item["applicant"], kind=item["kind"], value=item["value"], is_primary=item["is_primary"]
            )
        elif (contact.applicant_id, contact.is_primary) != (item["applicant"], item["is_primary"]):
            Contact.objects.filter(pk=contact.pk).update(applicant_id=item["applicant"], is_primary=item["is_primary"])

    existing_signatures = {
        s.pk: s for s in AppealApplicant.objects.filter(pk__in=[s["id"] for s in snapshot["signatures"]])
    }
    for item in snapshot["signatures"]:
        signature = existing_signatures.get(item["id"])
        if signature is None:
            AppealApplicant.objects.create(
                appeal_id=item["appeal"],
                applicant_id=item["applicant"],
                is_primary=item["is_primary"],
                position=item["position"],
            )
        elif signature.applicant_id != item["applicant"]:
            AppealApplicant.objects.filter(pk=signature.pk).update(applicant_id=item["applicant"])

    DuplicateSuspicion.objects.filter(pk__in=snapshot["suspicions"]).update(
        status=SuspicionStatus.PENDING, decided_at=None, decided_by=None
    )
    for card in cards.values():
        card.refresh_from_db()
        applicant_changed(card)
    _refresh_appeals(
        {s["appeal"] for s in snapshot["signatures"]},
        actor=actor,
        note=f"Объединение карточек № {merge.pk} отменено: подписавшие обращение восстановлены.",
    )
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    personal_data_accessed(
        user=actor, applicants=list(cards.values()), action=DataAccessAction.EDIT, context="отмена объединения"
    )
