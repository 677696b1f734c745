"""Stage planning as array arithmetic: one function plans one question or a million.

Every question is a row of stages (padded to the longest plan). A stage is done, active,
pending or skipped; done stages keep their history, the rest are laid end to end from
now. When the natural plan (every remaining stage at its norm) ends after the legal
deadline, the remaining stages are compressed by one factor f in [0, 1] between their
minimums (f = 0) and norms (f = 1), the largest f that still meets the deadline. When even
the minimums do not fit, the deadline is unreachable: the question is at risk.

Times are float seconds since the epoch (UTC); days are counted in the body's local time,
taken as a fixed UTC offset (Russia has no daylight saving time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.calendar import ProductionCalendar

DAY = 86400.0
HOUR = 3600.0

# Stage status codes in the arrays.
EMPTY, PENDING, ACTIVE, DONE, SKIPPED = -1, 0, 1, 2, 3
# Norm units in the arrays.
HOURS, WORKING_DAYS, CALENDAR_DAYS = 0, 1, 2

_SEARCH_STEPS = 12  # bisection steps for the compression factor: 1/4096 of the spread (minutes)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of a range of dates as arrays, for vectorised day arithmetic."""

    first_day: int  # days since the epoch of index 0
    offset: float  # local time = UTC + offset seconds
    working_upto: np.ndarray  # working_upto[i]: number of working days among days 0..i
    nth_working: np.ndarray  # nth_working[k]: index of the k-th working day (k >= 1)

    @classmethod
    def build(cls, calendar: ProductionCalendar, start: dt.date, end: dt.date, offset: float) -> WorkCalendar:
        days = (end - start).days + 1
        working = np.fromiter(
            (calendar.is_working_day(start + dt.timedelta(days=i)) for i in range(days)), dtype=bool, count=days
        )
        upto = np.cumsum(working).astype(np.int64)
        nth = np.concatenate(([0], np.flatnonzero(working))).astype(np.int64)
        return cls(first_day=(start - dt.date(1970, 1, 1)).days, offset=offset, working_upto=upto, nth_working=nth)

    def day_index(self, t: np.ndarray) -> np.ndarray:
        idx = np.floor((t + self.offset) / DAY).astype(np.int64) - self.first_day
        return np.clip(idx, 0, len(self.working_upto) - 1)

    def add_working_days(self, t: np.ndarray, days: np.ndarray) -> np.ndarray:
        """t plus `days` working days, keeping the time of day; fractions add clock time."""
        idx = self.day_index(t)
        whole = np.floor(days).astype(np.int64)
        frac = days - whole
        target = np.clip(self.working_upto[idx] + whole, 1, len(self.nth_working) - 1)
        shifted = self.nth_working[target]
        moved = (shifted - idx) * DAY
        return np.where(whole > 0, t + moved, t) + frac * DAY

    def end_of_day(self, dates: np.ndarray) -> np.ndarray:
        """The last moment (next midnight, local) of dates given as days since the epoch."""
        return (dates.astype(np.float64) + 1) * DAY - self.offset


@lru_cache(maxsize=8)
def _cached_calendar(
    overrides: tuple[tuple[dt.date, bool], ...], start: dt.date, end: dt.date, offset: float
) -> WorkCalendar:
    return WorkCalendar.build(ProductionCalendar(overrides=dict(overrides)), start, end, offset)


def work_calendar(calendar: ProductionCalendar, *, around: dt.date, offset: float) -> WorkCalendar:
    """A cached calendar covering two years before and three after `around`."""
    start = dt.date(around.year - 2, 1, 1)
    end = dt.date(around.year + 3, 12, 31)
    return _cached_calendar(tuple(sorted(calendar.overrides.items())), start, end, offset)


@dataclass
class Batch:
    """Stages of Q questions, padded to K stages: arrays of shape (Q, K) and (Q,)."""

    status: np.ndarray  # int8
    unit: np.ndarray  # int8
    norm: np.ndarray  # float, in the unit
    minimum: np.ndarray  # float, in the unit
    actual_start: np.ndarray  # float seconds, nan when not started
    actual_end: np.ndarray  # float seconds, nan when not finished
    deadline: np.ndarray  # float seconds: the moment the legal deadline ends
    expected: np.ndarray | None = None  # float seconds, historical duration per stage (nan: use the norm)

    @property
    def shape(self) -> tuple[int, int]:
        return self.status.shape  # type: ignore[return-value]


@dataclass
class Plan:
    planned_start: np.ndarray  # (Q, K), nan for done/skipped/empty stages
    planned_due: np.ndarray
    end: np.ndarray  # (Q,) planned end of the last remaining stage
    factor: np.ndarray  # (Q,) compression factor used (1 = norms, 0 = minimums)
    reachable: np.ndarray  # (Q,) bool
    reserve: np.ndarray  # (Q,) deadline - end, seconds (negative when unreachable)
    finished: np.ndarray  # (Q,) bool: no remaining stages
    forecast_end: np.ndarray  # (Q,) from historical durations


def _add(cal: WorkCalendar, t: np.ndarray, value: np.ndarray, unit: np.ndarray) -> np.ndarray:
    first = unit.flat[0] if unit.size else WORKING_DAYS
    if (unit == first).all():  # the usual case: one unit in the column, compute only that
        if first == HOURS:
            return t + value * HOUR
        if first == CALENDAR_DAYS:
            return t + value * DAY
        return cal.add_working_days(t, value)
    by_hours = t + value * HOUR
    by_calendar = t + value * DAY
    by_working = cal.add_working_days(t, value)
    return np.where(unit == HOURS, by_hours, np.where(unit == CALENDAR_DAYS, by_calendar, by_working))


def _cursor(batch: Batch, now: float) -> np.ndarray:
    """Where remaining work starts when no stage is active: the last finish, not before now."""
    ends = np.where(batch.status == DONE, batch.actual_end, -np.inf)
    last = np.max(ends, axis=1, initial=-np.inf)
    return np.maximum(np.where(np.isfinite(last), last, now), now)


def _walk(batch: Batch, cal: WorkCalendar, now: float, factor: np.ndarray, *, durations: np.ndarray | None = None):  # type: ignore[no-untyped-def]
    """Lay remaining stages end to end; returns (starts, dues, end)."""
    q, k = batch.shape
    starts = np.full((q, k), np.nan)
    dues = np.full((q, k), np.nan)
    cursor = _cursor(batch, now)
    f = factor[:, None]
    value = batch.minimum + f * (batch.norm - batch.minimum)
    for j in range(k):
        status = batch.status[:, j]
        active = status == ACTIVE
        remaining = active | (status == PENDING)
        if not remaining.any():
            continue
        start = np.where(active, batch.actual_start[:, j], np.maximum(cursor, now))
        if durations is not None:
            expected = durations[:, j]
            due = np.where(np.isnan(expected), _add(cal, start, value[:, j], batch.unit[:, j]), start + expected)
            # A stage that is running past its expected length ends no earlier than now.
            due = np.where(active, np.maximum(due, now), due)
        else:
            due = _add(cal, start, value[:, j], batch.unit[:, j])
        starts[:, j] = np.where(remaining, start, np.nan)
        dues[:, j] = np.where(remaining, due, np.nan)
        cursor = np.where(remaining, np.maximum(due, now) if durations is not None else due, cursor)
    return starts, dues, cursor


def _rows(batch: Batch, idx: np.ndarray) -> Batch:
    """The sub-batch of the given questions."""
    return Batch(
        status=batch.status[idx],
        unit=batch.unit[idx],
        norm=batch.norm[idx],
        minimum=batch.minimum[idx],
        actual_start=batch.actual_start[idx],
        actual_end=batch.actual_end[idx],
        deadline=batch.deadline[idx],
        expected=None if batch.expected is None else batch.expected[idx],
    )


def plan(batch: Batch, cal: WorkCalendar, now: float) -> Plan:
    """Plan every question of the batch: the largest compression factor that meets its deadline.

    Most questions fit at their norms; only the late ones are walked again at the minimums and,
    when those fit, searched for the factor — on the sub-batch of those questions alone.
    """
    q, _ = batch.shape
    remaining = (batch.status == ACTIVE) | (batch.status == PENDING)
    finished = ~remaining.any(axis=1)
    ones = np.ones(q)
    starts, dues, end = _walk(batch, cal, now, ones)
    end_full = end
    fits_full = end_full <= batch.deadline
    factor = ones
    reachable = fits_full.copy()
    late = np.flatnonzero(~fits_full)
    if late.size:
        sub = _rows(batch, late)
        n = late.size
        _, _, end_min = _walk(sub, cal, now, np.zeros(n))
        fits_min = end_min <= sub.deadline
        reachable[late] = fits_min
        low, high = np.zeros(n), np.ones(n)
        searching = np.flatnonzero(fits_min)
        if searching.size:
            search = _rows(sub, searching)
            lo, hi = low[searching], high[searching]
            for _ in range(_SEARCH_STEPS):
                mid = (lo + hi) / 2
                _, _, end_mid = _walk(search, cal, now, mid)
                ok = end_mid <= search.deadline
                lo = np.where(ok, mid, lo)
                hi = np.where(ok, hi, mid)
            low[searching] = lo
        sub_factor = np.where(fits_min, low, 0.0)
        sub_starts, sub_dues, sub_end = _walk(sub, cal, now, sub_factor)
        factor = ones.copy()
        factor[late] = sub_factor
        starts[late], dues[late], end = sub_starts, sub_dues, end.copy()
        end[late] = sub_end
    if batch.expected is not None and not np.isnan(batch.expected).all():
        _, _, forecast = _walk(batch, cal, now, ones, durations=batch.expected)
    else:
        forecast = end_full
    return Plan(
        planned_start=starts,
        planned_due=dues,
        end=end,
        factor=factor,
        reachable=reachable,
        reserve=batch.deadline - end,
        finished=finished,
        forecast_end=forecast,
    )
