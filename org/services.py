"""Writes to the organisation structure."""

from __future__ import annotations

from org.choices import RoleCode
from org.models import Role


def roles_ensure() -> None:
    """Make sure the five fixed roles exist (a migration seeds them; a flushed database loses them)."""
    for code, label in RoleCode.choices:
        Role.objects.get_or_create(code=code, defaults={"name": label})
