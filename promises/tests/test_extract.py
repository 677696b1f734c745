"""Extraction of promises from answer texts: a table of literal cases."""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import ProductionCalendar
from promises.extract import (
    PeriodConventions,
    extract_promises,
    has_undated_commitment,
    main_promise,
    promised_date,
    split_sentences,
)

ANSWERED = dt.date(2021, 3, 15)  # a Monday


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Работы будут выполнены до 30.06.2021.", dt.date(2021, 6, 30)),
        ("Ремонт кровли включено в план ремонта на 2027 год.", dt.date(2027, 12, 31)),
        ("Благоустройство будет выполнено в весенне-летний период 2026 года.", dt.date(2026, 8, 31)),
        ("Ответ будет направлен в течение 10 рабочих дней.", dt.date(2021, 3, 29)),
        ("Замена светильников запланирована в III квартале.", dt.date(2021, 9, 30)),
        ("Работы будут выполнены до конца года.", dt.date(2021, 12, 31)),
        ("Покраска будет выполнена в мае 2021 года.", dt.date(2021, 5, 31)),
        ("Уборка будет произведена в летний период.", dt.date(2021, 8, 31)),
        ("Мусор будет вывезен в течение двух недель.", dt.date(2021, 3, 29)),
        ("Работы будут выполнены в срок до «22» июня 2021 года.", dt.date(2021, 6, 22)),
        ("Обращение остается на контроле администрации до 07.06.2021г.", dt.date(2021, 6, 7)),
        ("Срок устранения проблемы с учетом производства дела об административном правонарушении: 25.02.2022.",
         dt.date(2022, 2, 25)),
        ("Ограждение будет установлено в течение месяца.", dt.date(2021, 4, 15)),
    ],
)  # fmt: skip
def test_promise_due_dates(text: str, due: dt.date) -> None:
    found = main_promise(extract_promises(text, answered_on=ANSWERED))
    assert found is not None, text
    assert found.due == due
    assert found.sentence


def test_working_days_skip_holidays() -> None:
    # 10 working days from 30 April 2021 jump over the May holidays (1–3 and 8–10 May are off)
    found = main_promise(
        extract_promises("Ответ будет дан в течение 10 рабочих дней.", answered_on=dt.date(2021, 4, 30))
    )
    assert found is not None
    assert found.due == ProductionCalendar().add_working_days(dt.date(2021, 4, 30), 10)
    assert found.due == dt.date(2021, 5, 18)  # 4–7, 11–14, 17–18 May


def test_date_without_year_in_december_means_next_year() -> None:
    found = main_promise(extract_promises("Мусор будет убран в срок до 01 мая.", answered_on=dt.date(2020, 12, 17)))
    assert found is not None and found.due == dt.date(2021, 5, 1)


@pytest.mark.parametrize(
    "text",
    [
        "Работы выполнены 12.03.2021, замечания устранены.",  # the past
        "Правила утверждены постановлением Правительства Санкт-Петербурга от 06.10.2016 № 875.",
        "Выполнить работы в 2021 году не представляется возможным.",  # refusal
        "Заявка от 20.03.2021 № 15 рассмотрена.",  # a document, not a deadline
        "Согласно ст. 4.5 КоАП РФ постановление будет вынесено не позднее двух месяцев со дня обнаружения.",
        "В случае невнесения в 2024 году, адрес будет перенесен на следующую корректировку.",
        "Дефект не является аварийным.",
    ],
)
def test_not_promises(text: str) -> None:
    assert main_promise(extract_promises(text, answered_on=ANSWERED)) is None


def test_latest_control_date_is_the_main_promise() -> None:
    text = (
        "Полусферы будут убраны в срок до 31.05.2021. "
        "Адрес требует дополнительной проверки и остается на контроле администрации в срок до 07.06.2021."
    )
    promises = extract_promises(text, answered_on=ANSWERED)
    assert [p.due for p in promises] == [dt.date(2021, 5, 31), dt.date(2021, 6, 7)]
    assert main_promise(promises).due == dt.date(2021, 6, 7)  # type: ignore[union-attr]


def test_explicit_date_beats_year_in_same_sentence() -> None:
    text = "Работы учтены адресной программой на 2021 год и будут выполнены в срок до 01.09.2021 (п.9 программы)."
    assert main_promise(extract_promises(text, answered_on=ANSWERED)).due == dt.date(2021, 9, 1)  # type: ignore[union-attr]


def test_responsible_is_the_named_organisation() -> None:
    text = "Работы будут выполнены силами ООО «ЖКС № 1 Василеостровского района» в срок до 01.09.2021."
    found = main_promise(extract_promises(text, answered_on=ANSWERED, body="Администрация"))
    assert found is not None and found.responsible == "ООО «ЖКС № 1 Василеостровского района»"
    other = main_promise(extract_promises("Работы будут выполнены до 01.09.2021.", answered_on=ANSWERED, body="ГКУ"))
    assert other is not None and other.responsible == "ГКУ"


def test_sentences_keep_abbreviations() -> None:
    sentences = split_sentences("Дом по адресу: г. Санкт-Петербург, ул. Ленина, д. 5. Работы будут выполнены.")
    assert len(sentences) == 2


def test_conventions_learned_from_history_only() -> None:
    text = "Собственнику помещения направлено уведомление о явке для составления протокола."
    assert promised_date(text, answered_on=ANSWERED, body="Администрация", interim=True) is None
    conventions = PeriodConventions()
    assert conventions.predict(text, "Администрация", ANSWERED) is None
    conventions.learn(text, "Администрация", dt.date(2021, 1, 10), dt.date(2021, 2, 24))
    conventions.learn(text, "Администрация", dt.date(2021, 2, 1), dt.date(2021, 3, 18))  # 45 days
    found = promised_date(text, answered_on=ANSWERED, body="Администрация", interim=True, conventions=conventions)
    assert found is not None and found.source == "convention"
    assert found.due == ANSWERED + dt.timedelta(days=45)
    # a series answered within a week gets the same date as the last one
    assert conventions.predict(text, "Администрация", dt.date(2021, 2, 4))[0] == dt.date(2021, 3, 18)  # type: ignore[index]
    # another body borrows the cue («уведомление о явке») seen at any body; nothing without one
    assert conventions.predict(text, "Комитет", ANSWERED) is not None
    assert conventions.predict("Сообщаем следующее.", "Комитет", ANSWERED) is None
    # a final answer never takes a learned date
    assert promised_date(text, answered_on=ANSWERED, body="Администрация", conventions=conventions) is None


def test_undated_commitment() -> None:
    assert has_undated_commitment("Осмотр проведён. Работы будут выполнены силами подрядчика.") == (
        "Работы будут выполнены силами подрядчика."
    )
    assert has_undated_commitment("Работы выполнены.") is None
