"""Deadline pages and stage actions: access, rendering, actions through the card."""

import pytest
from django.urls import reverse

from appeals.services import QuestionDraft
from tests.factories import make_appeal
from workflow.choices import PlanState, StageCode
from workflow.models import ExtensionRequest, Notification, QuestionPlan


@pytest.fixture
def question(cast):
    appeal = make_appeal(body=cast.body, questions=[QuestionDraft(text="Нет отопления", executor=cast.executor)])
    return appeal.questions.get()


def urls(question) -> list[tuple[str, str]]:
    q = question.pk
    return [
        ("get", reverse("workflow:my")),
        ("get", reverse("workflow:board")),
        ("get", reverse("workflow:calculator") + "?regime=1&registered=2026-03-02&path=main"),
        ("get", reverse("workflow:notifications")),
        ("post", reverse("workflow:notifications")),
        ("post", reverse("workflow:extension_request", args=[q])),
        ("post", reverse("workflow:extension_decide", args=[1])),
        ("post", reverse("workflow:pause", args=[q, "start"])),
        ("post", reverse("workflow:pause", args=[q, "end"])),
        ("post", reverse("workflow:stage_insert", args=[q])),
        ("post", reverse("workflow:stage_complete", args=[q])),
        ("post", reverse("workflow:path", args=[q])),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_users_without_a_role_are_refused(cast, question, login, who) -> None:
    client = login(getattr(cast, who))
    for method, url in urls(question):
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_goes_to_login(cast, question, client) -> None:
    for method, url in urls(question):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_other_executor_cannot_act_on_a_foreign_question(cast, question, login) -> None:
    client = login(cast.other_executor)
    response = client.post(reverse("workflow:extension_request", args=[question.pk]), {"days": 5, "reason": "x"})
    assert response.status_code == 404
    assert not ExtensionRequest.objects.exists()


def test_card_shows_stage_timeline_and_extension_flow(cast, question, login) -> None:
    client = login(cast.executor)
    card = client.get(question.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="stages"' in card and "Исполнение" in card and "Продлить срок" in card
    response = client.post(
        reverse("workflow:extension_request", args=[question.pk]),
        {"days": 10, "reason": "Запрос в Роспотребнадзор"},
        follow=True,
    )
    assert "Запрос на продление отправлен" in response.content.decode()
    request = ExtensionRequest.objects.get()
    head_card = login(cast.head).get(question.appeal.get_absolute_url()).content.decode()
    assert "Продлить на 10 дн." in head_card
    login(cast.head).post(reverse("workflow:extension_decide", args=[request.pk]), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == "approved"
    card = login(cast.executor).get(question.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="extension-notice"' in card


def test_bad_extension_input_is_reported(cast, question, login) -> None:
    response = login(cast.executor).post(
        reverse("workflow:extension_request", args=[question.pk]), {"days": "много", "reason": ""}, follow=True
    )
    assert response.status_code == 200 and not ExtensionRequest.objects.exists()
    assert "Введите целое число" in response.content.decode() or "Обязательное поле" in response.content.decode()


def test_stage_actions(cast, question, login) -> None:
    client = login(cast.executor)
    client.post(reverse("workflow:stage_insert", args=[question.pk]), {"code": StageCode.INSPECTION})
    assert question.plan.stages.filter(code=StageCode.INSPECTION, status="active").exists()
    client.post(reverse("workflow:stage_complete", args=[question.pk]))
    assert question.plan.stages.get(code=StageCode.INSPECTION).status == "done"
    response = client.post(
        reverse("workflow:path", args=[question.pk]), {"path": "forwarding", "note": "МВД"}, follow=True
    )
    assert response.status_code == 403  # an executor does not change the path


def test_my_deadlines_and_board(cast, question, login) -> None:
    page = login(cast.executor).get(reverse("workflow:my")).content.decode()
    assert question.appeal.number in page
    assert login(cast.executor).get(reverse("workflow:board")).status_code == 403
    QuestionPlan.objects.filter(question=question).update(state=PlanState.AT_RISK, reason="Этап «Резолюция» превысил")
    board = login(cast.controller).get(reverse("workflow:board")).content.decode()
    assert question.appeal.number in board and "Управление ЖКХ" in board
    partial = login(cast.controller).get(reverse("workflow:board"), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and question.appeal.number in partial


def test_calculator_page(cast, login) -> None:
    from workflow.models import Regime

    regime = Regime.objects.get(code="59fz")
    client = login(cast.executor)
    page = client.get(
        reverse("workflow:calculator"),
        {"regime": regime.pk, "registered": "2026-04-09", "path": "main", "extension_days": 30},
    ).content.decode()
    assert "05.06.2026" in page and "09.05.2026 — нерабочий день" in page
    page = client.get(
        reverse("workflow:calculator"),
        {"regime": regime.pk, "registered": "2026-04-09", "path": "main", "extension_days": 45},
    ).content.decode()
    assert "не более 30" in page


def test_notifications_page_and_bell(cast, question, login) -> None:
    Notification.objects.create(user=cast.executor.user, key="k1", title="Срок этапа на исходе", url="/")
    client = login(cast.executor)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="unread-count">1<' in page
    assert "Срок этапа на исходе" in client.get(reverse("workflow:notifications")).content.decode()
    client.post(reverse("workflow:notifications"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


@pytest.mark.django_db
def test_deadline_command(capsys) -> None:
    from django.core.management import call_command

    call_command("deadline", "--regime", "59fz", "--registered", "2026-04-09", "--extension-days", "30")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2026-06-05"
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="неизвестный режим"):
        call_command("deadline", "--regime", "xx", "--registered", "2026-04-09")
    with pytest.raises(CommandError, match="ГГГГ-ММ-ДД"):
        call_command("deadline", "--registered", "09.04.2026")
