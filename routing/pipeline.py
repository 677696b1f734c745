"""Registration step: route every question nobody routed yet, recording why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, OuterRef

from appeals.choices import Kind, QuestionStatus
from appeals.models import Question
from classification.models import Suggestion
from classification.pipeline import engine_for
from classification.selectors import record_for
from nlp.pipeline import analysis_of
from routing.engine import Context
from routing.models import RoutingDecision
from routing.selectors import setup
from routing.services import is_complaint, questions_route


def route_appeals(*, appeals: Sequence[Any], actor: Any) -> None:
    """Rules, then learned routing, with the competence check first; idempotent per question."""
    by_pk = {appeal.pk: appeal for appeal in appeals if appeal.kind != Kind.NOT_APPEAL}
    # A non-appeal is closed without a reply (DOMAIN.md section 1): nobody needs to handle it.
    if not by_pk:
        return
    questions = list(
        Question.objects.filter(
            appeal__in=list(by_pk), department__isnull=True, executor__isnull=True, status=QuestionStatus.NEW
        )
        .filter(~Exists(RoutingDecision.objects.filter(question=OuterRef("pk"))))
        .select_related("classifier")
        .order_by("appeal_id", "position")
    )
    if not questions:
        return
    config = setup()  # once for the batch
    suggestions = {
        s.question_id: s
        for s in Suggestion.objects.filter(question__in=questions).select_related("classifier", "local_category")
    }
    routes: list[tuple[Question, Context, bool]] = []
    for question in questions:
        appeal = question.appeal = by_pk[question.appeal_id]
        analysis = analysis_of(appeal)
        current = engine_for(appeal)
        suggestion = suggestions.get(question.pk)
        code = question.classifier or (suggestion.classifier if suggestion else None)
        local = suggestion.local_category if suggestion else None
        record = record_for(
            text=question.text,
            channel=appeal.channel,
            district=analysis.district if analysis else "",
            address=analysis.place_address if analysis else "",
            lat=analysis.lat if analysis else None,
            lon=analysis.lon if analysis else None,
        )
        predicted = current.predict_department(record)
        context = Context(
            text=question.text,
            code=code.code if code else "",
            code_name=code.name if code else "",
            local_code=local.code if local else "",
            local_name=local.name if local else "",
            district=analysis.district if analysis else "",
            kind=appeal.kind,
            predicted_department_id=int(predicted.value) if predicted else None,
            predicted_department=predicted.label if predicted else "",
            predicted_confidence=predicted.confidence if predicted else 0.0,
        )
        routes.append((question, context, is_complaint(question, suggestion.qtype if suggestion else "")))
    questions_route(routes, config=config)


def route_appeal(*, appeal: Any, actor: Any) -> None:
    route_appeals(appeals=[appeal], actor=actor)
