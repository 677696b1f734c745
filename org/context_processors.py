"""Puts the resolved actor into every template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from org.selectors import actor_for


def staff(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"actor": actor_for(user)}
