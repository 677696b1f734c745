"""Reads of plans: my deadlines, the controller's board, a question's stage timeline."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from appeals.selectors import appeals_visible_to
from org.selectors import actor_for
from workflow.choices import PlanState, StageStatus
from workflow.models import ExtensionRequest, Notification, QuestionPlan, StagePlan

OPEN_STATES = [PlanState.ON_TRACK, PlanState.COMPRESSED, PlanState.AT_RISK, PlanState.OVERDUE]


def my_plans(user: AbstractBaseUser | AnonymousUser) -> QuerySet[QuestionPlan]:
    """Open plans of the questions the user executes (or substitutes for), earliest deadline first."""
    actor = actor_for(user)
    if not actor.is_staff_member:
        return QuestionPlan.objects.none()
    mine = Q(question__executor_id__in=actor.acting_for_staff_ids)
    if actor.headed_department_ids:
        mine |= Q(question__department_id__in=actor.headed_department_ids)
    return (
        QuestionPlan.objects.filter(mine, state__in=OPEN_STATES)
        .select_related("question__appeal", "question__executor__user", "question__department", "regime")
        .order_by("due", "pk")
    )


def plans_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[QuestionPlan]:
    return QuestionPlan.objects.filter(question__appeal__in=appeals_visible_to(user))


def current_stages(plans: list[QuestionPlan]) -> dict[int, StagePlan]:
    """The running stage of each plan, in one query."""
    rows = StagePlan.objects.filter(plan__in=plans, status=StageStatus.ACTIVE).order_by("plan_id", "position")
    return {s.plan_id: s for s in rows}


@dataclass
class BoardCell:
    department: str
    stage: str
    at_risk: int = 0
    overdue: int = 0


def board(user: AbstractBaseUser | AnonymousUser) -> tuple[list[BoardCell], list[QuestionPlan]]:
    """At-risk and overdue questions by department and running stage: where time is lost."""
    troubled = list(
        plans_visible_to(user)
        .filter(state__in=[PlanState.AT_RISK, PlanState.OVERDUE])
        .select_related("question__appeal", "question__department", "question__executor__user")
        .order_by("due", "pk")
    )
    stages = current_stages(troubled)
    counter: Counter[tuple[str, str, str]] = Counter()
    for plan in troubled:
        stage = stages.get(plan.pk)
        department = str(plan.question.department or "не распределено")
        counter[(department, stage.name if stage else "—", plan.state)] += 1
    cells: dict[tuple[str, str], BoardCell] = {}
    for (department, stage_name, state), n in counter.items():
        cell = cells.setdefault((department, stage_name), BoardCell(department, stage_name))
        if state == PlanState.AT_RISK:
            cell.at_risk += n
        else:
            cell.overdue += n
    ordered = sorted(cells.values(), key=lambda c: (-(c.overdue + c.at_risk), c.department, c.stage))
    return ordered, troubled


def pending_extension(question_id: int) -> ExtensionRequest | None:
    return ExtensionRequest.objects.filter(question_id=question_id, status="pending").first()


def unread_count(user: AbstractBaseUser | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
