"""Merging duplicate cards field by field, the audit record and undoing a merge."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appeals.models import Appeal, AppealApplicant
from people.choices import SuspicionStatus
from people.matching import MatchQuery, find_candidates
from people.models import Applicant, ApplicantMerge, Contact, DuplicateSuspicion, PersonalDataAccess
from people.services import (
    ContactInput,
    applicant_create,
    applicant_merge_undo,
    applicants_merge,
)
from tests.factories import make_appeal


@pytest.fixture
def twins(cast):  # type: ignore[no-untyped-def]
    """One person on two cards, each with its own appeal and contacts, one appeal signed by both."""
    old = applicant_create(
        surname="Кузнецова",
        first_name="О.",
        contacts=[ContactInput("phone", "8 912 111-22-33"), ContactInput("postal", "ул. Мира, 3-5")],
        check_duplicates=False,
    )
    new = applicant_create(
        surname="Кузнецова",
        first_name="Ольга",
        patronymic="Ивановна",
        gosuslugi_id="9001",
        contacts=[ContactInput("phone", "+7 912 111 22 33"), ContactInput("email", "olga@mail.ru")],
        check_duplicates=False,
    )
    first = make_appeal(body=cast.body, text="Про двор", applicants=[old])
    second = make_appeal(body=cast.body, text="Про фонарь", applicants=[new])
    both = make_appeal(body=cast.body, text="Коллективное", applicants=[old, new])
    return old, new, first, second, both


def test_merge_moves_everything_and_keeps_the_chosen_values(cast, twins) -> None:
    old, new, first, second, both = twins
    merge = applicants_merge(
        target=old, others=[new], actor=cast.operator.user, choices={"first_name": new.pk}, reason="одно лицо"
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.surname, old.first_name, old.patronymic, old.gosuslugi_id) == ("Кузнецова", "Ольга", "Ивановна", "9001")
    assert new.merged_into == old
    assert set(AppealApplicant.objects.filter(applicant=old).values_list("appeal_id", flat=True)) == {
        first.pk,
        second.pk,
        both.pk,
    }
    assert both.signatories.count() == 1  # both cards signed it: one signatory now
    assert set(old.contacts.values_list("normalized", flat=True)) == {"+79121112233", "мира|3|5", "olga@mail.ru"}
    assert not new.contacts.exists()
    assert merge.actor == cast.operator.user and list(merge.merged.all()) == [new] and merge.reason == "одно лицо"
    assert merge.snapshot["cards"][str(new.pk)]["gosuslugi_id"] == "9001"
    assert "кузнецова ольга ивановна" in Appeal.objects.get(pk=first.pk).search_document
    assert [c.applicant for c in find_candidates(MatchQuery(emails=["olga@mail.ru"]))] == [old]
    assert PersonalDataAccess.objects.filter(action="edit", applicant=new).exists()


def test_undo_puts_the_cards_back(cast, twins) -> None:
    old, new, _, second, both = twins
    before = {a.pk: sorted(a.contacts.values_list("kind", "value")) for a in (old, new)}
    merge = applicants_merge(target=old, others=[new], actor=cast.operator.user)
    later = make_appeal(body=cast.body, text="После объединения", applicants=[old])
    applicant_merge_undo(merge=merge, actor=cast.operator.user)
    old.refresh_from_db()
    new.refresh_from_db()
    assert new.merged_into is None and (old.first_name, old.gosuslugi_id) == ("О.", "")
    assert new.gosuslugi_id == "9001"
    assert {a.pk: sorted(a.contacts.values_list("kind", "value")) for a in (old, new)} == before
    assert set(both.signatories.values_list("applicant_id", flat=True)) == {old.pk, new.pk}
    assert second.signatories.get().applicant == new
    assert later.signatories.get().applicant == old  # what came after the merge stays
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == cast.operator.user
    assert [c.applicant for c in find_candidates(MatchQuery(emails=["olga@mail.ru"]))] == [new]
    with pytest.raises(ValidationError, match="уже отменено"):
        applicant_merge_undo(merge=merge, actor=cast.operator.user)


def test_undo_waits_for_a_later_merge_to_be_undone(cast, twins) -> None:
    old, new, *_ = twins
    third = applicant_create(surname="Кузнецова", first_name="Оля", check_duplicates=False)
    first_merge = applicants_merge(target=old, others=[new], actor=cast.operator.user)
    second_merge = applicants_merge(target=old, others=[third], actor=cast.operator.user)
    with pytest.raises(ValidationError, match=f"№ {second_merge.pk}"):
        applicant_merge_undo(merge=first_merge, actor=cast.operator.user)
    applicant_merge_undo(merge=second_merge, actor=cast.operator.user)
    applicant_merge_undo(merge=first_merge, actor=cast.operator.user)
    assert Applicant.objects.filter(merged_into__isnull=True).count() == 3


def test_merge_settles_the_review_queue_and_undo_reopens_it(cast, twins) -> None:
    old, new, *_ = twins
    pair = DuplicateSuspicion.objects.create(first=old, second=new, weight=5, probability=0.9, source="batch")
    merge = applicants_merge(target=new, others=[old], actor=cast.operator.user)
    pair.refresh_from_db()
    assert pair.status == SuspicionStatus.MERGED and pair.decided_by == cast.operator.user
    applicant_merge_undo(merge=merge, actor=cast.operator.user)
    pair.refresh_from_db()
    assert pair.status == SuspicionStatus.PENDING


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "хотя бы одну"),
        ("merged", "уже объединена"),
        ("organisation", "организации"),
        ("bad_choice", "только из объединяемых"),
        ("bad_field", "нельзя выбрать"),
    ],
)
def test_bad_merges_are_refused_and_change_nothing(cast, twins, case, message) -> None:
    old, new, *_ = twins
    kwargs = {"target": old, "others": [new], "actor": cast.operator.user}
    if case == "self":
        kwargs["others"] = [old]
    elif case == "merged":
        Applicant.objects.filter(pk=new.pk).update(merged_into=old)
    elif case == "organisation":
        kwargs["others"] = [applicant_create(kind="organisation", organisation_name="ТСЖ «Мира, 3»")]
    elif case == "bad_choice":
        kwargs["choices"] = {"surname": 999_999}
    else:
        kwargs["choices"] = {"note": new.pk}
    contacts = Contact.objects.count()
    with pytest.raises(ValidationError, match=message):
        applicants_merge(**kwargs)
    assert not ApplicantMerge.objects.exists() and Contact.objects.count() == contacts


def test_only_operators_and_administrators_merge(cast, twins) -> None:
    old, new, *_ = twins
    for who in (cast.executor, cast.head, cast.controller):
        with pytest.raises(PermissionDenied):
            applicants_merge(target=old, others=[new], actor=who.user)
    merge = applicants_merge(target=old, others=[new], actor=cast.administrator.user)
    with pytest.raises(PermissionDenied):
        applicant_merge_undo(merge=merge, actor=cast.executor.user)


def test_merge_and_undo_reach_the_appeal_history_and_character(cast, twins) -> None:
    from appeals.choices import Character

    old, new, first, _, both = twins
    assert Appeal.objects.get(pk=both.pk).character == Character.COLLECTIVE
    merge = applicants_merge(target=old, others=[new], actor=cast.operator.user)
    both.refresh_from_db()
    assert both.character == Character.INDIVIDUAL  # one person signed it twice
    assert both.events.filter(field="Характер", old_value="Коллективное", new_value="Индивидуальное").exists()
    note = both.events.get(field="Заявители").note
    assert f"№ {merge.pk}" in note and "Кузнецова" not in note  # the history names the merge, not the person
    assert first.events.filter(field="Заявители", actor=cast.operator.user).exists()
    applicant_merge_undo(merge=merge, actor=cast.operator.user)
    both.refresh_from_db()
    assert both.character == Character.COLLECTIVE
    assert both.events.filter(field="Заявители").count() == 2
