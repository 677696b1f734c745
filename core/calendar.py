"""The Russian production calendar: federal holidays and transfers, plus administrator overrides.

The `holidays` package (country RU) carries the holidays of Labour Code art. 112 and the
government's yearly day-off transfers, including working Saturdays. An administrator can
override any date (a regional holiday, a late decree) through `core.CalendarDay`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _federal_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Return (days off that fall on weekdays, working weekend days) of one year."""
    ru = holidays.country_holidays("RU", years=year)
    days_off = frozenset(day for day in ru if day.year == year)
    working_weekends = frozenset(d for d in getattr(ru, "weekend_workdays", set()) if d.year == year)
    return days_off, working_weekends


@dataclass(frozen=True)
class ProductionCalendar:
    """Answers whether a date is a working day; overrides win over the federal calendar."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        days_off, working_weekends = _federal_year(day.year)
        if day in working_weekends:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The date itself when it is a working day, else the nearest earlier working day."""
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def next_working_day(self, day: dt.date) -> dt.date:
        """The date itself when it is a working day, else the nearest later working day."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The date `count` working days after `day` (the start day itself is not counted)."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        while remaining:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        days = (start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1))
        return sum(1 for d in days if self.is_working_day(d))


def calendar_from_overrides(rows: Iterable[tuple[dt.date, bool]]) -> ProductionCalendar:
    """Build a calendar from (date, is_working) pairs."""
    return ProductionCalendar(overrides=dict(rows))


_CACHE_SECONDS = 60.0
_cached: tuple[float, ProductionCalendar] | None = None


def current_calendar() -> ProductionCalendar:
    """The calendar with every override stored by administrators (re-read at most once a minute,
    and at once in this process when an override is saved)."""
    global _cached
    now = time.monotonic()
    if _cached is not None and now - _cached[0] < _CACHE_SECONDS:
        return _cached[1]
    from core.models import CalendarDay

    calendar = calendar_from_overrides(CalendarDay.objects.values_list("date", "is_working"))
    _cached = (now, calendar)
    return calendar


def forget_cached_calendar() -> None:
    global _cached
    _cached = None
