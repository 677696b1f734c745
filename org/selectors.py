"""Who a user is inside the body: staff card, roles, the units they head, whom they substitute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from org.choices import RoleCode
from org.models import Department, StaffMember, Substitution

_CACHE_ATTR = "_otklik_actor"


@dataclass(frozen=True)
class Actor:
    """A resolved user: the facts every access check needs, computed once per request."""

    user_id: int | None
    staff: StaffMember | None
    roles: frozenset[str] = frozenset()
    headed_department_ids: frozenset[int] = frozenset()
    # Staff ids whose questions this actor may handle: themselves plus anyone they substitute today.
    acting_for_staff_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles)

    def has(self, *codes: str) -> bool:
        return any(code in self.roles for code in codes)

    @property
    def sees_everything(self) -> bool:
        return self.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR, RoleCode.OPERATOR)

    @property
    def can_register(self) -> bool:
        return self.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)

    @property
    def can_export_personal_data(self) -> bool:
        return self.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)

    @property
    def can_assign(self) -> bool:
        return self.has(RoleCode.HEAD, RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)


ANONYMOUS = Actor(user_id=None, staff=None)


def _subtree(root_ids: set[int]) -> set[int]:
    result = set(root_ids)
    frontier = set(root_ids)
    while frontier:
        frontier = set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - result
        result |= frontier
    return result


def actor_for(user: AbstractBaseUser | AnonymousUser, *, today: dt.date | None = None) -> Actor:
    """Resolve a user once; the result is cached on the user object for the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    staff = StaffMember.objects.select_related("department", "body").filter(user_id=user.pk).first()
    roles: set[str] = set()
    if staff is not None:
        roles = set(staff.roles.values_list("code", flat=True))
    if getattr(user, "is_superuser", False):
        roles.add(RoleCode.ADMINISTRATOR)
    headed: set[int] = set()
    acting: set[int] = set()
    if staff is not None:
        acting.add(staff.pk)
        today = today or timezone.localdate()
        acting |= set(
            Substitution.objects.filter(substitute=staff, starts_on__lte=today, ends_on__gte=today).values_list(
                "absent_id", flat=True
            )
        )
        if RoleCode.HEAD in roles:
            roots = set(Department.objects.filter(head_id=user.pk).values_list("pk", flat=True))
            if not roots and staff.department_id:
                roots = {staff.department_id}
            headed = _subtree(roots)
    actor = Actor(
        user_id=user.pk,
        staff=staff,
        roles=frozenset(roles),
        headed_department_ids=frozenset(headed),
        acting_for_staff_ids=frozenset(acting),
    )
    setattr(user, _CACHE_ATTR, actor)
    return actor


def executors_queryset(*, department: Department | None = None) -> QuerySet[StaffMember]:
    """Staff who can execute questions, optionally within one unit's subtree."""
    qs = StaffMember.objects.select_related("user", "department").filter(
        user__is_active=True, roles__code__in=[RoleCode.EXECUTOR, RoleCode.HEAD]
    )
    if department is not None:
        qs = qs.filter(department_id__in=_subtree({department.pk}))
    return qs.distinct().order_by("user__last_name", "user__first_name")


def answering_head(department: Department | None) -> User | None:
    """The head who answers for a unit: its own, else the nearest one above it."""
    while department is not None:
        if department.head_id:
            return department.head
        department = department.parent
    return None


def active_departments() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).select_related("body", "parent").order_by("name")


def staff_search(term: str) -> QuerySet[StaffMember]:
    term = term.strip()
    return StaffMember.objects.select_related("user").filter(
        Q(user__last_name__icontains=term) | Q(user__first_name__icontains=term)
    )
