"""Row-level access: who sees which appeals, through the one access rule."""

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from appeals import services
from appeals.selectors import appeal_for_user, appeals_visible_to, my_questions
from org.models import Department, Substitution
from tests.factories import StaffFactory, make_appeal


@pytest.fixture
def routed(cast):
    """Three appeals: one executed in housing, one in roads, one not routed yet."""
    housing = make_appeal(body=cast.body, text="Нет отопления")
    services.question_assign(
        question=housing.questions.get(), actor=cast.operator.user, department=None, executor=cast.executor
    )
    roads = make_appeal(body=cast.body, text="Яма на дороге")
    services.question_assign(
        question=roads.questions.get(), actor=cast.operator.user, department=None, executor=cast.other_executor
    )
    unrouted = make_appeal(body=cast.body, text="Просто письмо")
    return housing, roads, unrouted


def visible(user) -> set[int]:
    return set(appeals_visible_to(user).values_list("pk", flat=True))


def test_global_roles_see_everything(cast, routed) -> None:
    everything = {a.pk for a in routed}
    for who in (cast.operator, cast.controller, cast.administrator):
        assert visible(who.user) == everything


def test_executor_sees_only_own_questions(cast, routed) -> None:
    housing, roads, _ = routed
    assert visible(cast.executor.user) == {housing.pk}
    assert visible(cast.other_executor.user) == {roads.pk}
    with pytest.raises(Http404):
        appeal_for_user(cast.executor.user, roads.pk)


def test_head_sees_units_subtree(cast, routed) -> None:
    housing, roads, _ = routed
    assert visible(cast.head.user) == {housing.pk}
    sub_unit = Department.objects.create(body=cast.body, name="Сектор капремонта", parent=cast.housing)
    worker = StaffFactory(body=cast.body, department=sub_unit, roles=["executor"])
    services.question_assign(
        question=roads.questions.get(), actor=cast.administrator.user, department=sub_unit, executor=worker
    )
    fresh = type(cast.head.user).objects.get(pk=cast.head.user.pk)  # the actor is cached per user object
    assert visible(fresh) == {housing.pk, roads.pk}


def test_outsider_and_citizen_see_nothing(cast, routed) -> None:
    from django.core.exceptions import PermissionDenied

    for user in (cast.outsider, cast.citizen):
        assert visible(user) == set()
        with pytest.raises(PermissionDenied):
            appeal_for_user(user, routed[0].pk)


def test_inactive_staff_sees_nothing(cast, routed) -> None:
    cast.controller.user.is_active = False
    cast.controller.user.save()
    assert visible(cast.controller.user) == set()


def test_substitute_sees_and_gets_tasks_of_absent_colleague(cast, routed) -> None:
    housing, _, _ = routed
    today = timezone.localdate()
    Substitution.objects.create(
        absent=cast.executor,
        substitute=cast.other_executor,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=5),
    )
    user = cast.other_executor.user
    assert housing.pk in visible(user)
    assert housing.questions.get() in set(my_questions(user))
    Substitution.objects.all().update(ends_on=today - dt.timedelta(days=1))
    fresh = type(user).objects.get(pk=user.pk)  # the actor is cached per user object
    assert housing.pk not in visible(fresh)
