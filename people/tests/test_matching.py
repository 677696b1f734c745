"""Recognising a known applicant in the database: the index kept by every write, the lookup."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.choices import MatchDecision
from people.matching import MatchQuery, find_candidates, match
from people.models import Applicant, Contact, MatchKey
from people.services import ContactInput, applicant_create, contacts_add, name_frequencies_rebuild
from tests.factories import ApplicantFactory, ContactFactory

pytestmark = pytest.mark.django_db


def anna() -> Applicant:
    return applicant_create(
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


def test_candidates_by_identifiers_and_name() -> None:
    card = anna()
    namesake = applicant_create(surname="Петрова", first_name="Анна", patronymic="Ивановна")
    by_phone = find_candidates(MatchQuery(phones=["89123456789"]))
    assert [c.applicant for c in by_phone] == [card] and by_phone[0].reasons == ["совпадает телефон"]
    by_name_and_address = find_candidates(
        MatchQuery(surname="петрова", first_name="анна", patronymic="ивановна", postal_addresses=["Ленина ул,  д. 1"])
    )
    assert [c.applicant for c in by_name_and_address] == [card, namesake]
    assert "совпадает почтовый адрес" in by_name_and_address[0].reasons
    assert find_candidates(MatchQuery(gosuslugi_id="1000123"))[0].applicant == card
    assert find_candidates(MatchQuery(surname="Петрова")) == []  # a surname alone is not evidence


def test_a_letter_signature_finds_the_card_and_explains_why() -> None:
    card = anna()
    result = match(MatchQuery(full_name="от Петровой А. И.", emails=["Anna@Mail.ru"]))
    assert result.decision == MatchDecision.AUTO_LINK and result.best is not None
    assert result.best.applicant == card
    fields = {e.field: e.level for e in result.best.evidence}
    assert fields == {"email": "exact", "surname": "exact", "first": "initial", "patronymic": "initial"}
    assert result.best.percent.endswith("%")


def test_the_index_follows_every_write_path() -> None:
    """Factories and the admin write through the ORM; the profile and keys follow anyway."""
    card = ApplicantFactory(surname="Орлов", first_name="Олег", patronymic="Ильич")
    assert card.match_profile["s"] == "орлов" and MatchKey.objects.filter(applicant=card).exists()
    contact = ContactFactory(applicant=card, kind="phone", value="8 912 000-00-01")
    assert find_candidates(MatchQuery(phones=["+79120000001"]))[0].applicant == card
    contact.delete()
    assert find_candidates(MatchQuery(phones=["+79120000001"])) == []
    contacts_add(applicant=card, contacts=[ContactInput("email", "O@Ya.ru")])
    card.refresh_from_db()
    assert card.match_profile["em"] == ["o@yandex.ru"]


def test_merged_cards_are_not_candidates() -> None:
    old = applicant_create(surname="Орлов", first_name="Олег", contacts=[ContactInput("email", "o@ya.ru")])
    new = applicant_create(surname="Орлов", first_name="Олег")
    old.merged_into = new
    old.save()
    assert [c.applicant for c in find_candidates(MatchQuery(emails=["o@ya.ru"]))] == []
    assert not MatchKey.objects.filter(applicant=old).exists()


def test_bad_contacts_are_refused() -> None:
    with pytest.raises(ValidationError, match="электронной почты"):
        applicant_create(surname="Иванов", contacts=[ContactInput("email", "ivanov@")])
    with pytest.raises(ValidationError, match="организации"):
        applicant_create(kind="organisation")
    assert not Applicant.objects.exists()


def test_duplicate_contacts_are_kept_once() -> None:
    a = applicant_create(
        surname="Иванов", contacts=[ContactInput("phone", "89120000000"), ContactInput("phone", "+7 912 000 00 00")]
    )
    assert a.contacts.count() == 1 and a.contacts.get().is_primary


def test_name_frequencies_weigh_common_names_less() -> None:
    for i in range(30):
        applicant_create(
            surname="Иванов", first_name="Иван", patronymic="Иванович", contacts=[ContactInput("email", f"i{i}@ya.ru")]
        )
    rare = applicant_create(surname="Яцученко", first_name="Иван", patronymic="Иванович")
    before = match(MatchQuery(surname="Иванов", first_name="Иван", patronymic="Иванович")).candidates
    assert name_frequencies_rebuild() == 31
    after = match(MatchQuery(surname="Иванов", first_name="Иван", patronymic="Иванович")).candidates
    assert not after or after[0].weight < before[0].weight  # thirty namesakes: the name says little
    assert match(MatchQuery(surname="Яцученко", first_name="Иван", patronymic="Иванович")).best.applicant == rare


def test_one_lookup_reads_a_fixed_number_of_queries() -> None:
    anna()
    query = MatchQuery(full_name="Петрова Анна Ивановна", phones=["89123456789"], emails=["anna@mail.ru"])
    with CaptureQueriesContext(connection) as few:
        match(query)
    for i in range(40):
        applicant_create(
            surname="Петрова",
            first_name="Анна",
            patronymic=f"Ивановна{i}",
            contacts=[ContactInput("phone", f"8912000{i:04d}")],
        )
    with CaptureQueriesContext(connection) as many:
        match(query)
    assert len(many) == len(few) <= 5
    assert Contact.objects.count() == 43


def test_a_very_common_name_is_read_key_by_key_and_the_identifier_still_wins(monkeypatch) -> None:
    """When the probed keys hit more rows than one read takes, each key is read on its own and a
    name block over the cap is dropped — the phone still finds the card."""
    from people.matching import engine, lookup

    monkeypatch.setattr(lookup, "FETCH_CAP", 10)
    monkeypatch.setattr(lookup, "NAME_BLOCK_CAP", 5)
    monkeypatch.setattr(engine, "NAME_BLOCK_CAP", 5)
    for i in range(12):
        applicant_create(
            surname="Иванов",
            first_name="Иван",
            patronymic="Иванович",
            contacts=[ContactInput("email", f"i{i}@ya.ru")],
            check_duplicates=False,
        )
    card = applicant_create(
        surname="Иванов", first_name="Иван", contacts=[ContactInput("phone", "89120000777")], check_duplicates=False
    )
    found = find_candidates(
        MatchQuery(surname="Иванов", first_name="Иван", patronymic="Иванович", phones=["+79120000777"])
    )
    assert found and found[0].applicant == card
    assert len(found) == 1  # the common-name block alone proposes nobody
