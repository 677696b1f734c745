"""Creating cards and recognising the person at the door (`applicant_resolve`)."""

import pytest
from django.core.exceptions import ValidationError

from people.choices import MatchDecision, SuspicionSource, SuspicionStatus
from people.matching import MatchQuery
from people.models import Applicant, DuplicateSuspicion
from people.services import ContactInput, applicant_create, applicant_resolve

pytestmark = pytest.mark.django_db


def petrov() -> Applicant:
    return applicant_create(
        surname="Петров",
        first_name="П.",
        patronymic="",
        contacts=[ContactInput("phone", "8 912 345-67-89"), ContactInput("postal", "ул. Мира, д. 3, кв. 5")],
    )


def test_create_puts_the_name_in_order_and_fills_the_gender() -> None:
    a = applicant_create(surname="Пётр", first_name="Иванов", patronymic="Сергеевич")
    assert (a.surname, a.first_name, a.patronymic, a.gender) == ("Иванов", "Пётр", "Сергеевич", "m")
    b = applicant_create(surname="смирнова анна олеговна")
    assert (b.surname, b.first_name, b.patronymic, b.gender) == ("Смирнова", "Анна", "Олеговна", "f")


def test_a_gosuslugi_id_belongs_to_one_card() -> None:
    applicant_create(surname="Иванов", gosuslugi_id="777")
    with pytest.raises(ValidationError, match="ID Госуслуг уже есть"):
        applicant_create(surname="Сидоров", gosuslugi_id="777")
    assert Applicant.objects.count() == 1


def test_resolve_links_a_known_person_and_the_card_learns_what_it_lacked() -> None:
    card = petrov()
    result = applicant_resolve(
        query=MatchQuery(
            full_name="Петров Павел Андреевич", phones=["+79123456789"], emails=["pavel@mail.ru"], gosuslugi_id="555"
        )
    )
    assert result.decision == MatchDecision.AUTO_LINK and result.applicant == card and not result.created
    card.refresh_from_db()
    assert (card.first_name, card.patronymic, card.gosuslugi_id) == ("Павел", "Андреевич", "555")
    assert set(card.contacts.values_list("kind", flat=True)) == {"phone", "postal", "email"}
    assert Applicant.objects.count() == 1


def test_resolve_with_an_operator_proposes_and_writes_nothing() -> None:
    card = petrov()
    # The name agrees, but no identifier or contact does: an operator must decide.
    query = MatchQuery(full_name="Петров Павел", emails=["p@ya.ru"])
    result = applicant_resolve(query=query, ask_operator=True)
    assert result.decision == MatchDecision.PROPOSE and result.applicant is None
    assert [c.applicant for c in result.candidates] == [card]
    assert Applicant.objects.count() == 1 and not card.contacts.filter(kind="email").exists()


def test_resolve_for_a_channel_creates_and_queues_the_pair_for_review() -> None:
    card = petrov()
    result = applicant_resolve(query=MatchQuery(full_name="Петров Павел", emails=["p@ya.ru"]))
    assert result.decision == MatchDecision.PROPOSE and result.created and result.applicant != card
    pair = DuplicateSuspicion.objects.get()
    assert {pair.first, pair.second} == {card, result.applicant} and pair.first.pk < pair.second.pk
    assert pair.source == SuspicionSource.REGISTRATION and pair.status == SuspicionStatus.PENDING
    assert pair.evidence and all({"field", "level", "weight"} <= set(e) for e in pair.evidence)


def test_resolve_creates_a_new_card_for_a_new_person() -> None:
    petrov()
    result = applicant_resolve(query=MatchQuery(full_name="Козлова Вера Ильинична", emails=["vera@ya.ru"]))
    assert result.decision == MatchDecision.NEW and result.created
    assert result.applicant.first_name == "Вера" and not DuplicateSuspicion.objects.exists()


def test_resolve_trusts_an_authenticated_gosuslugi_account() -> None:
    card = applicant_create(surname="Иванова", first_name="Мария", gosuslugi_id="42")
    result = applicant_resolve(query=MatchQuery(full_name="Смирнова Мария", gosuslugi_id="42"))
    assert result.applicant == card and result.decision == MatchDecision.AUTO_LINK


def test_resolve_refuses_bad_input_and_changes_nothing() -> None:
    with pytest.raises(ValidationError, match="Неверный номер"):
        applicant_resolve(query=MatchQuery(full_name="Козлов Пётр", phones=["12"]))
    assert not Applicant.objects.exists()
