"""Normal forms of phones, e-mails, addresses and organisation names."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from people.normalize import (
    normalize_address,
    normalize_email,
    normalize_name_part,
    normalize_phone,
    organisation_key,
    parse_address,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 345 67 89", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("7-912-345-67-89", "+79123456789"),
        ("(4712) 55-12-34", "+74712551234"),
        ("8 4712 551234", "+74712551234"),
        ("+375 29 123-45-67", "+375291234567"),
        ("+1 202 555 0100", "+12025550100"),
        ("", ""),
    ],
)
def test_phone(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_usual_spelling_of_a_mobile_number_is_one_number(rest: str) -> None:
    digits = "9" + rest
    a, b, c, d = digits[:3], digits[3:6], digits[6:8], digits[8:]
    spellings = [f"+7 ({a}) {b}-{c}-{d}", f"8 {a} {b} {c} {d}", f"8{digits}", digits, f"{a}-{b}-{c}-{d}", f"7{digits}"]
    assert {normalize_phone(s) for s in spellings} == {"+7" + digits}
    assert normalize_phone(normalize_phone(spellings[0])) == "+7" + digits


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Anna.P@Mail.RU ", "anna.p@mail.ru"),
        ("Ivan.Petrov@Ya.ru", "ivan.petrov@yandex.ru"),
        ("ivan-petrov@yandex.com", "ivan.petrov@yandex.ru"),
        ("i.v.a.n+news@gmail.com", "ivan@gmail.com"),
        ("mailto:Oleg@bk.ru", "oleg@bk.ru"),
    ],
)
def test_email(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@given(st.emails())
def test_email_normal_form_is_stable(email: str) -> None:
    once = normalize_email(email)
    assert normalize_email(once) == once


@pytest.mark.parametrize(
    "raw",
    [
        "г. Демоград, ул. Ленина, д. 5, кв. 12",
        "Ленина ул., 5-12",
        "улица Ленина дом 5 квартира 12",
        "305000, Курская обл., г. Демоград, ул. Ленина 5, кв 12",
        "ул Лёнина д 5 кв 12".replace("Лёнина", "Ленина"),
        "ул. В.И. Ленина, д.5, кв.12",
    ],
)
def test_spellings_of_one_flat_share_a_key(raw: str) -> None:
    assert normalize_address(raw) == "ленина|5|12"


@pytest.mark.parametrize(
    ("raw", "street", "house", "flat"),
    [
        ("пр-т Мира, д.10, корп. 2, кв. 3", "мира", "10к2", "3"),
        ("Мира проспект 10к2-3", "мира", "10к2", "3"),
        ("ул. 8 Марта, д. 5", "8 марта", "5", ""),
        ("1-я Советская ул., д. 3а", "1 советская", "3а", ""),
        ("Советская 1-я, 3 а", "1 советская", "3а", ""),
        ("г. Демоград, ул. Набережная, 45-114", "набережная", "45", "114"),
        ("Демоград, Молодёжная 14", "молодежная", "14", ""),
        ("д. Ивановка, ул. Лесная, д. 7", "лесная", "7", ""),
        ("мкр. Северный, д. 5, кв. 40", "северный", "5", "40"),
    ],
)
def test_address_parts(raw: str, street: str, house: str, flat: str) -> None:
    parsed = parse_address(raw)
    assert (parsed.street, parsed.house, parsed.flat) == (street, house, flat)


def test_an_address_without_a_house_keeps_its_folded_text() -> None:
    assert normalize_address("Деревня  Ёлкино") == "деревня елкино"


def test_organisation_names_and_name_parts() -> None:
    assert organisation_key('ООО "Ромашка"') == organisation_key("Ромашка, ООО") == "ромашка"
    assert normalize_name_part("  иванова-ПЕТРОВА ") == "Иванова-Петрова"
