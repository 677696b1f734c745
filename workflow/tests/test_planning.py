"""The array planner: natural plans, compression, unreachable deadlines, forecasts (and properties)."""

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.calendar import ProductionCalendar
from workflow import planning as p

MSK = 3 * 3600.0
CAL = p.WorkCalendar.build(ProductionCalendar(), dt.date(2025, 1, 1), dt.date(2028, 12, 31), MSK)


def ts(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.timezone(dt.timedelta(hours=3))).timestamp()


def day_end(text: str) -> float:
    return CAL.end_of_day(np.array([(dt.date.fromisoformat(text) - dt.date(1970, 1, 1)).days]))[0]


def batch(stages, deadline: str, expected=None) -> p.Batch:
    """stages: (status, unit, norm, minimum, actual_start, actual_end)."""
    k = len(stages)
    arr = lambda i, dtype=float: np.array([[s[i] for s in stages]], dtype=dtype).reshape(1, k)  # noqa: E731
    start = np.array([[ts(s[4]) if s[4] else np.nan for s in stages]])
    end = np.array([[ts(s[5]) if s[5] else np.nan for s in stages]])
    return p.Batch(
        status=arr(0, np.int8),
        unit=arr(1, np.int8),
        norm=arr(2),
        minimum=arr(3),
        actual_start=start,
        actual_end=end,
        deadline=np.array([day_end(deadline)]),
        expected=None if expected is None else np.array([expected], dtype=float),
    )


def as_local(value: float) -> str:
    return dt.datetime.fromtimestamp(value, tz=dt.timezone(dt.timedelta(hours=3))).strftime("%Y-%m-%d %H:%M")


def test_working_day_arithmetic_skips_holidays_and_weekends() -> None:
    t = np.array([ts("2026-02-20T10:00")])  # Friday before the 23 February holiday
    assert as_local(CAL.add_working_days(t, np.array([1.0]))[0]) == "2026-02-24 10:00"
    t = np.array([ts("2025-12-30T09:00")])
    assert as_local(CAL.add_working_days(t, np.array([1.0]))[0]) == "2026-01-12 09:00"
    t = np.array([ts("2025-10-31T09:00")])  # 01.11.2025 was a working Saturday
    assert as_local(CAL.add_working_days(t, np.array([1.0]))[0]) == "2025-11-01 09:00"
    t = np.array([ts("2026-03-07T12:00")])  # from a Saturday, one working day is Tuesday (09.03 off)
    assert as_local(CAL.add_working_days(t, np.array([1.0]))[0]) == "2026-03-10 12:00"


def test_natural_plan_fits_with_reserve() -> None:
    b = batch(
        [
            (p.DONE, p.HOURS, 24, 1, "2026-03-02T09:00", "2026-03-02T10:00"),
            (p.ACTIVE, p.WORKING_DAYS, 2, 1, "2026-03-02T10:00", None),
            (p.PENDING, p.WORKING_DAYS, 10, 4, None, None),
        ],
        "2026-04-01",
    )
    result = p.plan(b, CAL, ts("2026-03-02T11:00"))
    assert result.factor[0] == 1.0 and result.reachable[0]
    assert as_local(result.planned_due[0, 1]) == "2026-03-04 10:00"
    assert as_local(result.planned_due[0, 2]) == "2026-03-19 10:00"  # 10 working days; 09.03 is a holiday
    assert np.isnan(result.planned_due[0, 0])
    assert result.reserve[0] > 10 * 86400


def test_late_stage_compresses_the_rest_down_to_the_deadline() -> None:
    b = batch(
        [
            (p.DONE, p.WORKING_DAYS, 2, 1, "2026-03-02T10:00", "2026-03-20T10:00"),  # took 14 working days
            (p.PENDING, p.WORKING_DAYS, 10, 4, None, None),
            (p.PENDING, p.WORKING_DAYS, 3, 1, None, None),
        ],
        "2026-04-01",
    )
    result = p.plan(b, CAL, ts("2026-03-20T10:00"))
    assert result.reachable[0] and 0 < result.factor[0] < 1
    assert result.end[0] <= b.deadline[0]
    assert b.deadline[0] - result.end[0] < 86400  # the compression uses the time it has


def test_unreachable_deadline_is_flagged() -> None:
    b = batch(
        [
            (p.DONE, p.WORKING_DAYS, 2, 1, "2026-03-02T10:00", "2026-03-30T10:00"),
            (p.PENDING, p.WORKING_DAYS, 10, 4, None, None),
        ],
        "2026-04-01",
    )
    result = p.plan(b, CAL, ts("2026-03-30T10:00"))
    assert not result.reachable[0] and result.factor[0] == 0
    assert result.reserve[0] < 0


def test_finished_plan_and_forecast_from_history() -> None:
    done = batch([(p.DONE, p.HOURS, 24, 1, "2026-03-02T09:00", "2026-03-02T10:00")], "2026-04-01")
    assert p.plan(done, CAL, ts("2026-03-10T10:00")).finished[0]
    slow = batch(
        [(p.ACTIVE, p.WORKING_DAYS, 5, 2, "2026-03-02T10:00", None), (p.PENDING, p.WORKING_DAYS, 3, 1, None, None)],
        "2026-03-13",
        expected=[20 * 86400.0, np.nan],  # this department usually needs 20 days for the stage
    )
    result = p.plan(slow, CAL, ts("2026-03-03T10:00"))
    assert result.reachable[0]
    assert result.forecast_end[0] > slow.deadline[0]


stage_strategy = st.tuples(
    st.sampled_from([p.HOURS, p.WORKING_DAYS, p.CALENDAR_DAYS]),
    st.integers(min_value=1, max_value=15),
    st.integers(min_value=0, max_value=15),
)


@settings(max_examples=150, deadline=None)
@given(
    stages=st.lists(stage_strategy, min_size=1, max_size=8),
    done_count=st.integers(min_value=0, max_value=3),
    late_days=st.integers(min_value=0, max_value=40),
    horizon=st.integers(min_value=1, max_value=60),
)
def test_plan_never_passes_a_reachable_deadline(stages, done_count, late_days, horizon) -> None:
    registered = ts("2026-03-02T10:00")
    now = registered + late_days * 86400
    k = len(stages)
    status = np.array(
        [[p.DONE if j < done_count else (p.ACTIVE if j == done_count else p.PENDING) for j in range(k)]], dtype=np.int8
    )
    unit = np.array([[s[0] for s in stages]], dtype=np.int8)
    norm = np.array([[float(s[1]) for s in stages]])
    minimum = np.minimum(norm, np.array([[float(s[2]) for s in stages]]))
    start = np.where(status == p.DONE, registered, np.nan)
    start = np.where(status == p.ACTIVE, now, start)
    end = np.where(status == p.DONE, now, np.nan)
    deadline = np.array([registered + horizon * 86400.0])
    b = p.Batch(
        status=status, unit=unit, norm=norm, minimum=minimum, actual_start=start, actual_end=end, deadline=deadline
    )
    result = p.plan(b, CAL, now)
    if result.reachable[0]:
        assert result.end[0] <= deadline[0] + 1e-6
        dues = result.planned_due[0][~np.isnan(result.planned_due[0])]
        assert (dues <= deadline[0] + 1e-6).all()
        assert (np.diff(dues) >= -1e-6).all()  # stages follow each other
    else:
        # Even minimum norms end after the deadline.
        assert result.factor[0] == 0 and result.end[0] > deadline[0]
    assert 0.0 <= result.factor[0] <= 1.0
