"""The card's panels: a question's group, proposals and repeat link; the appeal's split into questions.

The first question of a card loads the data of every question of the appeal in a fixed number of
queries and keeps it in the render context for the others.
"""

from __future__ import annotations

from typing import Any, cast

from django import template

from appeals.models import Appeal, Question
from grouping import rules
from grouping.selectors import panels_for
from grouping.services import appeal_is_open, split_propose
from org.selectors import actor_for

register = template.Library()

_CACHE = "otklik_groups"


@register.inclusion_tag("groups/_question_panel.html", takes_context=True)
def question_group(context: template.Context, question: Question) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    render_context = cast(Any, context.render_context)
    if _CACHE not in render_context:
        ids = list(
            Question.objects.filter(appeal_id=question.appeal_id).order_by("position").values_list("pk", "position")
        )
        render_context[_CACHE] = {"panels": panels_for([i for i, _ in ids]), "positions": ids}
    data = render_context[_CACHE]
    panel = data["panels"].get(question.pk)
    if panel is None:
        return {"show": False}
    actor = actor_for(request.user)
    can_change = rules.can_change_membership(actor, question)
    card_appeal = context.get("appeal")
    appeal = (
        card_appeal if isinstance(card_appeal, Appeal) and card_appeal.pk == question.appeal_id else question.appeal
    )
    return {
        "show": True,
        "q": question,
        "panel": panel,
        "can_change": can_change,
        "can_merge": rules.can_split(actor, appeal_is_open(appeal), [question]) and len(data["positions"]) > 1,
        "others": [(pk, pos) for pk, pos in data["positions"] if pk != question.pk],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("groups/_split_panel.html", takes_context=True)
def appeal_split(context: template.Context, appeal: Appeal) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    questions = list(appeal.questions.all())
    if not rules.can_split(actor_for(request.user), appeal_is_open(appeal), questions):
        return {"show": False}
    proposal = split_propose(appeal=appeal)
    if len(proposal.sentences) < 2:
        return {"show": False}
    numbers = range(1, min(len(proposal.sentences), 20) + 1)
    rows = [
        {"i": i, "text": s.text, "current": proposal.current[i], "proposed": proposal.proposed[i]}
        for i, s in enumerate(proposal.sentences)
    ]
    return {
        "show": True,
        "appeal": appeal,
        "rows": rows,
        "numbers": numbers,
        "segments": proposal.segments,
        "differs": proposal.differs,
        "question_count": len(questions),
        "csrf_token": context.get("csrf_token"),
    }
