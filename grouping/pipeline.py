"""Registration step: index every question, propose or join groups, mark repeats, watch for resonance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grouping.services import questions_match


def match_appeals(*, appeals: Sequence[Any], actor: Any) -> None:
    """Runs after planning, so an automatic join finds the question's stages; idempotent.

    One appeal after another, in the batch's order: each sees the questions matched before it."""
    from appeals.models import Question

    order = {appeal.pk: i for i, appeal in enumerate(appeals)}
    questions = sorted(
        Question.objects.filter(appeal__in=list(order)).only("pk", "appeal_id", "position"),
        key=lambda q: (order[q.appeal_id], q.position),
    )
    questions_match(questions, actor=None)


def match_appeal(*, appeal: Any, actor: Any) -> None:
    match_appeals(appeals=[appeal], actor=actor)
