"""The current time as services see it.

Services ask `clock.now()` instead of the system clock, so that a loader replaying history
(the demo, an import of another system's archive) can run them "at" past moments and every
record they write — history, stage times, answer dates — carries the moment it happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("otklik_frozen_now", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """Within the block, `now()` is `moment` (an aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("the frozen moment must be timezone-aware")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
