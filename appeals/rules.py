"""Who may do what with an appeal or a question: pure checks over a resolved Actor."""

from __future__ import annotations

from appeals.choices import AppealStatus, QuestionStatus
from appeals.models import Appeal, Question
from org.choices import RoleCode
from org.selectors import Actor


def heads_question(actor: Actor, question: Question) -> bool:
    return actor.has(RoleCode.HEAD) and question.department_id in actor.headed_department_ids


def executes_question(actor: Actor, question: Question) -> bool:
    return question.executor_id is not None and question.executor_id in actor.acting_for_staff_ids


def can_edit_appeal(actor: Actor, appeal: Appeal) -> bool:
    """Registration data (text, kind, applicants) is the operator's and administrator's."""
    return appeal.is_open and actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)


def can_assign(actor: Actor, question: Question) -> bool:
    """Operators route new questions; heads (re)assign within their units; administrators anything."""
    if question.status == QuestionStatus.DONE:
        return False
    if actor.has(RoleCode.ADMINISTRATOR):
        return True
    if actor.has(RoleCode.OPERATOR) and question.status == QuestionStatus.NEW:
        return True
    return heads_question(actor, question)


def can_answer(actor: Actor, question: Question) -> bool:
    return question.status == QuestionStatus.ASSIGNED and (
        executes_question(actor, question) or heads_question(actor, question)
    )


def can_approve(actor: Actor, question: Question) -> bool:
    return question.status == QuestionStatus.ON_APPROVAL and (
        heads_question(actor, question) or actor.has(RoleCode.ADMINISTRATOR)
    )


def can_close(actor: Actor, appeal: Appeal) -> bool:
    return appeal.status != AppealStatus.CLOSED and actor.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)


def can_comment(actor: Actor, appeal: Appeal) -> bool:
    return actor.is_staff_member
