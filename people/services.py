"""Writes to applicants: create, update, contacts, personal-data access log."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from people.choices import ApplicantKind, ContactKind, DataAccessAction
from people.models import Applicant, Contact, PersonalDataAccess
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
) -> Applicant:
    """Create an applicant card with validated contacts."""
    if kind == ApplicantKind.ORGANISATION and not organisation_name.strip():
        raise ValidationError("Укажите наименование организации.")
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
    applicant.full_clean()
    applicant.save()
    contacts_add(applicant=applicant, contacts=contacts)
    return applicant


@transaction.atomic
def contacts_add(*, applicant: Applicant, contacts: Iterable[ContactInput]) -> list[Contact]:
    """Add contacts that the card does not have yet; the first of a kind becomes primary."""
    added: list[Contact] = []
    for item in contacts:
        value = _validate_contact(item.kind, item.value)
        normalized = normalize_contact(item.kind, value)
        if applicant.contacts.filter(kind=item.kind, normalized=normalized).exists():
            continue
        is_primary = not applicant.contacts.filter(kind=item.kind).exists()
        added.append(Contact.objects.create(applicant=applicant, kind=item.kind, value=value, is_primary=is_primary))
    return added


def personal_data_accessed(
    *, user: User, applicants: Iterable[Applicant], action: str = DataAccessAction.VIEW, context: str = ""
) -> None:
    """Log that a staff member saw or exported these applicants' personal data."""
    rows = [
        PersonalDataAccess(applicant=a, user=user, action=action, context=context[:200])
        for a in {a.pk: a for a in applicants}.values()
    ]
    PersonalDataAccess.objects.bulk_create(rows, batch_size=1000)
