"""Who may see and handle incoming items: pure checks over a resolved Actor."""

from __future__ import annotations

from org.choices import RoleCode
from org.selectors import Actor

# Registration is the operator's work; controllers see the queue to check nothing is stuck.
VIEWERS = (RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)
HANDLERS = (RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)


def can_view_intake(actor: Actor) -> bool:
    return actor.has(*VIEWERS)


def can_handle_item(actor: Actor) -> bool:
    """Retry a failed item or decide it is not an appeal, spam or a duplicate."""
    return actor.has(*HANDLERS)
