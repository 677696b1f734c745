"""The «understanding» panel of a question on the appeal card: suggestion, reasons, routing, one-click actions.

The tag computes its own context. The first question of a card loads the data of every question
of the appeal in a fixed number of queries and keeps it for the others (no query per question).
"""

from __future__ import annotations

from typing import Any, cast

from django import template

from appeals import rules
from appeals.choices import QuestionType
from appeals.models import Question
from classification.choices import SuggestionSource, SuggestionStatus
from classification.models import LocalCategory
from classification.selectors import suggestions_for
from nlp.models import AppealAnalysis
from nlp.signals import ABUSE, ANONYMOUS, NOT_APPEAL
from org.selectors import actor_for
from routing.choices import DecisionSource
from routing.selectors import decisions_for, proposals_for

register = template.Library()

_CACHE = "otklik_understanding"


def _appeal_data(question: Question) -> dict[str, Any]:
    ids = list(Question.objects.filter(appeal_id=question.appeal_id).values_list("pk", flat=True))
    return {
        "suggestions": suggestions_for(ids),
        "decisions": decisions_for(ids),
        "proposals": proposals_for(ids),
        "analysis": AppealAnalysis.objects.filter(appeal_id=question.appeal_id).first(),
        "local_choices": None,
    }


def _signal_groups(analysis: AppealAnalysis | None) -> list[dict[str, str]]:
    if analysis is None:
        return []
    out = []
    for s in analysis.signals:
        code = s.get("code", "")
        tone = (
            "danger"
            if code in ABUSE
            else "warning"
            if code in ANONYMOUS
            else "secondary"
            if code in NOT_APPEAL
            else "info"
        )
        out.append({"label": s.get("label", code), "evidence": s.get("evidence", ""), "tone": tone})
    return out


@register.inclusion_tag("classification/_understanding.html", takes_context=True)
def question_understanding(context: template.Context, question: Question) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    # The render context lives for one page: the first question's call fills it for the others.
    render_context = cast(Any, context.render_context)
    if _CACHE not in render_context:
        render_context[_CACHE] = {}
    cache: dict[int, dict[str, Any]] = render_context[_CACHE]
    data = cache.get(question.appeal_id)
    if data is None:
        data = _appeal_data(question)
        cache[question.appeal_id] = data
    actor = actor_for(request.user)
    can_edit = rules.can_edit_appeal(actor, question.appeal) or rules.can_assign(actor, question)
    suggestion = data["suggestions"].get(question.pk)
    decision = data["decisions"].get(question.pk)
    proposal = data["proposals"].get(question.pk)
    analysis = data["analysis"]
    if can_edit and suggestion is not None and data["local_choices"] is None:
        data["local_choices"] = list(
            LocalCategory.objects.filter(is_active=True, parent__isnull=False).only("code", "name").order_by("name")
        ) or list(LocalCategory.objects.filter(is_active=True).only("code", "name").order_by("name"))
    place = (analysis.data or {}).get("place") if analysis is not None else None
    pending = suggestion is not None and suggestion.status == SuggestionStatus.SUGGESTED
    return {
        "show": True,
        "q": question,
        "first": question.position == 1,
        "suggestion": suggestion,
        "pending": pending,
        "source_label": SuggestionSource(suggestion.source).label if suggestion is not None else "",
        "alternatives": [
            a
            for a in (suggestion.alternatives if suggestion is not None else [])
            if a.get("value") != getattr(suggestion.classifier, "code", None)
        ],
        "local_alternatives": [
            a
            for a in (suggestion.local_alternatives if suggestion is not None else [])
            if suggestion.local_category is None or a.get("value") != suggestion.local_category.code
        ],
        "decision": decision,
        "decision_applicable": decision is not None
        and not decision.applied
        and decision.source != DecisionSource.COMPETENCE
        and (decision.department_id or decision.executor_id),
        "proposal": proposal,
        "signals": _signal_groups(analysis) if question.position == 1 else [],
        "place": place,
        "can_edit": can_edit and question.is_open,
        "can_route": can_edit and question.is_open,
        "local_choices": data["local_choices"] or [],
        "qtypes": QuestionType.choices,
        "csrf_token": context.get("csrf_token"),
    }
