"""Who may do what with applicant cards: pure functions of an `Actor`."""

from __future__ import annotations

from org.choices import RoleCode
from org.selectors import Actor


def can_merge(actor: Actor) -> bool:
    """Merge duplicate cards, undo a merge, decide on the review queue."""
    return actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)


def can_run_batch(actor: Actor) -> bool:
    """Start a search for duplicates over the whole registry."""
    return actor.has(RoleCode.ADMINISTRATOR)


def sees_all_applicants(actor: Actor) -> bool:
    """Operators, controllers and administrators see every card; others only their appeals' applicants."""
    return actor.sees_everything
