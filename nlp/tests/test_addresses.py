"""Addresses: structured parsing, mentions in free text, gazetteer matching on the real gazetteer."""

import pytest

from nlp.addresses import find_addresses, parse_address, street_key
from nlp.gazetteer import GazetteerError, index_from_csv, parse_gazetteer_csv


@pytest.mark.parametrize(
    ("raw", "key", "house", "city"),
    [
        ("г.Санкт-Петербург, Мебельная улица, дом 47, корпус 1, литера А", "мебельн", "47к1а", "Санкт-Петербург"),
        ("город Колпино, улица Машиностроителей, дом 12, литера А", "машиностроител", "12а", "Колпино"),
        ("посёлок Шушары, территория Ленсоветовский, дом 23, строение 1", "ленсоветовск", "23с1", "Шушары"),
        ("г. Курск, ул. Союзная д. 71Б", "союзн", "71б", "Курск"),
        ("г.Санкт-Петербург, Корпусная улица, дом 18, литера А", "корпусн", "18а", "Санкт-Петербург"),
        ("г.Санкт-Петербург, 1-й Муринский проспект, дом 11, литера Ж", "1 муринск", "11ж", "Санкт-Петербург"),
    ],
)
def test_structured_addresses(raw: str, key: str, house: str, city: str) -> None:
    parsed = parse_address(raw)
    assert parsed is not None
    assert (parsed.street_key, parsed.house, parsed.city) == (key, house, city)


def test_street_key_ignores_type_case_and_word_order() -> None:
    assert street_key("Лиговский") == street_key("Лиговском") == street_key("лиговский")
    assert street_key("Маршала Говорова") == street_key("Говорова Маршала")
    assert street_key("1-й Муринский") == street_key("1 Муринский")
    assert street_key("Садовая") != street_key("Садовническая")


@pytest.mark.parametrize(
    ("text", "key", "house"),
    [
        ("По фасаду дома по адресу ул. Урицкого 22 проходит труба", "урицк", "22"),
        ("На Лиговском пр., 25 сорваны почтовые ящики", "лиговск", "25"),
        ("Адрес: улица Маршала Говорова 5/4", "говорова маршала", "5/4"),
        ("На двери подъезда 8 дома 31 по улице Ушинского нарисованы граффити", "ушинск", "31"),
        ("проспект Ветеранов, д. 10, корп. 2, кв. 15", "ветеранов", "10к2"),
        ("Невский проспект 28, у входа", "невск", "28"),
    ],
)
def test_mentions_in_free_text(text: str, key: str, house: str) -> None:
    found = find_addresses(text)
    assert [(m.address.street_key, m.address.house) for m in found] == [(key, house)]


def test_no_address_where_there_is_none() -> None:
    assert find_addresses("Я живу на улице, где не горит свет") == []
    assert find_addresses("по улице светлой ходить страшно") == []


def test_real_gazetteer_matches_real_reports(gazetteer_text, spb_rows) -> None:
    index = index_from_csv(gazetteer_text)
    assert len(index) == 8558
    with_address = [r for r in spb_rows[:3000] if r["address"]]
    matched = agreed = 0
    for row in with_address:
        parsed = parse_address(row["address"])
        place = index.match(parsed) if parsed else None
        if place is not None:
            matched += 1
            agreed += place.district == row["district"]
    assert matched / len(with_address) > 0.85
    assert agreed / matched > 0.97
    # A report that names its building in the text alone is placed too.
    place = index.find_in_text("Седова 140, 3 подъезд. Замок на подвале отсутствует")
    assert place is not None and place.district == "Невский" and place.precision == "house"
    assert index.district_in_text("в Невском районе снова темно").district == "Невский"


def test_gazetteer_file_errors_are_all_reported() -> None:
    with pytest.raises(GazetteerError, match="нет столбцов"):
        parse_gazetteer_csv("address,district\nx,y\n")
    bad = 'address,lat,lon,district\n"г.Санкт-Петербург, улица Седова, дом 1",x,30.1,Невский\n,59.9,30.1,Невский\n'
    with pytest.raises(GazetteerError) as info:
        parse_gazetteer_csv(bad)
    assert "строка 2: координаты не числа" in str(info.value) and "строка 3: пустой адрес" in str(info.value)
    with pytest.raises(GazetteerError, match="ни одного"):
        parse_gazetteer_csv("address,lat,lon,district\n")
