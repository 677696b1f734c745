"""Names in letters: greeting by gender, the addressee in the dative with initials."""

import pytest

from letters.names import applicant_name, person_name
from tests.factories import ApplicantFactory


@pytest.mark.parametrize(
    ("parts", "greeting", "to"),
    [
        (("Иванов", "Иван", "Петрович", ""), "Уважаемый Иван Петрович!", "Иванову И. П."),
        (("Иванова", "Анна", "Ивановна", ""), "Уважаемая Анна Ивановна!", "Ивановой А. И."),
        (("Кузнецова", "Мария", "Сергеевна", "f"), "Уважаемая Мария Сергеевна!", "Кузнецовой М. С."),
        (("Черных", "Олег", "Ильич", "m"), "Уважаемый Олег Ильич!", "Черных О. И."),
        (("Римский-Корсаков", "Николай", "Андреевич", ""), "Уважаемый Николай Андреевич!", "Римскому-Корсакову Н. А."),
    ],
)
def test_greeting_and_addressee(parts, greeting, to) -> None:
    name = person_name(*parts)
    assert name.greeting == greeting
    assert name.to == to


def test_cases_of_full_name() -> None:
    name = person_name("Петрова", "Анна", "Ивановна")
    assert name.gender == "f"
    assert name.dative == "Петровой Анне Ивановне"
    assert name.genitive == "Петровой Анны Ивановны"
    assert name.initials == "А. И. Петрова"


def test_surname_only_and_empty() -> None:
    assert person_name("Смирнов", gender="m").greeting == "Уважаемый господин Смирнов!"
    assert person_name("").greeting == "Уважаемый заявитель!"


@pytest.mark.django_db
def test_organisation_is_not_inflected() -> None:
    org = ApplicantFactory(kind="organisation", organisation_name="ТСЖ «Садовая, 1»", surname="")
    name = applicant_name(org)
    assert name.to == "ТСЖ «Садовая, 1»" and name.greeting == "Уважаемые коллеги!"
