"""The stage timeline of a question on the appeal card, with the actions the user may take."""

from __future__ import annotations

from typing import Any

from django import template

from appeals.models import Question
from org.choices import RoleCode
from org.selectors import actor_for
from workflow.choices import ExtensionStatus, Path, StageStatus
from workflow.forms import ExtensionRequestForm, PathForm, ReasonForm
from workflow.models import ExtensionRequest, Pause, QuestionPlan

register = template.Library()


@register.inclusion_tag("workflow/_question_stages.html", takes_context=True)
def question_stages(context: dict[str, Any], question: Question) -> dict[str, Any]:
    plan = QuestionPlan.objects.filter(question=question).select_related("regime", "workflow").first()
    if plan is None:
        return {"plan": None}
    actor = actor_for(context["request"].user)
    stages = list(plan.stages.order_by("position"))
    is_executor = question.executor_id in actor.acting_for_staff_ids
    is_head = actor.has(RoleCode.ADMINISTRATOR) or question.department_id in actor.headed_department_ids
    running = plan.state != "done"
    pending = ExtensionRequest.objects.filter(question=question, status=ExtensionStatus.PENDING).first()
    open_pause = Pause.objects.filter(question=question, ended_at__isnull=True).first()
    approved = (
        ExtensionRequest.objects.filter(question=question, status=ExtensionStatus.APPROVED)
        .order_by("-decided_at")
        .first()
    )
    optional = list(plan.workflow.stages.filter(optional=True)) if running else []
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    return {
        "plan": plan,
        "question": question,
        "stages": stages,
        "active": active,
        "pending": pending,
        "approved": approved,
        "open_pause": open_pause,
        "optional": optional,
        "can_request": running and (is_executor or is_head) and pending is None,
        "can_decide": is_head and pending is not None,
        "can_pause": running and (is_executor or is_head) and plan.regime.allows_pause and open_pause is None,
        "can_resume": (is_executor or is_head) and open_pause is not None,
        "can_stage": running and (is_executor or is_head) and active is not None,
        "can_path": running
        and plan.path == Path.MAIN
        and (actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR) or is_head),
        "extension_form": ExtensionRequestForm(
            initial={"days": min(30, plan.regime.max_extension_days - plan.extended_days)}
        ),
        "reason_form": ReasonForm(),
        "path_form": PathForm(),
    }
