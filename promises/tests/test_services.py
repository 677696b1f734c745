"""Promises through the services: drafts, given on approval, statuses, notices, control, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appeals import services as appeal_services
from appeals.choices import Outcome
from appeals.models import AppealEvent, Question
from delivery.models import OutboxMessage
from promises import services
from promises.choices import NoticeStatus, PromiseStatus
from promises.models import ApplicantNotice, Promise
from tests.factories import ApplicantFactory, ContactFactory, make_appeal
from workflow.models import Notification

ANSWER = "Осмотр проведён. Ремонт покрытия будет выполнен в срок до {due:%d.%m.%Y}. Работы выполнены частично."


def _answered(cast, *, applicants=None) -> Question:  # type: ignore[no-untyped-def]
    appeal = make_appeal(body=cast.body, applicants=applicants or [ApplicantFactory(), ApplicantFactory()])
    question = appeal.questions.get()
    appeal_services.question_assign(
        question=question, actor=cast.administrator.user, department=cast.housing, executor=cast.executor
    )
    question.refresh_from_db()
    return question


def _due(days: int = 40) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _submit(cast, question: Question, text: str) -> None:  # type: ignore[no-untyped-def]
    appeal_services.question_submit_answer(
        question=question, actor=cast.executor.user, answer=text, outcome=Outcome.SUPPORTED
    )
    question.refresh_from_db()


def test_proposals_come_from_the_answer_text(cast) -> None:
    question = _answered(cast)
    due = _due()
    proposals = services.propose(question, ANSWER.format(due=due))
    assert [(p.due_date, p.source) for p in proposals] == [(due, "date")]
    assert "будет выполнен" in proposals[0].sentence
    assert proposals[0].responsible == "Управление ЖКХ"  # the unit when no organisation is named
    services.promise_add_draft(
        question=question, actor=cast.executor.user, sentence=proposals[0].sentence, due_date=due, source="date"
    )
    assert services.propose(question, ANSWER.format(due=due)) == []  # confirmed ones are not proposed again
    assert services.propose(question, "Работы выполнены.") == []


def test_drafts_are_the_executors_and_validated(cast) -> None:
    question = _answered(cast)
    with pytest.raises(PermissionDenied):
        services.promise_add_draft(question=question, actor=cast.other_executor.user, sentence="x", due_date=_due())
    with pytest.raises(ValidationError, match="позже"):
        services.promise_add_draft(
            question=question, actor=cast.executor.user, sentence="Отремонтируем", due_date=timezone.localdate()
        )
    with pytest.raises(ValidationError, match="что обещано"):
        services.promise_add_draft(question=question, actor=cast.executor.user, sentence="  ", due_date=_due())
    assert not Promise.objects.exists()
    draft = services.promise_add_draft(
        question=question, actor=cast.executor.user, sentence="Отремонтируем", due_date=_due()
    )
    services.promise_update_draft(
        promise=draft, actor=cast.executor.user, sentence="Отремонтируем двор", due_date=_due(50), responsible="ООО «Х»"
    )
    draft.refresh_from_db()
    assert (draft.sentence, draft.due_date, draft.first_due_date) == ("Отремонтируем двор", _due(50), _due(50))
    services.promise_remove_draft(promise=draft, actor=cast.executor.user)
    assert not Promise.objects.exists()


def test_promises_are_given_when_the_answer_is_approved(cast) -> None:
    question = _answered(cast)
    due = _due()
    _submit(cast, question, ANSWER.format(due=due))
    draft = services.promise_add_draft(
        question=question, actor=cast.head.user, sentence="Ремонт покрытия", due_date=due
    )
    assert not services.on_extra_control(question.appeal)  # a draft does not count yet
    appeal_services.question_approve(question=question, actor=cast.head.user)
    draft.refresh_from_db()
    assert draft.status == PromiseStatus.GIVEN and draft.given_at is not None
    assert services.on_extra_control(question.appeal)
    change = draft.changes.get()
    assert (change.old_status, change.new_status, change.actor) == ("", PromiseStatus.GIVEN, cast.head.user)
    notices = ApplicantNotice.objects.filter(promise=draft)
    # The answer letter carries the promise as given: no separate message for it.
    assert notices.count() == 2 and {n.status for n in notices} == {NoticeStatus.CANCELLED}
    assert f"Срок — {due:%d.%m.%Y}" in notices[0].text and "Ремонт покрытия" in notices[0].text
    events = AppealEvent.objects.filter(appeal=question.appeal, field="обещание")
    assert [e.new_value for e in events] == [f"Дано, срок {due:%d.%m.%Y}", "на дополнительном контроле"]
    with pytest.raises(ValidationError):
        services.promise_remove_draft(promise=draft, actor=cast.head.user)


def _given(cast, due: dt.date | None = None) -> Promise:  # type: ignore[no-untyped-def]
    question = _answered(cast)
    _submit(cast, question, "Ответ.")
    promise = services.promise_add_draft(
        question=question, actor=cast.head.user, sentence="Ремонт покрытия", due_date=due or _due()
    )
    appeal_services.question_approve(question=question, actor=cast.head.user)
    promise.refresh_from_db()
    return promise


def test_status_changes_keep_history_notices_and_lift_control(cast) -> None:
    promise = _given(cast)
    first = promise.appeal.signatories.order_by("pk").first().applicant  # type: ignore[union-attr]
    ContactFactory(applicant=first, kind="email", value="reader@mail.ru")
    with pytest.raises(PermissionDenied):
        services.promise_change_status(promise=promise, actor=cast.other_executor.user, status=PromiseStatus.KEPT)
    with pytest.raises(ValidationError, match="новый срок"):
        services.promise_change_status(promise=promise, actor=cast.executor.user, status=PromiseStatus.MOVED, note="x")
    with pytest.raises(ValidationError, match="почему"):
        services.promise_change_status(
            promise=promise, actor=cast.executor.user, status=PromiseStatus.MOVED, due_date=_due(60)
        )
    with pytest.raises(ValidationError, match="причину"):
        services.promise_change_status(promise=promise, actor=cast.executor.user, status=PromiseStatus.BROKEN)
    with pytest.raises(ValidationError, match="Неизвестный"):
        services.promise_change_status(promise=promise, actor=cast.executor.user, status="draft")
    assert promise.changes.count() == 1
    services.promise_change_status(
        promise=promise, actor=cast.executor.user, status=PromiseStatus.MOVED, due_date=_due(60), note="Нет материалов"
    )
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.MOVED and promise.due_date == _due(60) and promise.first_due_date == _due()
    moved_text = ApplicantNotice.objects.filter(change=promise.changes.last()).first().text  # type: ignore[union-attr]
    assert f"перенесён на {_due(60):%d.%m.%Y} вместо {_due():%d.%m.%Y}" in moved_text and "Нет материалов" in moved_text
    services.promise_change_status(promise=promise, actor=cast.controller.user, status=PromiseStatus.KEPT)
    promise.refresh_from_db()
    assert promise.status == PromiseStatus.KEPT and promise.closed_at is not None
    assert not services.on_extra_control(promise.appeal)
    assert AppealEvent.objects.filter(appeal=promise.appeal, new_value="снято с дополнительного контроля").exists()
    with pytest.raises(ValidationError, match="нельзя перейти"):
        services.promise_change_status(promise=promise, actor=cast.controller.user, status=PromiseStatus.IN_PROGRESS)
    assert [c.new_status for c in promise.changes.all()] == ["given", "moved", "kept"]
    assert ApplicantNotice.objects.filter(promise=promise).count() == 6  # two applicants × three changes
    # Every later change goes to the applicants through delivery, or waits when there is no address.
    later = ApplicantNotice.objects.filter(promise=promise).exclude(status=NoticeStatus.CANCELLED)
    assert later.count() == 4
    assert later.filter(status=NoticeStatus.SENT).count() == 2  # the applicant with an e-mail
    for notice in later:
        queued = OutboxMessage.objects.filter(reference=f"promise-notice:{notice.pk}")
        assert queued.exists() == (notice.status == NoticeStatus.SENT)
        if queued.exists():
            assert queued.get().text == notice.text and queued.get().applicant == notice.applicant


def test_control_stays_while_any_promise_is_open(cast) -> None:
    question = _answered(cast)
    _submit(cast, question, "Ответ.")
    first = services.promise_add_draft(question=question, actor=cast.head.user, sentence="Первое", due_date=_due())
    second = services.promise_add_draft(question=question, actor=cast.head.user, sentence="Второе", due_date=_due(9))
    appeal_services.question_approve(question=question, actor=cast.head.user)
    services.promise_change_status(promise=first, actor=cast.head.user, status=PromiseStatus.CANCELLED, note="Не нужно")
    assert services.on_extra_control(question.appeal)
    services.promise_change_status(promise=second, actor=cast.head.user, status=PromiseStatus.BROKEN, note="Подрядчик")
    assert not services.on_extra_control(question.appeal)


def test_notices_are_prepared_once_per_change(cast) -> None:
    promise = _given(cast)
    before = ApplicantNotice.objects.count()
    again = services.applicant_notices_for(promise)
    assert len(again) == 2 and ApplicantNotice.objects.count() == before


def test_reminders_before_due_and_escalation_after(cast) -> None:
    promise = _given(cast, due=_due(5))
    today = timezone.localdate()
    assert services.reminders_send(today=today - dt.timedelta(days=10)) == 0  # not yet
    assert services.reminders_send(today=today) == 1  # 5 days left: the 7-day reminder
    assert services.reminders_send(today=today) == 0  # idempotent
    assert services.reminders_send(today=today + dt.timedelta(days=4)) == 1  # the day before
    executor_notes = Notification.objects.filter(user=cast.executor.user)
    assert executor_notes.count() == 2 and executor_notes.first().url.endswith(f"#promise-{promise.pk}")  # type: ignore[union-attr]
    overdue = today + dt.timedelta(days=6)
    sent = services.reminders_send(today=overdue)
    assert sent == 3  # executor, the unit's head, the controller
    assert Notification.objects.filter(user=cast.controller.user, title__startswith="Обещание просрочено").exists()
    assert services.reminders_send(today=overdue + dt.timedelta(days=1)) == 0
    services.promise_change_status(promise=promise, actor=cast.executor.user, status=PromiseStatus.KEPT)
    assert services.reminders_send(today=overdue + dt.timedelta(days=10)) == 0


def test_conventions_come_from_the_units_own_history(cast) -> None:
    text = "Собственнику помещения направлено уведомление о явке. Работы будут выполнены собственником."
    for _ in range(2):
        question = _answered(cast)
        _submit(cast, question, text)
        services.promise_add_draft(question=question, actor=cast.head.user, sentence="Демонтаж", due_date=_due(45))
        appeal_services.question_approve(question=question, actor=cast.head.user)
    question = _answered(cast)
    proposals = services.propose(question, text)
    assert [(p.due_date, p.source) for p in proposals] == [(_due(45), "convention")]
    assert proposals[0].sentence == "Работы будут выполнены собственником."
    roads = make_appeal(body=cast.body).questions.get()
    appeal_services.question_assign(
        question=roads, actor=cast.administrator.user, department=cast.roads, executor=cast.other_executor
    )
    roads.refresh_from_db()
    assert services.propose(roads, text) == []  # another unit has no such history
