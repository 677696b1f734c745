"""Promise pages: answer screen proposals and drafts, registry filters, status changes, access."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.choices import Outcome
from promises import services
from promises.choices import PromiseStatus
from promises.models import Promise
from tests.factories import ApplicantFactory, make_appeal


def _question(cast):  # type: ignore[no-untyped-def]
    appeal = make_appeal(body=cast.body, applicants=[ApplicantFactory()])
    question = appeal.questions.get()
    appeal_services.question_assign(
        question=question, actor=cast.administrator.user, department=cast.housing, executor=cast.executor
    )
    question.refresh_from_db()
    return question


def _due(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _given(cast, days: int = 30) -> Promise:  # type: ignore[no-untyped-def]
    question = _question(cast)
    appeal_services.question_submit_answer(
        question=question, actor=cast.executor.user, answer="Ответ.", outcome=Outcome.SUPPORTED
    )
    promise = services.promise_add_draft(
        question=question, actor=cast.head.user, sentence="Ремонт", due_date=_due(days)
    )
    appeal_services.question_approve(question=question, actor=cast.head.user)
    promise.refresh_from_db()
    return promise


def test_answer_screen_proposes_and_confirms(cast, login) -> None:
    question = _question(cast)
    client = login(cast.executor)
    card = client.get(question.appeal.get_absolute_url())
    assert card.status_code == 200 and 'data-testid="answer-promises"' in card.content.decode()
    text = f"Ремонт подъезда будет выполнен в срок до {_due():%d.%m.%Y}."
    response = client.post(reverse("promises:propose", args=[question.pk]), {f"a{question.pk}-answer": text})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="promise-proposal"' in body
    assert _due().isoformat() in body
    prefix = f"p{question.pk}-0"
    response = client.post(
        reverse("promises:draft_add", args=[question.pk]),
        {
            "prefix": prefix,
            f"{prefix}-sentence": "Ремонт подъезда будет выполнен",
            f"{prefix}-due_date": _due().isoformat(),
            f"{prefix}-responsible": "",
            f"{prefix}-source": "date",
            f"{prefix}-confidence": "0.92",
        },
    )
    assert response.status_code == 302
    draft = Promise.objects.get()
    assert draft.status == PromiseStatus.DRAFT and draft.source == "date" and draft.responsible == "Управление ЖКХ"
    response = client.post(reverse("promises:draft_edit", args=[draft.pk]), {"remove": "1"})
    assert response.status_code == 302 and not Promise.objects.exists()


def test_others_cannot_propose_or_add(cast, login) -> None:
    question = _question(cast)
    client = login(cast.other_executor)
    assert client.post(reverse("promises:propose", args=[question.pk]), {}).status_code == 404
    client = login(cast.controller)  # sees the appeal, does not write its answer
    assert client.post(reverse("promises:propose", args=[question.pk]), {}).status_code == 403
    response = client.post(
        reverse("promises:draft_add", args=[question.pk]),
        {"prefix": "x", "x-sentence": "Ремонт", "x-due_date": _due().isoformat()},
    )
    assert response.status_code == 403 and not Promise.objects.exists()


def test_invalid_draft_changes_nothing(cast, login) -> None:
    question = _question(cast)
    client = login(cast.executor)
    response = client.post(
        reverse("promises:draft_add", args=[question.pk]),
        {"prefix": "x", "x-sentence": "Ремонт", "x-due_date": "2001-01-01"},
        follow=True,
    )
    assert "позже сегодняшнего" in response.content.decode() and not Promise.objects.exists()


def test_registry_filters_and_overdue_highlight(cast, login) -> None:
    late = _given(cast, days=3)
    soon = _given(cast, days=20)
    Promise.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - dt.timedelta(days=2))
    client = login(cast.controller)
    page = client.get(reverse("promises:registry")).content.decode()
    assert page.count('data-testid="promise-row"') == 2 and "table-danger" in page
    page = client.get(reverse("promises:registry"), {"due": "overdue"}).content.decode()
    assert page.count('data-testid="promise-row"') == 1 and late.appeal.number in page
    page = client.get(reverse("promises:registry"), {"status": "closed"}).content.decode()
    assert page.count('data-testid="promise-row"') == 0
    page = client.get(reverse("promises:registry"), {"department": cast.roads.pk}).content.decode()
    assert page.count('data-testid="promise-row"') == 0
    page = client.get(reverse("promises:registry"), {"view": "appeals"}).content.decode()
    assert page.count('data-testid="extra-control-row"') == 2 and soon.appeal.number in page
    # an executor of another unit sees none of them
    page = login(cast.other_executor).get(reverse("promises:registry")).content.decode()
    assert 'data-testid="promise-row"' not in page


def test_status_change_from_the_card(cast, login) -> None:
    promise = _given(cast)
    client = login(cast.executor)
    card = client.get(promise.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="extra-control"' in card and 'data-testid="promise"' in card
    prefix = f"s{promise.pk}"
    response = client.post(
        reverse("promises:status", args=[promise.pk]), {f"{prefix}-status": "kept", f"{prefix}-note": ""}
    )
    assert response.status_code == 302
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT
    card = client.get(promise.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="extra-control"' not in card and "Все обещания закрыты" in card
    response = client.post(reverse("promises:status", args=[promise.pk]), {f"{prefix}-status": "moved"}, follow=True)
    assert "нельзя перейти" in response.content.decode()
    outsider = login(cast.other_executor)
    assert outsider.post(reverse("promises:status", args=[promise.pk]), {}).status_code == 404


def test_registry_requires_staff(client, cast, login) -> None:
    assert client.get(reverse("promises:registry")).status_code == 302  # to the login page
    assert login(cast.citizen).get(reverse("promises:registry")).status_code == 403


def test_appeals_registry_filter_extra_control(cast, login) -> None:
    promise = _given(cast)
    plain = make_appeal(body=cast.body)
    client = login(cast.controller)
    page = client.get(reverse("appeals:registry"), {"extra_control": "on"}).content.decode()
    assert promise.appeal.number in page and plain.number not in page
    services.promise_change_status(promise=promise, actor=cast.controller.user, status=PromiseStatus.KEPT)
    page = client.get(reverse("appeals:registry"), {"extra_control": "on"}).content.decode()
    assert promise.appeal.number not in page


def test_approver_sees_proposals_for_the_saved_answer(cast, login) -> None:
    question = _question(cast)
    appeal_services.question_submit_answer(
        question=question,
        actor=cast.executor.user,
        answer=f"Ограждение будет установлено в срок до {_due():%d.%m.%Y}.",
        outcome=Outcome.SUPPORTED,
    )
    head_card = login(cast.head).get(question.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="promise-proposal"' in head_card and _due().isoformat() in head_card
    executor_card = login(cast.executor).get(question.appeal.get_absolute_url()).content.decode()
    assert 'data-testid="promise-proposal"' not in executor_card  # on approval: the head's turn


def test_reminder_task_runs_the_service(cast) -> None:
    from promises.tasks import send_promise_reminders

    _given(cast, days=1)
    result = send_promise_reminders.enqueue()
    assert result.return_value == 1
