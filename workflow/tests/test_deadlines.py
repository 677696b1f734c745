"""Deadline maths on literal dates of the Russian production calendar (2025-2026)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import ProductionCalendar
from workflow.deadlines import (
    DayKind,
    Shift,
    add_days,
    deadline_state,
    extended_due_date,
    legal_due_date,
    regime_due_date,
    registration_due_date,
)

CAL = ProductionCalendar()
D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("registered", "kind", "shift", "expected", "why"),
    [
        ("2026-03-02", "appeal", Shift.PREVIOUS, "2026-04-01", "30 calendar days onto a Wednesday"),
        ("2026-03-07", "appeal", Shift.PREVIOUS, "2026-04-06", "lands on Monday 06.04: a working day"),
        ("2026-03-08", "appeal", Shift.PREVIOUS, "2026-04-07", "30 days"),
        ("2026-04-05", "appeal", Shift.PREVIOUS, "2026-05-05", "05.05.2026 is a Tuesday, working"),
        (
            "2026-04-09",
            "appeal",
            Shift.PREVIOUS,
            "2026-05-08",
            "09.05 Victory Day (Sat) and 11.05 off -> back to Fri 08.05",
        ),
        ("2026-04-09", "appeal", Shift.NEXT, "2026-05-12", "forward skips 09-11.05"),
        ("2026-04-09", "appeal", Shift.NONE, "2026-05-09", "no shift keeps the holiday"),
        (
            "2025-12-08",
            "appeal",
            Shift.PREVIOUS,
            "2025-12-30",
            "07.01 holiday -> back over 31.12 (day off in 2025) to 30.12",
        ),
        ("2025-12-08", "appeal", Shift.NEXT, "2026-01-12", "forward over the New Year holidays"),
        ("2026-03-02", "message", Shift.PREVIOUS, "2026-03-12", "messages: 10 calendar days"),
        (
            "2026-02-13",
            "message",
            Shift.PREVIOUS,
            "2026-02-20",
            "23.02 holiday (Mon): back over the weekend to Fri 20.02",
        ),
        ("2026-03-02", "info_request", Shift.PREVIOUS, "2026-04-01", "8-FZ: 30 days"),
    ],
)
def test_legal_due_date(registered: str, kind: str, shift: Shift, expected: str, why: str) -> None:
    assert legal_due_date(D(registered), kind, CAL, shift=shift) == D(expected), why


def test_working_saturday_2025_is_a_valid_deadline() -> None:
    # 01.11.2025 was a working Saturday by the 2025 transfer decree.
    assert legal_due_date(D("2025-10-02"), "appeal", CAL, shift=Shift.NONE) == D("2025-11-01")
    assert CAL.is_working_day(D("2025-11-01"))
    assert legal_due_date(D("2025-10-02"), "appeal", CAL) == D("2025-11-01")


def test_override_wins_over_federal_calendar() -> None:
    regional = ProductionCalendar(overrides={D("2026-04-01"): False})
    assert legal_due_date(D("2026-03-02"), "appeal", regional) == D("2026-03-31")


def test_working_days() -> None:
    assert add_days(D("2026-01-08"), 3, CAL, kind=DayKind.WORKING) == D("2026-01-14")
    assert add_days(D("2026-02-20"), 1, CAL, kind=DayKind.WORKING) == D("2026-02-24")
    assert CAL.working_days_between(D("2026-02-20"), D("2026-02-24")) == 1


def test_registration_within_three_days() -> None:
    assert registration_due_date(D("2026-03-05"), CAL) == D("2026-03-06")  # 08.03 Sun, 09.03 off -> back to Fri 06.03
    assert registration_due_date(D("2026-03-10"), CAL) == D("2026-03-13")


def test_unknown_kind_and_negative_norm_are_errors() -> None:
    with pytest.raises(ValueError):
        legal_due_date(D("2026-03-02"), "letter", CAL)
    with pytest.raises(ValueError):
        add_days(D("2026-03-02"), -1, CAL)


@pytest.mark.parametrize(
    ("due", "today", "done", "expected"),
    [
        ("2026-03-10", "2026-03-11", False, "overdue"),
        ("2026-03-13", "2026-03-11", False, "at_risk"),
        ("2026-03-20", "2026-03-11", False, "ok"),
        ("2026-03-10", "2026-03-11", True, "done"),
        ("2026-03-11", "2026-03-11", False, "at_risk"),
    ],
)
def test_deadline_state(due: str, today: str, done: bool, expected: str) -> None:
    assert deadline_state(D(due), D(today), done=done, at_risk_days=3, calendar=CAL) == expected


# (registered, days, day_kind, count_from, shift, expected, why) — each worked out by hand on the
# production calendars of 2025 (ПП № 1335) and 2026 (ПП № 1466).
REGIME_CASES = [
    ("2026-01-12", 30, "calendar", "date_plus_n", "previous", "2026-02-11", "plain Wednesday"),
    ("2026-01-24", 30, "calendar", "date_plus_n", "previous", "2026-02-20", "23.02 holiday -> Friday"),
    ("2026-01-24", 30, "calendar", "date_plus_n", "next", "2026-02-24", "23.02 holiday -> Tuesday"),
    ("2026-02-06", 30, "calendar", "date_plus_n", "previous", "2026-03-06", "08.03 Sunday -> Friday"),
    ("2026-02-06", 30, "calendar", "date_plus_n", "next", "2026-03-10", "08.03 Sunday, 09.03 off -> Tuesday"),
    ("2026-04-01", 30, "calendar", "date_plus_n", "previous", "2026-04-30", "1 May"),
    ("2026-04-01", 30, "calendar", "date_plus_n", "next", "2026-05-04", "1-3 May off"),
    ("2026-05-13", 30, "calendar", "date_plus_n", "previous", "2026-06-11", "12 June"),
    ("2026-05-13", 30, "calendar", "date_plus_n", "next", "2026-06-15", "12-14 June off"),
    ("2026-10-05", 30, "calendar", "date_plus_n", "previous", "2026-11-03", "4 November"),
    ("2026-12-01", 30, "calendar", "date_plus_n", "previous", "2026-12-30", "31.12.2026 off by transfer"),
    ("2025-12-02", 30, "calendar", "date_plus_n", "previous", "2025-12-30", "1 January, 31.12.2025 off"),
    ("2025-12-15", 30, "calendar", "date_plus_n", "previous", "2026-01-14", "across the year, a working day"),
    ("2025-10-02", 30, "calendar", "date_plus_n", "previous", "2025-11-01", "working Saturday 01.11.2025"),
    ("2025-10-04", 30, "calendar", "date_plus_n", "previous", "2025-11-01", "03.11.2025 off -> working Saturday"),
    ("2025-10-05", 30, "calendar", "date_plus_n", "previous", "2025-11-01", "04.11 and 03.11 off, 02.11 Sunday"),
    ("2025-10-04", 30, "calendar", "date_plus_n", "next", "2025-11-05", "03-04.11.2025 off"),
    ("2026-01-01", 30, "calendar", "date_plus_n", "previous", "2026-01-30", "31.01 Saturday"),
    ("2026-02-13", 10, "calendar", "date_plus_n", "previous", "2026-02-20", "message: 23.02"),
    ("2026-04-21", 10, "calendar", "date_plus_n", "previous", "2026-04-30", "message: 1 May"),
    ("2026-02-27", 10, "calendar", "date_plus_n", "previous", "2026-03-06", "message: 09.03 off, weekend before"),
    ("2026-06-02", 10, "calendar", "date_plus_n", "previous", "2026-06-11", "message: 12 June"),
    ("2026-03-02", 30, "calendar", "inclusive", "previous", "2026-03-31", "registration day is day one"),
    ("2026-01-25", 30, "calendar", "inclusive", "previous", "2026-02-20", "inclusive lands on 23.02"),
    ("2026-03-02", 10, "working", "date_plus_n", "previous", "2026-03-17", "10 working days over 09.03"),
    ("2025-12-26", 5, "working", "date_plus_n", "previous", "2026-01-14", "working days over the New Year"),
    ("2025-10-30", 3, "working", "date_plus_n", "previous", "2025-11-05", "working Saturday counts"),
    ("2026-03-02", 7, "calendar", "date_plus_n", "previous", "2026-03-06", "forwarding: 09.03 off"),
    ("2026-04-27", 7, "calendar", "date_plus_n", "previous", "2026-05-04", "forwarding: Monday after 1-3 May"),
    ("2026-04-22", 20, "calendar", "date_plus_n", "previous", "2026-05-12", "migration: 20 days"),
    ("2026-04-21", 20, "calendar", "date_plus_n", "previous", "2026-05-08", "migration: 9-11 May off"),
    ("2026-04-21", 20, "calendar", "date_plus_n", "none", "2026-05-11", "no shift"),
]


@pytest.mark.parametrize(("registered", "days", "day_kind", "count_from", "shift", "expected", "why"), REGIME_CASES)
def test_regime_due_date(registered, days, day_kind, count_from, shift, expected, why) -> None:
    assert regime_due_date(D(registered), days, CAL, day_kind=day_kind, count_from=count_from, shift=shift) == D(
        expected
    ), why


@pytest.mark.parametrize(
    ("current", "days", "expected", "why"),
    [
        ("2026-04-01", 30, "2026-04-30", "extension onto 1 May"),
        ("2026-02-11", 30, "2026-03-13", "plain Friday"),
        ("2026-05-08", 30, "2026-06-05", "07.06 Sunday"),
        ("2026-12-01", 30, "2026-12-30", "31.12.2026 off"),
        ("2026-06-05", 7, "2026-06-11", "onto 12 June"),
        ("2026-04-01", 4, "2026-04-03", "a 4-day pause onto Sunday"),
        ("2026-02-20", 4, "2026-02-24", "a pause after 23 February"),
    ],
)
def test_extensions_and_pauses_add_to_the_current_deadline(current, days, expected, why) -> None:
    assert extended_due_date(D(current), days, CAL) == D(expected), why


@pytest.mark.parametrize(
    ("received", "expected"),
    [("2026-12-29", "2026-12-30"), ("2025-12-30", "2025-12-30"), ("2026-04-28", "2026-04-30")],
)
def test_registration_clock_at_year_end(received, expected) -> None:
    assert registration_due_date(D(received), CAL) == D(expected)


@settings(max_examples=300, deadline=None)
@given(
    registered=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 11, 30)),
    days=st.integers(min_value=1, max_value=60),
    shift=st.sampled_from(["previous", "next"]),
    count_from=st.sampled_from(["date_plus_n", "inclusive"]),
)
def test_a_shifted_deadline_is_always_a_working_day(registered, days, shift, count_from) -> None:
    due = regime_due_date(registered, days, CAL, count_from=count_from, shift=shift)
    raw = registered + dt.timedelta(days=days - 1 if count_from == "inclusive" else days)
    assert CAL.is_working_day(due)
    assert due >= registered  # never before the registration day
    if shift == "next" or due > raw:
        # Forward: the first working day from the raw date (backwards only when it would cross registration).
        assert due == CAL.next_working_day(raw)
    else:
        assert due == CAL.previous_working_day(raw)
