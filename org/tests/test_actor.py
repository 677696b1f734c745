"""Resolving a user into an actor: roles, headed units, substitutions."""

import datetime as dt

import pytest
from django.utils import timezone

from org.models import Department, Substitution
from org.selectors import actor_for, executors_queryset


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_roles_and_flags(cast) -> None:
    assert actor_for(cast.operator.user).can_register
    assert not actor_for(cast.executor.user).can_register
    assert actor_for(cast.controller.user).sees_everything
    assert actor_for(cast.controller.user).can_export_personal_data
    assert not actor_for(cast.head.user).sees_everything
    assert not actor_for(cast.outsider).is_staff_member
    superuser_without_card = type(cast.outsider).objects.create_superuser("root", "r@x.ru", "pw")
    assert actor_for(superuser_without_card).has("administrator")


def test_head_units_include_subtree(cast) -> None:
    child = Department.objects.create(body=cast.body, name="Сектор", parent=cast.housing)
    grandchild = Department.objects.create(body=cast.body, name="Группа", parent=child)
    actor = actor_for(fresh(cast.head.user))
    assert actor.headed_department_ids == {cast.housing.pk, child.pk, grandchild.pk}


def test_substitution_window(cast) -> None:
    today = timezone.localdate()
    Substitution.objects.create(
        absent=cast.executor,
        substitute=cast.other_executor,
        starts_on=today + dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=3),
    )
    assert cast.executor.pk not in actor_for(fresh(cast.other_executor.user)).acting_for_staff_ids
    assert (
        cast.executor.pk
        in actor_for(fresh(cast.other_executor.user), today=today + dt.timedelta(days=2)).acting_for_staff_ids
    )


def test_substitution_constraints(cast) -> None:
    from django.db import IntegrityError, transaction

    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        Substitution.objects.create(absent=cast.executor, substitute=cast.executor, starts_on=today, ends_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        Substitution.objects.create(
            absent=cast.executor, substitute=cast.head, starts_on=today, ends_on=today - dt.timedelta(days=1)
        )


def test_executors_of_a_unit(cast) -> None:
    names = set(executors_queryset(department=cast.housing))
    assert cast.executor in names and cast.head in names and cast.other_executor not in names
