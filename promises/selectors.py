"""Reads of promises, always through the appeals access rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from appeals.models import Appeal
from appeals.selectors import appeals_visible_to
from promises.choices import CLOSED_STATUSES, OPEN_STATUSES, PromiseStatus
from promises.models import Promise

DUE_WINDOWS = {"overdue": "Просроченные", "week": "Срок в ближайшие 7 дней", "month": "Срок в ближайшие 30 дней"}


@dataclass(frozen=True)
class PromiseFilter:
    status: str = "open"  # "open", "closed", "all" or one status
    department_id: int | None = None
    due: str = ""  # one of DUE_WINDOWS
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    q: str = ""


def promises_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Promise]:
    """Given promises of the appeals the user may see (drafts live only on the answer screen)."""
    return Promise.objects.filter(appeal__in=appeals_visible_to(user)).exclude(status=PromiseStatus.DRAFT)


def promise_for_user(user: AbstractBaseUser | AnonymousUser, promise_id: int) -> Promise:
    promise = (
        Promise.objects.filter(appeal__in=appeals_visible_to(user), pk=promise_id)
        .select_related("appeal", "question__department", "question__executor__user")
        .first()
    )
    if promise is None:
        raise Http404("Обещание не найдено")
    return promise


def promise_registry(user: AbstractBaseUser | AnonymousUser, f: PromiseFilter, *, today: dt.date) -> QuerySet[Promise]:
    qs = promises_visible_to(user).select_related("appeal", "question__department", "question__executor__user")
    if f.status == "open":
        qs = qs.filter(status__in=sorted(OPEN_STATUSES))
    elif f.status == "closed":
        qs = qs.filter(status__in=sorted(CLOSED_STATUSES))
    elif f.status in PromiseStatus.values:
        qs = qs.filter(status=f.status)
    if f.department_id:
        qs = qs.filter(question__department_id=f.department_id)
    if f.due == "overdue":
        qs = qs.filter(status__in=sorted(OPEN_STATUSES), due_date__lt=today)
    elif f.due == "week":
        qs = qs.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7))
    elif f.due == "month":
        qs = qs.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=30))
    if f.due_from:
        qs = qs.filter(due_date__gte=f.due_from)
    if f.due_to:
        qs = qs.filter(due_date__lte=f.due_to)
    if f.q:
        qs = qs.filter(Q(appeal__number__icontains=f.q) | Q(sentence__icontains=f.q) | Q(responsible__icontains=f.q))
    return qs.order_by("due_date", "pk")


def appeals_on_extra_control(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Appeal]:
    """Appeals kept on additional control: at least one open promise; the nearest due first."""
    open_filter = Q(promises__status__in=sorted(OPEN_STATUSES))
    return (
        appeals_visible_to(user)
        .annotate(
            open_promises=Count("promises", filter=open_filter),
            nearest_due=Min("promises__due_date", filter=open_filter),
        )
        .filter(open_promises__gt=0)
        .order_by("nearest_due", "pk")
    )
