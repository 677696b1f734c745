"""The match profile: everything matching compares about an applicant, in normal forms.

A profile is built from what an operator or a channel knows about a person (`MatchQuery`)
or from a stored card (`Applicant` with its contacts), and is kept on the card as JSON
(`Applicant.match_profile`) so that scoring a candidate needs no morphology and no extra query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from people.names import NameKey, PersonName, name_key, normalize_person_name, parse_full_name
from people.normalize import (
    normalize_address,
    normalize_email,
    normalize_gosuslugi_id,
    normalize_inn,
    normalize_phone,
    organisation_key,
)

PERSON = "person"
ORGANISATION = "organisation"


@dataclass(frozen=True)
class MatchQuery:
    """What is known about an applicant at the door: the form's fields or a channel's data.

    A letter's signature can be given whole in `full_name`; the separate parts win when set."""

    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    full_name: str = ""
    gosuslugi_id: str = ""
    phones: Sequence[str] = ()
    emails: Sequence[str] = ()
    postal_addresses: Sequence[str] = ()
    kind: str = PERSON
    organisation_name: str = ""
    inn: str = ""

    def person_name(self) -> PersonName:
        if self.surname.strip() or self.first_name.strip() or self.patronymic.strip():
            return normalize_person_name(self.surname, self.first_name, self.patronymic)
        if self.full_name.strip():
            return parse_full_name(self.full_name)
        return PersonName()


@dataclass(frozen=True)
class MatchRecord:
    """Normal forms of one applicant's identifying data."""

    kind: str = PERSON
    name: NameKey = field(default_factory=NameKey)
    organisation: str = ""
    gosuslugi: str = ""
    inn: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def has_identity(self) -> bool:
        """Whether there is anything to match on at all."""
        return bool(
            not self.name.is_empty
            or self.organisation
            or self.gosuslugi
            or self.inn
            or self.phones
            or self.emails
            or self.addresses
        )

    def to_json(self) -> dict[str, Any]:
        n = self.name
        data: dict[str, Any] = {
            "k": self.kind,
            "s": n.surname,
            "f": n.first,
            "fi": n.first_initial,
            "p": n.patronymic,
            "pi": n.patronymic_initial,
            "g": n.gender,
            "o": self.organisation,
            "gu": self.gosuslugi,
            "inn": self.inn,
            "ph": list(self.phones),
            "em": list(self.emails),
            "ad": list(self.addresses),
        }
        return {k: v for k, v in data.items() if v}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MatchRecord:
        return cls(
            kind=data.get("k", PERSON),
            name=NameKey(
                surname=data.get("s", ""),
                first=data.get("f", ""),
                first_initial=data.get("fi", ""),
                patronymic=data.get("p", ""),
                patronymic_initial=data.get("pi", ""),
                gender=data.get("g", ""),
            ),
            organisation=data.get("o", ""),
            gosuslugi=data.get("gu", ""),
            inn=data.get("inn", ""),
            phones=tuple(data.get("ph", ())),
            emails=tuple(data.get("em", ())),
            addresses=tuple(data.get("ad", ())),
        )

    def enriched_with(self, other: MatchRecord) -> MatchRecord:
        """This card after a record of the same person joined it: new contacts are added, a missing
        or abbreviated name part is filled in; nothing the card already knows is overwritten."""
        n, o = self.name, other.name
        name = n
        if o.surname and not n.surname:
            name = replace(name, surname=o.surname)
        if o.first and not n.first and (not n.first_initial or n.first_initial == o.first_initial):
            name = replace(name, first=o.first, first_initial=o.first_initial)
        if (
            o.patronymic
            and not n.patronymic
            and (not n.patronymic_initial or n.patronymic_initial == o.patronymic_initial)
        ):
            name = replace(name, patronymic=o.patronymic, patronymic_initial=o.patronymic_initial)
        if o.gender and not n.gender:
            name = replace(name, gender=o.gender)
        return replace(
            self,
            name=name,
            organisation=self.organisation or other.organisation,
            gosuslugi=self.gosuslugi or other.gosuslugi,
            inn=self.inn or other.inn,
            phones=_union(self.phones, other.phones),
            emails=_union(self.emails, other.emails),
            addresses=_union(self.addresses, other.addresses),
        )


def _union(a: Iterable[str], b: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*a, *b]))


def _clean(values: Iterable[str], normalizer: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (normalizer(x) for x in values if x and x.strip()) if v))


def record_from_query(query: MatchQuery) -> MatchRecord:
    """The profile of what an operator or a channel knows."""
    if query.kind == ORGANISATION:
        name = NameKey()
        organisation = organisation_key(query.organisation_name)
    else:
        name = name_key(query.person_name())
        organisation = ""
    return MatchRecord(
        kind=ORGANISATION if query.kind == ORGANISATION else PERSON,
        name=name,
        organisation=organisation,
        gosuslugi=normalize_gosuslugi_id(query.gosuslugi_id),
        inn=normalize_inn(query.inn),
        phones=_clean(query.phones, normalize_phone),
        emails=_clean(query.emails, normalize_email),
        addresses=_clean(query.postal_addresses, normalize_address),
    )


def record_from_values(
    *,
    kind: str,
    surname: str,
    first_name: str,
    patronymic: str,
    gender: str,
    organisation_name: str,
    gosuslugi_id: str,
    inn: str,
    contacts: Iterable[tuple[str, str]],
) -> MatchRecord:
    """The profile of a stored card; `contacts` are (kind, normalized value) pairs."""
    by_kind: dict[str, list[str]] = {"phone": [], "email": [], "postal": []}
    for contact_kind, normalized in contacts:
        if contact_kind in by_kind and normalized:
            by_kind[contact_kind].append(normalized)
    if kind == ORGANISATION:
        name = NameKey()
    else:
        name = name_key(PersonName(surname=surname, first_name=first_name, patronymic=patronymic, gender=gender))
        if gender and not name.gender:
            name = replace(name, gender=gender)
    return MatchRecord(
        kind=kind,
        name=name,
        organisation=organisation_key(organisation_name) if kind == ORGANISATION else "",
        gosuslugi=normalize_gosuslugi_id(gosuslugi_id),
        inn=normalize_inn(inn),
        phones=tuple(dict.fromkeys(by_kind["phone"])),
        emails=tuple(dict.fromkeys(by_kind["email"])),
        addresses=tuple(dict.fromkeys(by_kind["postal"])),
    )
