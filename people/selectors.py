"""Reads of applicants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from appeals.selectors import appeals_visible_to
from people.models import Applicant


def applicants_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Applicant]:
    """An applicant is visible to whoever can see at least one of their appeals."""
    return Applicant.objects.filter(appeals__in=appeals_visible_to(user)).distinct()
