"""Registration step: suggest a code, a local category, a type and a kind for every uncoded question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from classification.selectors import engine, record_for
from classification.services import questions_classify_new
from nlp.pipeline import analysis_of

ENGINE_ATTR = "_otklik_engine"


def engine_for(appeal: Any) -> Any:
    """The engine of this registration: built (or checked) once, shared by the following steps."""
    current = getattr(appeal, ENGINE_ATTR, None)
    if current is None:
        current = engine()
        setattr(appeal, ENGINE_ATTR, current)
    return current


def classify_appeals(*, appeals: Sequence[Any], actor: Any) -> None:
    """Suggest (and, when sure enough, set) the code of each question that has none; idempotent.

    The engine is checked once for the batch and shared by the following steps."""
    from appeals.models import Question

    if not appeals:
        return
    current = engine_for(appeals[0])
    for appeal in appeals:
        setattr(appeal, ENGINE_ATTR, current)
    by_pk = {appeal.pk: appeal for appeal in appeals}
    questions = Question.objects.filter(
        appeal__in=list(by_pk), classifier__isnull=True, suggestion__isnull=True
    ).order_by("appeal_id", "position")
    understood = []
    for question in questions:
        appeal = by_pk[question.appeal_id]
        question.appeal = appeal
        analysis = analysis_of(appeal)
        signal_codes = set(analysis.signal_codes) if analysis is not None else set()
        record = record_for(
            text=question.text,
            channel=appeal.channel,
            district=analysis.district if analysis is not None else "",
            address=analysis.place_address if analysis is not None else "",
            lat=analysis.lat if analysis is not None else None,
            lon=analysis.lon if analysis is not None else None,
        )
        understood.append((question, current.understand(record, channel=appeal.channel, signal_codes=signal_codes)))
    if understood:
        questions_classify_new(understood, vocabulary=current.vocabulary, model_version_id=current.model_version_id)


def classify_appeal(*, appeal: Any, actor: Any) -> None:
    classify_appeals(appeals=[appeal], actor=actor)
