"""What registration does after the appeals and their questions exist, in this order.

Each step is `step(*, appeals, actor)` over the appeals registered together (one, or a batch
from the intake queue), runs inside the registration savepoint (a failure rolls the whole
batch back, and the items are then registered one by one), and must be idempotent for an
appeal it has seen. A step may do its work for the batch at once (one query, one bulk
insert) but must give each appeal the same result as if it had been registered alone, in
the batch's order. Side effects outside the database (notifications, indexing) go to
`transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

# Dotted paths, so that appeals does not import the apps that build on it.
REGISTRATION_STEPS: list[str] = [
    "nlp.pipeline.analyze_appeals",
    "classification.pipeline.classify_appeals",
    "routing.pipeline.route_appeals",
    "workflow.services.plan_appeals",
    "grouping.pipeline.match_appeals",
]


@cache
def _steps() -> list[Callable[..., Any]]:
    return [import_string(path) for path in REGISTRATION_STEPS]


def after_registration(*, appeals: Sequence[Any], actor: Any) -> None:
    for step in _steps():
        step(appeals=appeals, actor=actor)
