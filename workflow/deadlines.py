"""Deadline arithmetic: pure functions of dates, norms and a production calendar.

Defaults follow what most regulations do (DOMAIN.md section 3): calendar days counted
from the registration date (deadline = registration date + N days), and a deadline that
falls on a non-working day moves to the preceding working day.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from core.calendar import ProductionCalendar


class Shift(StrEnum):
    PREVIOUS = "previous"
    NEXT = "next"
    NONE = "none"


class DayKind(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


# Legal norms in days by kind of item (59-FZ art. 12 p.1; 8-FZ art. 18; messages are a setting).
LEGAL_DAYS = {"appeal": 30, "info_request": 30, "not_appeal": 30}
REGISTRATION_DAYS = 3  # 59-FZ art. 8 p.2
FORWARDING_DAYS = 7  # 59-FZ art. 8 p.3


def shift_to_working_day(day: dt.date, calendar: ProductionCalendar, shift: Shift) -> dt.date:
    """Move a deadline off a non-working day in the configured direction."""
    if shift is Shift.PREVIOUS:
        return calendar.previous_working_day(day)
    if shift is Shift.NEXT:
        return calendar.next_working_day(day)
    return day


def add_days(
    start: dt.date,
    days: int,
    calendar: ProductionCalendar,
    *,
    kind: DayKind = DayKind.CALENDAR,
    shift: Shift = Shift.PREVIOUS,
) -> dt.date:
    """The deadline `days` after `start`: calendar days with a shift, or working days."""
    if days < 0:
        raise ValueError("a norm cannot be negative")
    if kind is DayKind.WORKING:
        return calendar.add_working_days(start, days)
    return shift_to_working_day(start + dt.timedelta(days=days), calendar, shift)


def legal_due_date(
    registered_on: dt.date,
    item_kind: str,
    calendar: ProductionCalendar,
    *,
    message_days: int = 10,
    shift: Shift = Shift.PREVIOUS,
) -> dt.date:
    """The legal deadline of consideration for an item of `item_kind` registered on a date."""
    days = message_days if item_kind == "message" else LEGAL_DAYS.get(item_kind)
    if days is None:
        raise ValueError(f"unknown kind of item: {item_kind}")
    due = add_days(registered_on, days, calendar, shift=shift)
    if due < registered_on:
        # Moving back must never cross the registration day: move forward instead.
        due = calendar.next_working_day(registered_on + dt.timedelta(days=days))
    return due


def registration_due_date(
    received_on: dt.date, calendar: ProductionCalendar, *, shift: Shift = Shift.PREVIOUS
) -> dt.date:
    """The last day to register an item received on a date (59-FZ art. 8 p.2)."""
    due = add_days(received_on, REGISTRATION_DAYS, calendar, shift=shift)
    if due < received_on:
        due = calendar.next_working_day(received_on + dt.timedelta(days=REGISTRATION_DAYS))
    return due


def deadline_state(due: dt.date, today: dt.date, *, done: bool, at_risk_days: int, calendar: ProductionCalendar) -> str:
    """«overdue», «at_risk» (due within `at_risk_days` working days), «ok» or «done»."""
    if done:
        return "done"
    if due < today:
        return "overdue"
    if calendar.working_days_between(today, due) <= at_risk_days:
        return "at_risk"
    return "ok"


def regime_due_date(
    registered_on: dt.date,
    days: int,
    calendar: ProductionCalendar,
    *,
    day_kind: str = "calendar",
    count_from: str = "date_plus_n",
    shift: str = "previous",
) -> dt.date:
    """A legal deadline by a regime's counting rules (calendar or working days, inclusive or not)."""
    if days < 0:
        raise ValueError("a norm cannot be negative")
    span = days - 1 if count_from == "inclusive" and days > 0 else days
    if day_kind == "working":
        start = (
            registered_on if calendar.is_working_day(registered_on) else calendar.previous_working_day(registered_on)
        )
        return calendar.add_working_days(start, span) if span else calendar.next_working_day(registered_on)
    raw = registered_on + dt.timedelta(days=span)
    due = shift_to_working_day(raw, calendar, Shift(shift))
    if due < registered_on:
        # Moving back must never cross the registration day: move forward instead.
        due = calendar.next_working_day(raw)
    return due


def extended_due_date(
    current_due: dt.date, days: int, calendar: ProductionCalendar, *, shift: str = "previous"
) -> dt.date:
    """An extension adds its days to the current deadline; the result moves off non-working days."""
    if days < 0:
        raise ValueError("an extension cannot be negative")
    return shift_to_working_day(current_due + dt.timedelta(days=days), calendar, Shift(shift))
