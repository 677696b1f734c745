"""Keeping a card's match profile and blocking keys in step with its data.

Like `search_name` and `Contact.normalized`, the match index is derived data: `Applicant.save()`
and `Contact.save()` / `delete()` refresh it, whatever path wrote the card (services, the admin,
an import). Services that change a card in several steps defer the refresh to the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from people.matching.record import MatchRecord
    from people.models import Applicant

_state = threading.local()


def _pending() -> dict[int, Applicant] | None:
    return getattr(_state, "pending", None)


@contextmanager
def index_deferred() -> Iterator[None]:
    """Refresh each touched card once, when the block ends (nested blocks join the outer one)."""
    if _pending() is not None:
        yield
        return
    _state.pending = {}
    try:
        yield
        touched = list(_state.pending.values())
    finally:
        _state.pending = None
    for applicant in touched:
        refresh_match_index(applicant)


def applicant_changed(applicant: Applicant) -> None:
    pending = _pending()
    if pending is not None:
        pending[applicant.pk] = applicant
    else:
        refresh_match_index(applicant)


def card_record(applicant: Applicant, contacts: Iterable[tuple[str, str]]) -> MatchRecord:
    """The match profile of a card's fields and its (kind, normalized value) contacts."""
    from people.matching.record import record_from_values

    return record_from_values(
        kind=applicant.kind,
        surname=applicant.surname,
        first_name=applicant.first_name,
        patronymic=applicant.patronymic,
        gender=applicant.gender,
        organisation_name=applicant.organisation_name,
        gosuslugi_id=applicant.gosuslugi_id,
        inn=applicant.inn,
        contacts=contacts,
    )


def refresh_match_index(applicant: Applicant) -> MatchRecord:
    """Recompute the card's profile and keys; merged and anonymised cards are not filed at all."""
    from people.matching.record import MatchRecord
    from people.models import Applicant, MatchKey

    MatchKey.objects.filter(applicant_id=applicant.pk).delete()
    if applicant.merged_into_id is not None or applicant.anonymised_at is not None:
        Applicant.objects.filter(pk=applicant.pk).update(match_profile={})
        applicant.match_profile = {}
        return MatchRecord()
    record = card_record(applicant, applicant.contacts.values_list("kind", "normalized"))
    profile = record.to_json()
    Applicant.objects.filter(pk=applicant.pk).update(match_profile=profile)
    applicant.match_profile = profile
    _file_keys(applicant, record)
    return record


def new_card_filed(applicant: Applicant, record: MatchRecord) -> None:
    """A card just inserted with `record` already as its profile (and all its contacts): its
    keys are written, and the refresh its insert asked for is dropped — nothing to re-read."""
    pending = _pending()
    if pending is not None:
        pending.pop(applicant.pk, None)
    _file_keys(applicant, record)


def _file_keys(applicant: Applicant, record: MatchRecord) -> None:
    from core.bulk import insert_rows
    from people.matching.keys import key_hash, stored_keys
    from people.models import MatchKey

    insert_rows(MatchKey, [MatchKey(applicant_id=applicant.pk, key=key_hash(k)) for k in sorted(stored_keys(record))])
