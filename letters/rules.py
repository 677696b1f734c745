"""Who may prepare, edit, register and cancel a letter: pure checks over a resolved Actor."""

from __future__ import annotations

from appeals import rules as appeal_rules
from appeals.models import Appeal
from letters.choices import LetterStatus
from letters.models import Letter
from org.choices import RoleCode
from org.selectors import Actor


def _works_on(actor: Actor, appeal: Appeal) -> bool:
    return any(
        appeal_rules.executes_question(actor, q) or appeal_rules.heads_question(actor, q)
        for q in appeal.questions.all()
    )


def can_prepare(actor: Actor, appeal: Appeal) -> bool:
    """The office (operator, controller, administrator) and whoever executes or heads a question."""
    return actor.has(RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR) or _works_on(actor, appeal)


def can_edit(actor: Actor, letter: Letter) -> bool:
    return letter.status == LetterStatus.DRAFT and can_prepare(actor, letter.appeal)


def can_issue(actor: Actor, letter: Letter) -> bool:
    """Registering the outgoing letter is the office's, or the head of a unit that answered."""
    if letter.status != LetterStatus.DRAFT:
        return False
    if actor.has(RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR):
        return True
    return any(appeal_rules.heads_question(actor, q) for q in letter.appeal.questions.all())


def can_cancel(actor: Actor, letter: Letter) -> bool:
    if letter.status == LetterStatus.DRAFT:
        return can_prepare(actor, letter.appeal)
    return letter.status == LetterStatus.ISSUED and actor.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)


def can_issue_or_send(actor: Actor, letter: Letter) -> bool:
    """Sending a registered letter: the same people who may register it."""
    if actor.has(RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR):
        return True
    return any(appeal_rules.heads_question(actor, q) for q in letter.appeal.questions.all())
