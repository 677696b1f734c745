"""Anonymising applicants with no appeal newer than the retention period."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal
from people.matching import MatchQuery, find_candidates
from people.models import Applicant, ApplicantMerge, DuplicateSuspicion, MatchKey
from people.services import ContactInput, applicant_create, applicants_anonymise_stale, applicants_merge
from people.tasks import anonymise_stale_applicants
from tests.factories import make_appeal

NOW = dt.datetime(2031, 6, 1, 12, 0, tzinfo=dt.UTC)


def old_card(surname: str, email: str) -> Applicant:
    card = applicant_create(surname=surname, first_name="Нина", contacts=[ContactInput("email", email)])
    Applicant.objects.filter(pk=card.pk).update(created_at=NOW - dt.timedelta(days=8 * 365))
    return card


@pytest.mark.django_db
def test_stale_applicants_are_anonymised_and_recent_ones_kept(cast) -> None:
    stale = old_card("Старова", "old@ya.ru")
    active = old_card("Новикова", "new@ya.ru")
    make_appeal(body=cast.body, applicants=[stale], registered_at=NOW - dt.timedelta(days=7 * 365))
    recent = make_appeal(body=cast.body, applicants=[active], registered_at=NOW - dt.timedelta(days=300))
    fresh = applicant_create(surname="Свежева", first_name="Ия")  # a new card without appeals is kept
    merge_partner = old_card("Старова", "old2@ya.ru")
    applicants_merge(target=stale, others=[merge_partner], actor=cast.operator.user)
    DuplicateSuspicion.objects.create(first=stale, second=active, weight=1, probability=0.6, source="batch")

    assert applicants_anonymise_stale(years=5, now=NOW) == 2  # the stale card and the card merged into it
    stale.refresh_from_db()
    assert stale.anonymised_at == NOW and stale.surname == "" and "обезличен" in stale.display_name
    assert not stale.contacts.exists() and not MatchKey.objects.filter(applicant=stale).exists()
    assert find_candidates(MatchQuery(emails=["old@ya.ru"])) == []
    assert "старова" not in Appeal.objects.get(signatories__applicant=stale).search_document
    assert ApplicantMerge.objects.get().snapshot == {} and not DuplicateSuspicion.objects.exists()
    active.refresh_from_db()
    fresh.refresh_from_db()
    assert active.anonymised_at is None and active.surname == "Новикова" and recent.signatories.exists()
    assert fresh.anonymised_at is None
    assert applicants_anonymise_stale(years=5, now=NOW) == 0  # idempotent
    assert applicants_anonymise_stale(years=0, now=NOW) == 0


@pytest.mark.django_db
def test_the_nightly_task_uses_the_setting(settings) -> None:
    card = old_card("Древняя", "d@ya.ru")
    Applicant.objects.filter(pk=card.pk).update(created_at=timezone.now() - dt.timedelta(days=4 * 365))
    settings.OTKLIK_APPLICANT_RETENTION_YEARS = 5
    anonymise_stale_applicants.enqueue()
    card.refresh_from_db()
    assert card.anonymised_at is None
    settings.OTKLIK_APPLICANT_RETENTION_YEARS = 3
    anonymise_stale_applicants.enqueue()
    card.refresh_from_db()
    assert card.anonymised_at is not None
