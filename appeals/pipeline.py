"""What registration does after the appeal and its questions exist, in this order.

Each step is `step(*, appeal, actor)`, runs inside the registration transaction (a failure
rolls the whole registration back), and must be idempotent for an appeal it has seen.
Side effects outside the database (notifications, indexing) go to `transaction.on_commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.utils.module_loading import import_string

# Dotted paths, so that appeals does not import the apps that build on it.
REGISTRATION_STEPS: list[str] = [
    "nlp.pipeline.analyze_appeal",
    "classification.pipeline.classify_appeal",
    "routing.pipeline.route_appeal",
    "workflow.services.plan_appeal",
    "grouping.pipeline.match_appeal",
]


@cache
def _steps() -> list[Callable[..., Any]]:
    return [import_string(path) for path in REGISTRATION_STEPS]


def after_registration(*, appeal: Any, actor: Any) -> None:
    for step in _steps():
        step(appeal=appeal, actor=actor)
