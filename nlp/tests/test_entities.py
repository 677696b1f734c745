"""Persons, phones, e-mails, dates and periods."""

import datetime as dt

import pytest

from nlp.dates import find_dates
from nlp.entities import find_emails, find_persons, find_phones

LETTER = (
    "Меня зовут Иванов Петр Сергеевич. Жалуюсь на мастера Кузнецова А.В. и на Сидорову Марию Петровну. "
    "С уважением, Иванов П.С., тел. +7 (911) 123-45-67, 8 812 234-56-78, почта Ivanov@Mail.ru"
)


def test_persons_in_nominative_with_the_applicant_recognised() -> None:
    persons = find_persons(LETTER, applicants=[("Иванов", "Пётр", "Сергеевич")])
    assert [(p.display, p.is_applicant) for p in persons] == [
        ("Иванов Пётр Сергеевич", True),
        ("Кузнецов А. В.", False),
        ("Сидорова Мария Петровна", False),
        ("Иванов П. С.", True),
    ]


def test_street_names_are_not_people() -> None:
    assert find_persons("Лиговский проспект, улица Маршала Говорова, переулок Гривцова") == []


def test_neural_ner_adds_only_what_the_dictionary_missed() -> None:
    persons = find_persons("Обращаюсь к Ахмедзянову Рустему Фаридовичу", use_ner=True)
    assert len(persons) == 1 and persons[0].first_name == "Рустем"


def test_phones_and_emails_are_normalised() -> None:
    assert [p.e164 for p in find_phones(LETTER)] == ["+79111234567", "+78122345678"]
    assert [e.normalized for e in find_emails(LETTER)] == ["ivanov@mail.ru"]
    assert find_phones("дом 12, кв. 45, подъезд 3") == []


TODAY = dt.date(2021, 3, 15)


@pytest.mark.parametrize(
    ("text", "kind", "first", "last", "days", "until"),
    [
        ("работы будут выполнены до 30.06.2021", "date", dt.date(2021, 6, 30), dt.date(2021, 6, 30), None, True),
        ("12 марта 2021 г. я обратился", "date", dt.date(2021, 3, 12), dt.date(2021, 3, 12), None, False),
        ("с 1 по 15 марта нет горячей воды", "period", dt.date(2021, 3, 1), dt.date(2021, 3, 15), None, False),
        ("в марте 2021 года", "period", dt.date(2021, 3, 1), dt.date(2021, 3, 31), None, False),
        ("во II квартале 2021 года", "period", dt.date(2021, 4, 1), dt.date(2021, 6, 30), None, False),
        ("в весенне-летний период", "period", dt.date(2021, 3, 1), dt.date(2021, 8, 31), None, False),
        ("включено в план ремонта на 2027 год", "period", dt.date(2027, 1, 1), dt.date(2027, 12, 31), None, False),
        ("зимой 2021 года", "period", dt.date(2021, 12, 1), dt.date(2022, 2, 28), None, False),
        ("до конца года", "period", TODAY, dt.date(2021, 12, 31), None, False),
        ("уже третий день нет света", "duration", None, None, 3, False),
        ("в течение двух недель", "duration", None, None, 14, False),
        ("более месяца не убирают", "duration", None, None, 30, False),
    ],
)
def test_dates_periods_durations(text, kind, first, last, days, until) -> None:
    found = find_dates(text, today=TODAY)
    assert len(found) == 1, found
    d = found[0]
    assert (d.kind, d.first, d.last, d.until) == (kind, first, last, until)
    assert d.days == days


def test_times_floors_and_house_numbers_are_not_dates() -> None:
    assert find_dates("с 10.00 отключена вода на 5 этаже, дом 12.5", today=TODAY) == []
    found = find_dates("с 10.00 21.10.2020 отсутствует горячая вода", today=TODAY)
    assert [d.first for d in found] == [dt.date(2020, 10, 21)]
