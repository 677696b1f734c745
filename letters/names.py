"""An applicant's name as a letter needs it: greeting, addressee line, cases — pytrovich does the inflection."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from people.choices import ApplicantKind, Gender
from people.models import Applicant


@lru_cache(maxsize=1)
def _maker() -> Any:
    from pytrovich.maker import PetrovichDeclinationMaker

    return PetrovichDeclinationMaker()


@lru_cache(maxsize=1)
def _detector() -> Any:
    from pytrovich.detector import PetrovichGenderDetector

    return PetrovichGenderDetector()


def detect_gender(first_name: str, patronymic: str = "", surname: str = "") -> str:
    """«m», «f» or «» when nothing tells."""
    from pytrovich.enums import Gender as PGender

    if not (first_name or patronymic):
        return ""
    try:
        found = _detector().detect(
            firstname=first_name or None, middlename=patronymic or None, lastname=surname or None
        )
    except (KeyError, ValueError, AttributeError):
        return ""
    if found == PGender.MALE:
        return Gender.MALE
    if found == PGender.FEMALE:
        return Gender.FEMALE
    return ""


_CASES = {"gent": "GENITIVE", "datv": "DATIVE", "accs": "ACCUSATIVE", "ablt": "INSTRUMENTAL", "loct": "PREPOSITIONAL"}


def inflect(part: str, word: str, gender: str, case: str) -> str:
    """One name part («surname», «first», «patronymic») in a case («datv», «gent», …); hyphenated parts too."""
    from pytrovich.enums import Case, NamePart
    from pytrovich.enums import Gender as PGender

    if not word or case == "nomn":
        return word
    name_part = {"surname": NamePart.LASTNAME, "first": NamePart.FIRSTNAME, "patronymic": NamePart.MIDDLENAME}[part]
    pgender = {Gender.MALE.value: PGender.MALE, Gender.FEMALE.value: PGender.FEMALE}.get(gender, PGender.ANDROGYNOUS)
    pcase = getattr(Case, _CASES[case])
    pieces = []
    for piece in word.split("-"):
        try:
            pieces.append(_maker().make(name_part, pgender, pcase, piece))
        except (KeyError, ValueError, IndexError):
            pieces.append(piece)
    return "-".join(pieces)


@dataclass(frozen=True)
class LetterName:
    """Everything a template says about the addressee; every field is plain text."""

    name: str  # «Иванов Иван Петрович» or the organisation
    gender: str  # «m», «f», «»
    greeting: str  # «Уважаемый Иван Петрович!»
    to: str  # «Иванову И. П.» — the addressee line
    dative: str  # «Иванову Ивану Петровичу»
    genitive: str  # «Иванова Ивана Петровича»
    initials: str  # «И. П. Иванов»
    is_organisation: bool

    def __str__(self) -> str:
        return self.name


_WORDS: dict[str, str] = {Gender.MALE.value: "Уважаемый", Gender.FEMALE.value: "Уважаемая"}
_SURNAME_WORDS: dict[str, str] = {Gender.MALE.value: "Уважаемый господин", Gender.FEMALE.value: "Уважаемая госпожа"}


def _initials(*parts: str) -> str:
    return " ".join(f"{p[0].upper()}." for p in parts if p)


def person_name(surname: str, first_name: str = "", patronymic: str = "", gender: str = "") -> LetterName:
    """The name forms of a person; gender from the card, else from the name itself."""
    surname, first_name, patronymic = surname.strip(), first_name.strip(), patronymic.strip()
    gender = gender or detect_gender(first_name, patronymic, surname)
    full = " ".join(p for p in (surname, first_name, patronymic) if p)

    def in_case(case: str) -> str:
        return " ".join(
            w
            for w in (
                inflect("surname", surname, gender, case),
                inflect("first", first_name, gender, case),
                inflect("patronymic", patronymic, gender, case),
            )
            if w
        )

    initials = _initials(first_name, patronymic)
    dative_surname = inflect("surname", surname, gender, "datv")
    if first_name:
        address = " ".join(p for p in (first_name, patronymic) if p)
        word = _WORDS.get(gender, "Уважаемый(ая)")
        greeting = f"{word} {address}!"
    elif surname:
        word = _SURNAME_WORDS.get(gender, "Уважаемый(ая)")
        greeting = f"{word} {surname}!"
    else:
        greeting = "Уважаемый заявитель!"
    return LetterName(
        name=full or "заявитель",
        gender=gender,
        greeting=greeting,
        to=f"{dative_surname} {initials}".strip() or "Заявителю",
        dative=in_case("datv") or "заявителю",
        genitive=in_case("gent") or "заявителя",
        initials=f"{initials} {surname}".strip(),
        is_organisation=False,
    )


def applicant_name(applicant: Applicant | None) -> LetterName:
    """The name forms of an applicant card (an organisation is not inflected)."""
    if applicant is None or applicant.anonymised_at is not None:
        return person_name("")
    if applicant.kind == ApplicantKind.ORGANISATION:
        title = applicant.organisation_name or "Организация"
        return LetterName(
            name=title,
            gender="",
            greeting="Уважаемые коллеги!",
            to=title,
            dative=title,
            genitive=title,
            initials=title,
            is_organisation=True,
        )
    return person_name(applicant.surname, applicant.first_name, applicant.patronymic, applicant.gender)
