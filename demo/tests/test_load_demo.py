"""The demo loads through the real services, once, with the logins the README promises."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from appeals.choices import Channel, Kind
from appeals.models import Appeal, AppealEvent
from appeals.selectors import DeadlineMarker, my_questions
from demo.generator import DEMO_LOGINS, DEMO_PASSWORD, DemoAlreadyLoadedError, load_demo
from org.models import Department, StaffMember


@pytest.fixture
def demo(db):
    return load_demo(appeals=80)


def test_demo(demo, client, capsys) -> None:
    """One load (it takes seconds), every promise checked against it."""
    check_structure_and_logins()
    check_variety_and_history()
    check_executor_tasks()
    check_promises()
    check_pages(client)
    check_idempotent(capsys)


def check_structure_and_logins() -> None:
    assert 8 <= Department.objects.count() <= 10
    assert StaffMember.objects.count() >= 20
    roles = set(StaffMember.objects.values_list("roles__code", flat=True))
    assert {"operator", "head", "executor", "controller", "administrator"} <= roles
    for username, _, _ in DEMO_LOGINS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username


def check_variety_and_history() -> None:
    assert Appeal.objects.count() == 80
    channels = set(Appeal.objects.values_list("channel", flat=True))
    assert len(channels) >= 6 and Channel.POST in channels
    kinds = set(Appeal.objects.values_list("kind", flat=True))
    assert {Kind.APPEAL, Kind.MESSAGE} <= kinds
    assert Appeal.objects.filter(character__startswith="collective").exists()
    assert Appeal.objects.filter(questions__position=2).exists()
    # History is in order: nothing happens before registration.
    for appeal in Appeal.objects.all()[:40]:
        times = list(AppealEvent.objects.filter(appeal=appeal).order_by("pk").values_list("at", flat=True))
        assert times == sorted(times) and times[0] >= appeal.received_at


def check_executor_tasks() -> None:
    from django.contrib.auth.models import User

    marker = DeadlineMarker()
    states = {marker.question(q) for q in my_questions(User.objects.get(username="executor"))}
    assert {"overdue", "at_risk"} <= states


def check_promises() -> None:
    from promises.models import Promise

    given = Promise.objects.exclude(status="draft")
    assert given.exists(), "answers with commitments ahead put their promises on control"
    assert all(p.due_date >= p.given_at.date() for p in given if p.given_at)


def check_idempotent(capsys) -> None:
    with pytest.raises(DemoAlreadyLoadedError):
        load_demo(appeals=5)
    call_command("load_demo")
    assert "уже загружены" in capsys.readouterr().out
    assert Appeal.objects.count() == 80


def check_pages(client) -> None:
    client.login(username="head", password=DEMO_PASSWORD)
    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("appeals:registry")).status_code == 200
    appeal = Appeal.objects.first()
    assert appeal is not None
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code in (200, 404)
