"""Registration step: index every question, propose or join groups, mark repeats, watch for resonance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grouping.services import question_match


def match_appeals(*, appeals: Sequence[Any], actor: Any) -> None:
    """Runs after planning, so an automatic join finds the question's stages; idempotent.

    One appeal after another, in the batch's order: each sees the questions matched before it."""
    for appeal in appeals:
        for question in appeal.questions.order_by("position"):
            question_match(question=question, actor=None)


def match_appeal(*, appeal: Any, actor: Any) -> None:
    match_appeals(appeals=[appeal], actor=actor)
