"""Who may do what with subject groups: pure checks over a resolved Actor."""

from __future__ import annotations

from appeals import rules as appeal_rules
from appeals.choices import QuestionStatus
from appeals.models import Question
from grouping.choices import GroupStatus
from grouping.models import SubjectGroup
from org.choices import RoleCode
from org.selectors import Actor


def heads_group(actor: Actor, group: SubjectGroup) -> bool:
    return actor.has(RoleCode.HEAD) and group.department_id in actor.headed_department_ids


def leads_group(actor: Actor, group: SubjectGroup) -> bool:
    return group.lead_id is not None and group.lead_id in actor.acting_for_staff_ids


def can_change_membership(actor: Actor, question: Question) -> bool:
    """Join or leave: operators and administrators, and whoever may (re)assign the question."""
    if question.status == QuestionStatus.DONE:
        return False
    if actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR):
        return True
    return appeal_rules.can_assign(actor, question)


def can_set_lead(actor: Actor, group: SubjectGroup) -> bool:
    if group.status != GroupStatus.OPEN:
        return False
    if actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR) or heads_group(actor, group):
        return True
    # A group nobody took yet may be taken by a head (for someone of their own unit: see the service).
    return group.department_id is None and actor.has(RoleCode.HEAD)


def can_answer(actor: Actor, group: SubjectGroup) -> bool:
    return group.status == GroupStatus.OPEN and (leads_group(actor, group) or heads_group(actor, group))


def can_approve(actor: Actor, group: SubjectGroup) -> bool:
    return group.status == GroupStatus.ON_APPROVAL and (heads_group(actor, group) or actor.has(RoleCode.ADMINISTRATOR))


def can_publish(actor: Actor, group: SubjectGroup) -> bool:
    return group.is_answered and (heads_group(actor, group) or actor.has(RoleCode.ADMINISTRATOR, RoleCode.CONTROLLER))


def can_rename(actor: Actor, group: SubjectGroup) -> bool:
    return (
        actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR) or heads_group(actor, group) or leads_group(actor, group)
    )


def can_close(actor: Actor, group: SubjectGroup) -> bool:
    return group.status == GroupStatus.ANSWERED and actor.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)


def can_split(actor: Actor, appeal_open: bool, questions: list[Question]) -> bool:
    """Splitting re-cuts question texts: the operator's, before any answer is drafted."""
    return (
        appeal_open
        and actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)
        and all(q.status in (QuestionStatus.NEW, QuestionStatus.ASSIGNED) and not q.answer for q in questions)
    )
