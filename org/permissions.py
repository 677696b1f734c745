"""DRF permission: only staff members with a role reach the API."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from org.selectors import actor_for


class IsStaffMember(BasePermission):
    message = "Доступ только для сотрудников с назначенной ролью."

    def has_permission(self, request: Request, view: Any) -> bool:
        return actor_for(request.user).is_staff_member
