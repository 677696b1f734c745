"""Normal forms of contacts and the exact-match layer of applicant recognition."""

import pytest
from django.core.exceptions import ValidationError

from people.matching import MatchQuery, find_candidates
from people.normalize import normalize_email, normalize_name_part, normalize_phone
from people.services import ContactInput, applicant_create


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("7-912-345-67-89", "+79123456789"),
        ("+375 29 123-45-67", "+375291234567"),
        ("", ""),
    ],
)
def test_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


def test_email_and_names() -> None:
    assert normalize_email("  Anna.P@Mail.RU ") == "anna.p@mail.ru"
    assert normalize_name_part("  иванова-ПЕТРОВА ") == "Иванова-Петрова"


@pytest.mark.django_db
def test_candidates_by_identifiers_and_name() -> None:
    anna = applicant_create(
        surname="Петрова",
        first_name="Анна",
        patronymic="Ивановна",
        gosuslugi_id="1000123",
        contacts=[
            ContactInput("phone", "+7 912 345-67-89"),
            ContactInput("email", "anna@mail.ru"),
            ContactInput("postal", "ул. Ленина, 1"),
        ],
    )
    namesake = applicant_create(surname="Петрова", first_name="Анна", patronymic="Ивановна")
    found = find_candidates(MatchQuery(phones=["89123456789"]))
    assert [c.applicant for c in found] == [anna] and found[0].reasons == ["phone"]
    found = find_candidates(
        MatchQuery(surname="петрова", first_name="анна", patronymic="ивановна", postal_addresses=["Ул. Ленина,  1"])
    )
    assert [c.applicant for c in found] == [anna, namesake]
    assert found[0].reasons == ["name", "postal"]
    assert find_candidates(MatchQuery(gosuslugi_id="1000123"))[0].applicant == anna
    assert find_candidates(MatchQuery(surname="Петрова")) == []  # a surname alone is not evidence


@pytest.mark.django_db
def test_merged_cards_are_not_candidates() -> None:
    old = applicant_create(surname="Орлов", first_name="Олег", contacts=[ContactInput("email", "o@ya.ru")])
    new = applicant_create(surname="Орлов", first_name="Олег")
    old.merged_into = new
    old.save()
    assert [c.applicant for c in find_candidates(MatchQuery(emails=["o@ya.ru"]))] == []


@pytest.mark.django_db
def test_bad_contacts_are_refused() -> None:
    with pytest.raises(ValidationError, match="электронной почты"):
        applicant_create(surname="Иванов", contacts=[ContactInput("email", "ivanov@")])
    with pytest.raises(ValidationError, match="организации"):
        applicant_create(kind="organisation")


@pytest.mark.django_db
def test_duplicate_contacts_are_kept_once() -> None:
    a = applicant_create(
        surname="Иванов", contacts=[ContactInput("phone", "89120000000"), ContactInput("phone", "+7 912 000 00 00")]
    )
    assert a.contacts.count() == 1 and a.contacts.get().is_primary
