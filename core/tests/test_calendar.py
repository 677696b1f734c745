import datetime as dt

import pytest

from core.calendar import ProductionCalendar, current_calendar
from core.models import CalendarDay

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-01-01", False),
        ("2026-01-09", False),  # transferred day off of 2026
        ("2026-01-12", True),
        ("2025-11-01", True),  # working Saturday of 2025
        ("2025-11-03", False),
        ("2025-12-31", False),  # transferred from 2025-01-04
        ("2026-03-09", False),  # 8 March fell on a Sunday
        ("2026-06-12", False),
        ("2026-06-13", False),  # a plain Saturday
    ],
)
def test_federal_calendar(day: str, working: bool) -> None:
    assert ProductionCalendar().is_working_day(D(day)) is working


@pytest.mark.django_db
def test_administrator_override_is_used() -> None:
    CalendarDay.objects.create(date=D("2026-06-15"), is_working=False, note="региональный праздник")
    CalendarDay.objects.create(date=D("2026-06-13"), is_working=True, note="рабочая суббота")
    cal = current_calendar()
    assert not cal.is_working_day(D("2026-06-15"))
    assert cal.is_working_day(D("2026-06-13"))
    assert cal.previous_working_day(D("2026-06-15")) == D("2026-06-13")
