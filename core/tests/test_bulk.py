"""`insert_rows` writes what `bulk_create` would: every field prepared as a save prepares it."""

import datetime as dt

import pytest
from django.utils import timezone

from core.bulk import insert_rows
from people.choices import SuspicionSource, SuspicionStatus
from people.models import DuplicateSuspicion
from tests.factories import ApplicantFactory


@pytest.mark.django_db
def test_rows_come_back_as_bulk_create_would_store_them() -> None:
    a, b, c = ApplicantFactory(), ApplicantFactory(), ApplicantFactory()
    before = timezone.now()
    evidence = [{"field": "email", "level": "exact", "weight": 7.5}, {"field": "name", "level": "ёж", "weight": -1}]
    insert_rows(
        DuplicateSuspicion,
        [
            # `first` assigned as an instance, `second` by id: both reach the row.
            DuplicateSuspicion(first=a, second_id=b.pk, weight=3.25, probability=0.9, evidence=evidence, source="x"),
            DuplicateSuspicion(first=a, second=c, weight=-1.0, probability=0.1, source=SuspicionSource.REGISTRATION),
        ],
    )
    rows = list(DuplicateSuspicion.objects.order_by("pk"))
    assert [(r.first_id, r.second_id, r.weight, r.probability) for r in rows] == [
        (a.pk, b.pk, 3.25, 0.9),
        (a.pk, c.pk, -1.0, 0.1),
    ]
    assert rows[0].evidence == evidence and rows[1].evidence == []  # JSON as given, the default otherwise
    assert all(r.status == SuspicionStatus.PENDING and r.decided_at is None for r in rows)
    # a choice given as its enum member is stored as its value
    assert DuplicateSuspicion.objects.filter(source="registration").count() == 1
    # auto_now_add is filled in, as an aware moment of the insert
    assert all(before <= r.created_at <= timezone.now() + dt.timedelta(seconds=1) for r in rows)


@pytest.mark.django_db
def test_nothing_to_insert_sends_nothing(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        insert_rows(DuplicateSuspicion, [])
