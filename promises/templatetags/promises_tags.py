"""Promises on the appeal card: the answer screen's proposals and the given promises."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from appeals.models import Appeal, Question
from org.selectors import actor_for
from promises import services
from promises.choices import PromiseStatus
from promises.forms import DraftForm, StatusForm
from promises.models import Promise

register = template.Library()


def proposal_forms(question: Question, proposals: list[services.Proposal]) -> list[tuple[services.Proposal, DraftForm]]:
    return [
        (
            p,
            DraftForm(
                prefix=f"p{question.pk}-{i}",
                initial={
                    "sentence": p.sentence,
                    "due_date": p.due_date,
                    "responsible": p.responsible,
                    "due_text": p.due_text,
                    "source": p.source,
                    "confidence": p.confidence,
                },
            ),
        )
        for i, p in enumerate(proposals)
    ]


@register.inclusion_tag("promises/_answer_promises.html", takes_context=True)
def answer_promises(context: dict[str, Any], question: Question) -> dict[str, Any]:
    """Drafts and proposals under the executor's answer form (and read-only for the approver)."""
    actor = actor_for(context["request"].user)
    drafts = list(question.promises.filter(status=PromiseStatus.DRAFT).order_by("pk"))
    editable = services.can_edit_drafts(actor, question)
    proposals = services.propose(question) if editable and question.answer else []
    return {
        "question": question,
        "drafts": [
            (
                d,
                DraftForm(
                    prefix=f"d{d.pk}",
                    initial={"sentence": d.sentence, "due_date": d.due_date, "responsible": d.responsible},
                ),
            )
            for d in drafts
        ],
        "editable": editable,
        "proposals": proposal_forms(question, proposals),
        "new_form": DraftForm(prefix=f"n{question.pk}"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("promises/_appeal_promises.html", takes_context=True)
def appeal_promises(context: dict[str, Any], appeal: Appeal) -> dict[str, Any]:
    """The given promises of the appeal with their history and status actions."""
    actor = actor_for(context["request"].user)
    promises = list(
        Promise.objects.filter(appeal=appeal)
        .exclude(status=PromiseStatus.DRAFT)
        .select_related("question")
        .prefetch_related("changes__actor")
        .order_by("due_date", "pk")
    )
    today = timezone.localdate()
    rows = [
        {
            "p": p,
            "overdue": p.is_overdue(today),
            "can_change": services.can_change_status(actor, p),
            "form": StatusForm(prefix=f"s{p.pk}"),
        }
        for p in promises
    ]
    return {
        "appeal": appeal,
        "rows": rows,
        "extra_control": any(p.is_open for p in promises),
        "notices": appeal.promise_notices.count() if promises else 0,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("promises/_extra_control_badge.html")
def extra_control_badge(appeal: Appeal) -> dict[str, Any]:
    return {"on": services.on_extra_control(appeal)}
