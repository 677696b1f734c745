"""A batch's shared lookup answers every query exactly as a lookup of its own would, also after
cards were made or changed earlier in the same batch."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.matching import MatchQuery, match
from people.matching.lookup import BatchLookup
from people.models import Applicant
from people.services import ContactInput, applicant_create, applicant_resolve

SURNAMES = ["Иванов", "Петров", "Смирнов"]
NAMES = ["Александр", "Сергей", "Андрей"]
PATRONYMICS = ["Александрович", "Сергеевич"]


def _queries(seed: int, n: int) -> list[MatchQuery]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        contacts = {}
        if rng.random() < 0.8:
            contacts["emails"] = (f"p{rng.randrange(12)}@example.org",)
        if rng.random() < 0.3:
            contacts["phones"] = (f"+7 912 000-00-{rng.randrange(10):02d}",)
        first = rng.choice(NAMES)
        out.append(
            MatchQuery(
                surname=rng.choice(SURNAMES),
                first_name=first if rng.random() < 0.8 else first[0] + ".",
                patronymic=rng.choice(PATRONYMICS) if rng.random() < 0.7 else "",
                **contacts,
            )
        )
    return out


def _outline(result):  # type: ignore[no-untyped-def]
    return (result.decision, [(c.applicant.pk, round(c.weight, 6), round(c.probability, 6)) for c in result.candidates])


@pytest.mark.django_db
def test_same_answers_as_one_lookup_each() -> None:
    for q in _queries(1, 25):
        applicant_resolve(query=q)
    queries = _queries(2, 40)
    lookup = BatchLookup(queries)
    for q in queries:
        assert _outline(lookup.match(q)) == _outline(match(q))


@pytest.mark.django_db
def test_cards_made_and_changed_in_the_batch_are_seen() -> None:
    for q in _queries(3, 10):
        applicant_resolve(query=q)
    queries = _queries(4, 60)
    lookup = BatchLookup(queries)
    cards_before = Applicant.objects.count()
    for q in queries:
        # What the database answers now (the batch's earlier cards included) is what the shared
        # lookup answers; resolving then makes, or teaches, cards for the next queries.
        assert _outline(lookup.match(q)) == _outline(match(q))
        applicant_resolve(query=q, lookup=lookup)
    assert Applicant.objects.count() > cards_before  # new people were met in the batch


@pytest.mark.django_db
def test_the_batch_reads_once() -> None:
    for q in _queries(5, 20):
        applicant_resolve(query=q)
    queries = _queries(6, 30)
    with CaptureQueriesContext(connection) as shared:
        lookup = BatchLookup(queries)
        for q in queries:
            lookup.match(q)
    with CaptureQueriesContext(connection) as alone:
        for q in queries:
            match(q)
    # Keys, profiles, name frequencies, registry size: read once; the cards shown with proposals
    # are read when first shown, each once.
    card_reads = [q for q in shared.captured_queries if '"surname"' in q["sql"]]
    assert len(shared) - len(card_reads) == 4
    shown = {c.applicant.pk for q in queries for c in match(q).candidates}
    assert len(card_reads) <= len(shown) and len(shared) < len(alone) / 3


@pytest.mark.django_db
def test_a_query_it_was_not_made_with_is_looked_up_alone() -> None:
    card = applicant_create(surname="Орлова", first_name="Ольга", contacts=[ContactInput("email", "olga@example.org")])
    lookup = BatchLookup(_queries(7, 5))
    result = lookup.match(MatchQuery(surname="Орлова", first_name="Ольга", emails=("olga@example.org",)))
    assert result.best is not None and result.best.applicant.pk == card.pk
