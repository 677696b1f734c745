"""Deadline maths on literal dates of the Russian production calendar (2025-2026)."""

import datetime as dt

import pytest

from core.calendar import ProductionCalendar
from workflow.deadlines import (
    DayKind,
    Shift,
    add_days,
    deadline_state,
    legal_due_date,
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
