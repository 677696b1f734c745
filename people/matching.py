"""Finding an applicant who is already in the registry.

This is the exact-match layer: Gosuslugi id, normalised phone or e-mail, or the same full
name with the same postal address. Fuzzy, probabilistic matching builds on the same
`find_candidates` signature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from people.choices import ContactKind
from people.models import Applicant, Contact
from people.normalize import normalize_contact, search_key


@dataclass(frozen=True)
class MatchQuery:
    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    gosuslugi_id: str = ""
    phones: Sequence[str] = ()
    emails: Sequence[str] = ()
    postal_addresses: Sequence[str] = ()


@dataclass
class Candidate:
    applicant: Applicant
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


# Evidence weights: identifiers that belong to one person weigh most.
WEIGHTS = {"gosuslugi": 1.0, "phone": 0.6, "email": 0.6, "name": 0.3, "postal": 0.3}


def find_candidates(query: MatchQuery, *, limit: int = 5) -> list[Candidate]:
    """Existing (not merged) applicants that share an identifier or name with the query."""
    found: dict[int, Candidate] = {}
    reasons: dict[int, set[str]] = defaultdict(set)

    def add(applicant: Applicant, reason: str) -> None:
        cand = found.setdefault(applicant.pk, Candidate(applicant))
        if reason not in reasons[applicant.pk]:
            reasons[applicant.pk].add(reason)
            cand.score += WEIGHTS[reason]
            cand.reasons.append(reason)

    live = Applicant.objects.filter(merged_into__isnull=True)
    if query.gosuslugi_id.strip():
        for a in live.filter(gosuslugi_id=query.gosuslugi_id.strip()):
            add(a, "gosuslugi")
    contact_q = Q(pk__in=[])
    for kind, values in ((ContactKind.PHONE, query.phones), (ContactKind.EMAIL, query.emails)):
        normalized = [normalize_contact(kind, v) for v in values if v.strip()]
        if normalized:
            contact_q |= Q(kind=kind, normalized__in=normalized)
    for contact in Contact.objects.filter(contact_q, applicant__merged_into__isnull=True).select_related("applicant"):
        add(contact.applicant, str(contact.kind))
    name = search_key(query.surname, query.first_name, query.patronymic)
    if query.surname.strip() and query.first_name.strip():
        same_name = list(live.filter(search_name=name)[:50])
        for a in same_name:
            add(a, "name")
        postal = [normalize_contact(ContactKind.POSTAL, v) for v in query.postal_addresses if v.strip()]
        if postal and same_name:
            for c in Contact.objects.filter(
                applicant__in=same_name, kind=ContactKind.POSTAL, normalized__in=postal
            ).select_related("applicant"):
                add(c.applicant, "postal")
    ranked = sorted(found.values(), key=lambda c: (-c.score, c.applicant.pk))
    return ranked[:limit]


REASON_LABELS = {
    "gosuslugi": "совпадает ID Госуслуг",
    "phone": "совпадает телефон",
    "email": "совпадает e-mail",
    "name": "совпадает ФИО",
    "postal": "совпадает почтовый адрес",
}
