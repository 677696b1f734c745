"""The deadline calculator shared by the page and `otklik deadline`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.calendar import ProductionCalendar
from workflow.choices import Path
from workflow.deadlines import extended_due_date, regime_due_date
from workflow.models import Regime


@dataclass(frozen=True)
class Calculation:
    due: dt.date
    base_due: dt.date
    registration_due: dt.date
    explanation: list[str]


def calculate(
    regime: Regime, registered: dt.date, calendar: ProductionCalendar, *, path: str = Path.MAIN, extension_days: int = 0
) -> Calculation:
    """The legal deadline with every step explained."""
    days = regime.consideration_days if path == Path.MAIN else regime.forwarding_days
    base = regime_due_date(
        registered, days, calendar, day_kind=regime.day_kind, count_from=regime.count_from, shift=regime.shift
    )
    steps = [
        f"Режим «{regime.name}»: {days} {'рабочих' if regime.day_kind == 'working' else 'календарных'} дн., "
        f"{regime.get_count_from_display().lower()}.",
    ]
    raw = registered + dt.timedelta(days=days)
    if regime.day_kind != "working" and raw != base:
        steps.append(f"{raw:%d.%m.%Y} — нерабочий день: срок переносится ({regime.get_shift_display().lower()}).")
    steps.append(f"Срок: {base:%d.%m.%Y}.")
    due = base
    if extension_days:
        if extension_days > regime.max_extension_days:
            raise ValueError(f"продление в режиме «{regime.name}» не более {regime.max_extension_days} дн.")
        due = extended_due_date(base, extension_days, calendar, shift=regime.shift)
        steps.append(f"Продление на {extension_days} дн.: {due:%d.%m.%Y}.")
    registration_due = regime_due_date(registered, regime.registration_days, calendar, shift=regime.shift)
    return Calculation(due=due, base_due=base, registration_due=registration_due, explanation=steps)
