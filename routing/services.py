"""Writes of routing: the automatic decision at registration, applying a proposal, forwarding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from appeals import rules as appeal_rules
from appeals import services as appeal_services
from appeals.choices import EventKind, QuestionType
from appeals.models import AppealEvent, Question
from core import clock
from core.bulk import insert_rows
from core.text import shorten
from org.choices import RoleCode
from org.models import Department, StaffMember
from org.selectors import actor_for
from routing.choices import DecisionSource, ProposalStatus
from routing.engine import Context, competence, decide, pick_executor
from routing.models import ExternalBody, ForwardingProposal, RoutingDecision
from routing.selectors import Setup, executor_loads, setup

FORWARD_DAYS = 7  # 59-FZ art. 8 p. 3: forward within seven days of registration


def _event(question: Question, actor: User | None, note: str) -> None:
    AppealEvent.objects.create(
        appeal_id=question.appeal_id,
        question=question,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=clock.now(),
        kind=EventKind.COMMENT,
        note=note,
    )


def _forward_by(question: Question) -> dt.date:
    return timezone.localtime(question.appeal.registered_at).date() + dt.timedelta(days=FORWARD_DAYS)


@transaction.atomic
def question_route(
    *, question: Question, context: Context, is_complaint: bool = False, config: Setup | None = None
) -> RoutingDecision:
    """Decide where a new question goes, record why, and route it when the decision is sure.

    Outside the body's competence the question is not routed inside: a forwarding proposal with
    the 7-day date is made for the operator instead. `config`: the routing set-up the caller
    read for a whole batch (read here when not given).
    """
    return questions_route([(question, context, is_complaint)], config=config or setup())[0]


def questions_route(routes: Sequence[tuple[Question, Context, bool]], *, config: Setup) -> list[RoutingDecision]:
    """`question_route` for many new questions: the decisions that only record a proposal (the
    usual case) go in with one insert; a forwarding proposal or an applied route is written
    question by question. The decisions, in order."""
    decisions: list[RoutingDecision] = []
    recorded: list[RoutingDecision] = []
    for question, context, is_complaint in routes:
        decision, forwarding = _route_decision(question, context, is_complaint, config)
        if decision.applied or forwarding is not None:
            with transaction.atomic():
                _route_write(question, decision, forwarding)
        else:
            recorded.append(decision)
        decisions.append(decision)
    insert_rows(RoutingDecision, recorded)
    return decisions


def _route_decision(
    question: Question, context: Context, is_complaint: bool, config: Setup
) -> tuple[RoutingDecision, ForwardingProposal | None]:
    """The decision for a new question and, outside the competence, the forwarding proposal;
    neither saved yet."""
    scope = competence(context, own_prefixes=config.own_prefixes, bodies=config.bodies, is_complaint=is_complaint)
    if not scope.in_competence:
        body = ExternalBody.objects.filter(pk=scope.body_id).first() if scope.body_id else None
        forward_by = _forward_by(question)
        where = f"переадресовать в «{body}»" if body else "вернуть заявителю с разъяснением"
        record = RoutingDecision(
            question=question,
            source=DecisionSource.COMPETENCE,
            reason=f"вне компетенции: {scope.reason}. Предложено {where} до {forward_by:%d.%m.%Y}, уведомив заявителя",
            created_at=clock.now(),
        )
        forwarding = ForwardingProposal(
            question=question,
            external_body=body,
            reason=scope.reason,
            excluded="\n".join(scope.excluded),
            forward_by=forward_by,
            created_at=clock.now(),
        )
        return record, forwarding
    decision = decide(context, config.rules, auto_threshold=settings.OTKLIK_AUTO_ROUTE_PERCENT / 100)
    reasons = list(decision.reasons)
    department = None
    if decision.department_id is not None:
        department = Department.objects.filter(pk=decision.department_id, is_active=True).first()
    executor = None
    if decision.executor_id or decision.balance:
        named = None
        if decision.executor_id is not None:
            named = StaffMember.objects.select_related("department").filter(pk=decision.executor_id).first()
        unit = department or (named.department if named is not None else None)
        if unit is not None:
            executor_id, why = pick_executor(executor_loads(unit), preferred=decision.executor_id)
            reasons.append(why)
            if executor_id is not None:
                executor = StaffMember.objects.select_related("user", "department").filter(pk=executor_id).first()
            department = department or unit
    record = RoutingDecision(
        question=question,
        source=decision.source,
        rule_id=decision.rule_id,
        department=department,
        executor=executor,
        confidence=decision.confidence,
        reason="; ".join(reasons),
        applied=decision.apply and (department is not None or executor is not None),
        created_at=clock.now(),
    )
    return record, None


def _route_write(question: Question, record: RoutingDecision, forwarding: ForwardingProposal | None) -> None:
    """Store a decision that does more than record itself: the forwarding proposal, or the route."""
    if forwarding is not None:
        forwarding.save()
    record.save()
    if record.applied:
        appeal_services.question_route_automatically(
            question=question,
            department=record.department,
            executor=record.executor,
            reason="Маршрутизация: " + shorten(record.reason, 900),
        )


def _require_router(actor: User, question: Question) -> None:
    info = actor_for(actor)
    if not (appeal_rules.can_assign(info, question) or info.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)):
        raise PermissionDenied("Недостаточно прав для маршрутизации вопроса.")


@transaction.atomic
def routing_apply(*, decision: RoutingDecision, actor: User) -> RoutingDecision:
    """The operator accepts a proposed route in one click (the assignment rules still apply)."""
    decision = RoutingDecision.objects.select_for_update().select_related("question__appeal").get(pk=decision.pk)
    if decision.applied:
        raise ValidationError("Этот маршрут уже применён.")
    if decision.department_id is None and decision.executor_id is None:
        raise ValidationError("В этом решении некуда направлять: выберите подразделение вручную.")
    appeal_services.question_assign(
        question=decision.question,
        actor=actor,
        department=decision.department,
        executor=decision.executor,
        note="Маршрут по подсказке: " + shorten(decision.reason, 500),
    )
    decision.applied = True
    decision.applied_by = actor
    decision.save(update_fields=["applied", "applied_by"])
    return decision


@transaction.atomic
def forwarding_accept(*, proposal: ForwardingProposal, actor: User) -> ForwardingProposal:
    """Forward by competence: the question takes the 7-day forwarding path (art. 8), the applicant is to be told."""
    from workflow import services as workflow_services
    from workflow.choices import Path

    # Only the proposal row is locked: PostgreSQL cannot lock the optional side of an outer join.
    proposal = (
        ForwardingProposal.objects.select_for_update(of=("self",))
        .select_related("question__appeal", "external_body")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError("По этому предложению уже принято решение.")
    if proposal.external_body is None:
        raise ValidationError(
            "Компетентный орган не найден: вопрос возвращается заявителю — выберите путь «без ответа»."
        )
    _require_router(actor, proposal.question)
    target = proposal.external_body
    workflow_services.path_set(
        question=proposal.question,
        actor=actor,
        path=Path.FORWARDING,
        note=f"Переадресация по компетенции в «{target}» до {proposal.forward_by:%d.%m.%Y} с уведомлением заявителя",
    )
    proposal.status = ProposalStatus.ACCEPTED
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def forwarding_dismiss(*, proposal: ForwardingProposal, actor: User, note: str = "") -> ForwardingProposal:
    """The question is ours after all: the proposal is dismissed, with the reason in the history."""
    proposal = ForwardingProposal.objects.select_for_update().select_related("question__appeal").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError("По этому предложению уже принято решение.")
    _require_router(actor, proposal.question)
    proposal.status = ProposalStatus.DISMISSED
    proposal.decided_by = actor
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _event(
        proposal.question,
        actor,
        "Переадресация не нужна: вопрос в компетенции органа" + (f". {note.strip()}" if note.strip() else ""),
    )
    return proposal


def is_complaint(question: Question, suggested_qtype: str) -> bool:
    return QuestionType.COMPLAINT in (question.qtype, suggested_qtype)
