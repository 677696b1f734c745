"""Who may manage the outbox: retry, cancel, redirect, print batches."""

from __future__ import annotations

from org.choices import RoleCode
from org.selectors import Actor


def can_manage(actor: Actor) -> bool:
    return actor.has(RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)
