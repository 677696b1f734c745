"""Registration step: index every question, propose or join groups, mark repeats, watch for resonance."""

from __future__ import annotations

from typing import Any

from grouping.services import question_match


def match_appeal(*, appeal: Any, actor: Any) -> None:
    """Runs after planning, so an automatic join finds the question's stages; idempotent."""
    for question in appeal.questions.order_by("position"):
        question_match(question=question, actor=None)
