"""Plans follow the question: milestones, late stages, extensions, pauses, paths, reminders."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appeals import services as appeal_services
from appeals.choices import Kind, Outcome
from tests.factories import make_appeal
from workflow import services
from workflow.choices import Path, PlanState, StageCode, StageStatus
from workflow.models import ExtensionRequest, Notification, QuestionPlan, Workflow

MSK = dt.timezone(dt.timedelta(hours=3))


def stages(question) -> dict[str, str]:
    return {s.code: s.status for s in question.plan.stages.all()}


@pytest.fixture
def routed(cast):
    appeal = make_appeal(body=cast.body, actor=cast.operator.user)
    question = appeal.questions.get()
    appeal_services.question_assign(question=question, actor=cast.operator.user, department=cast.housing, executor=None)
    return question


def test_registration_opens_a_plan_from_the_workflow(cast) -> None:
    appeal = make_appeal(body=cast.body, registered_at=dt.datetime(2026, 4, 9, 10, 0, tzinfo=MSK))
    plan = appeal.questions.get().plan
    assert plan.regime.code == "59fz" and plan.path == Path.MAIN
    assert plan.due == dt.date(2026, 5, 8) and plan.workflow_version == plan.workflow.version
    codes = [s.code for s in plan.stages.order_by("position")]
    assert codes[:3] == [StageCode.RECEIPT, StageCode.REGISTRATION, StageCode.RESOLUTION]
    assert StageCode.REQUEST not in codes  # optional stages wait until someone needs them
    assert stages(appeal.questions.get())[StageCode.RESOLUTION] == StageStatus.ACTIVE


def test_message_regime_and_specific_workflow(cast) -> None:
    message = make_appeal(body=cast.body, kind=Kind.MESSAGE, registered_at=dt.datetime(2026, 2, 13, 10, 0, tzinfo=MSK))
    assert message.questions.get().plan.due == dt.date(2026, 2, 20)
    assert message.due_date == dt.date(2026, 2, 20)
    special = Workflow.objects.get(name="Обращение гражданина")
    special.pk = None
    special.name, special.department = "Для ЖКХ", cast.housing
    special.save()
    appeal = make_appeal(body=cast.body, questions=[appeal_services.QuestionDraft(text="x", department=cast.housing)])
    assert appeal.questions.get().plan.workflow == special


def test_milestones_move_the_stages(cast, routed) -> None:
    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    assert stages(routed)[StageCode.RESOLUTION] == StageStatus.DONE
    assert stages(routed)[StageCode.EXECUTION] == StageStatus.ACTIVE
    appeal_services.question_submit_answer(
        question=routed, actor=cast.executor.user, answer="Сделано", outcome=Outcome.SUPPORTED
    )
    assert stages(routed)[StageCode.DRAFT] == StageStatus.DONE
    assert stages(routed)[StageCode.APPROVAL] == StageStatus.ACTIVE
    appeal_services.question_return(question=routed, actor=cast.head.user, note="Дополнить")
    assert stages(routed)[StageCode.DRAFT] == StageStatus.ACTIVE
    assert stages(routed)[StageCode.APPROVAL] == StageStatus.PENDING
    appeal_services.question_submit_answer(
        question=routed, actor=cast.executor.user, answer="Сделано 2", outcome=Outcome.SUPPORTED
    )
    appeal_services.question_approve(question=routed, actor=cast.head.user)
    assert stages(routed)[StageCode.DISPATCH] == StageStatus.ACTIVE
    appeal_services.appeal_close(appeal=routed.appeal, actor=cast.controller.user)
    routed.plan.refresh_from_db()
    assert routed.plan.state == PlanState.DONE
    assert set(stages(routed).values()) == {StageStatus.DONE}


def test_late_stage_compresses_then_puts_the_question_at_risk(cast) -> None:
    registered = timezone.now() - dt.timedelta(days=20)
    appeal = make_appeal(body=cast.body, registered_at=registered, received_at=registered)
    question = appeal.questions.get()
    services.recompute([question.plan.pk])
    question.plan.refresh_from_db()
    # 20 days spent on a one-day resolution: the rest no longer fits at its norms, maybe not at all.
    assert question.plan.state in (PlanState.COMPRESSED, PlanState.AT_RISK)
    later = registered + dt.timedelta(days=27)
    services.recompute([question.plan.pk], now=later)
    question.plan.refresh_from_db()
    assert question.plan.state == PlanState.AT_RISK
    assert "Резолюция руководителя" in question.plan.reason
    # The head of the unit hears about it at once (the question is not routed: no head yet -> nobody).
    appeal_services.question_assign(
        question=question, actor=cast.operator.user, department=cast.housing, executor=cast.executor
    )
    QuestionPlan.objects.filter(pk=question.plan.pk).update(state=PlanState.ON_TRACK)
    services.recompute([question.plan.pk], now=later)
    assert Notification.objects.filter(user=cast.head.user, title__contains="Под угрозой").exists()
    assert Notification.objects.filter(user=cast.executor.user, title__contains="Под угрозой").exists()


def test_extension_rules_and_decision(cast, routed) -> None:
    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    plan = routed.plan
    with pytest.raises(ValidationError, match="Обоснуйте"):
        services.extension_request(question=routed, actor=cast.executor.user, days=10, reason=" ")
    with pytest.raises(ValidationError, match="не более чем на 30"):
        services.extension_request(question=routed, actor=cast.executor.user, days=31, reason="Запрос в ФНС")
    with pytest.raises(ValidationError, match="не позднее чем за 3"):
        services.extension_request(
            question=routed, actor=cast.executor.user, days=10, reason="Запрос", today=plan.due - dt.timedelta(days=2)
        )
    with pytest.raises(PermissionDenied):
        services.extension_request(question=routed, actor=cast.other_executor.user, days=10, reason="x")
    request = services.extension_request(question=routed, actor=cast.executor.user, days=30, reason="Ждём ответ ФНС")
    with pytest.raises(ValidationError, match="ожидает решения"):
        services.extension_request(question=routed, actor=cast.executor.user, days=5, reason="ещё")
    assert Notification.objects.filter(user=cast.head.user, key=f"extension:{request.pk}").exists()
    with pytest.raises(PermissionDenied):
        services.extension_decide(request=request, actor=cast.executor.user, approve=True)
    old_due = plan.due
    services.extension_decide(request=request, actor=cast.head.user, approve=True)
    request.refresh_from_db()
    plan.refresh_from_db()
    routed.refresh_from_db()
    assert request.new_due == plan.due == routed.due_date
    assert plan.due > old_due and (plan.due - old_due).days <= 30
    assert (
        request.notice_text.startswith("Уважаемый заявитель!") and plan.due.strftime("%d.%m.%Y") in request.notice_text
    )
    with pytest.raises(ValidationError, match="больше нельзя"):
        services.extension_request(question=routed, actor=cast.executor.user, days=1, reason="ещё раз")


def test_refusal_needs_a_reason(cast, routed) -> None:
    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    request = services.extension_request(question=routed, actor=cast.executor.user, days=5, reason="Причина")
    with pytest.raises(ValidationError, match="причину отказа"):
        services.extension_decide(request=request, actor=cast.head.user, approve=False)
    services.extension_decide(request=request, actor=cast.head.user, approve=False, note="Успеете")
    assert ExtensionRequest.objects.get().status == "refused"


def test_pause_only_where_the_regime_allows(cast) -> None:
    appeal = make_appeal(body=cast.body, questions=[appeal_services.QuestionDraft(text="x", executor=cast.executor)])
    question = appeal.questions.get()
    with pytest.raises(ValidationError, match="не допускает"):
        services.pause_start(question=question, actor=cast.executor.user, reason="Ждём заявителя")
    message = make_appeal(
        body=cast.body, kind=Kind.MESSAGE, questions=[appeal_services.QuestionDraft(text="x", executor=cast.executor)]
    )
    question = message.questions.get()
    due = question.plan.due
    start = timezone.now() - dt.timedelta(days=3, hours=2)
    services.pause_start(question=question, actor=cast.executor.user, reason="Ждём фото", at=start)
    with pytest.raises(ValidationError, match="уже приостановлен"):
        services.pause_start(question=question, actor=cast.executor.user, reason="ещё")
    services.pause_end(question=question, actor=cast.executor.user)
    question.plan.refresh_from_db()
    assert question.plan.paused_days == 4
    assert question.plan.due > due


def test_optional_stage_inserted_and_completed(cast) -> None:
    appeal = make_appeal(body=cast.body, questions=[appeal_services.QuestionDraft(text="x", executor=cast.executor)])
    question = appeal.questions.get()
    services.stage_insert(question=question, actor=cast.executor.user, code=StageCode.INSPECTION, reason="Осмотр крыши")
    codes = [(s.code, s.status) for s in question.plan.stages.order_by("position")]
    i = codes.index((StageCode.INSPECTION, StageStatus.ACTIVE))
    assert codes[i - 1] == (StageCode.EXECUTION, StageStatus.DONE)
    assert codes[i + 1] == (StageCode.EXECUTION, StageStatus.PENDING)
    services.stage_complete(question=question, actor=cast.executor.user)
    assert question.plan.stages.get(code=StageCode.INSPECTION).status == StageStatus.DONE
    with pytest.raises(ValidationError, match="не предусмотрен"):
        services.stage_insert(question=question, actor=cast.executor.user, code=StageCode.APPROVAL)


def test_forwarding_path_has_a_seven_day_deadline(cast) -> None:
    registered = dt.datetime(2026, 3, 2, 10, 0, tzinfo=MSK)
    appeal = make_appeal(body=cast.body, registered_at=registered, received_at=registered)
    question = appeal.questions.get()
    with pytest.raises(PermissionDenied):
        services.path_set(question=question, actor=cast.executor.user, path=Path.FORWARDING)
    services.path_set(question=question, actor=cast.operator.user, path=Path.FORWARDING, note="Вопрос МВД")
    question.plan.refresh_from_db()
    assert question.plan.path == Path.FORWARDING and question.plan.due == dt.date(2026, 3, 6)  # 09.03: back to Fri
    active = question.plan.stages.get(status=StageStatus.ACTIVE)
    assert active.code == StageCode.FORWARDING
    assert question.plan.stages.filter(status=StageStatus.SKIPPED, code=StageCode.EXECUTION).exists()


def test_escalations_are_sent_once(cast, routed) -> None:
    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    active = routed.plan.stages.get(status=StageStatus.ACTIVE)
    later = active.planned_due + dt.timedelta(hours=1)
    sent = services.escalations_check(now=later)
    assert sent == 3  # executor (50%), head (80%), controller (100%)
    assert services.escalations_check(now=later) == 0
    assert Notification.objects.filter(user=cast.controller.user, title__contains="срок этапа истёк").exists()


def test_digest_counts(cast, routed) -> None:
    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    assert services.digest_send() >= 2  # executor and head
    assert services.digest_send() == 0
    note = Notification.objects.get(user=cast.executor.user, key__startswith="digest:")
    assert "Просрочено: 0" in note.body


def test_recompute_everything_refreshes_statistics(cast, routed) -> None:
    counts = services.recompute()
    assert counts["plans"] >= 1


def test_returned_answer_goes_where_the_workflow_says(cast, routed) -> None:
    from workflow.models import StageDefinition

    appeal_services.question_assign(question=routed, actor=cast.head.user, department=None, executor=cast.executor)
    assert StageDefinition.objects.filter(code=StageCode.APPROVAL, returns_to=StageCode.DRAFT).exists()
    routed.plan.stages.filter(code=StageCode.APPROVAL).update(returns_to=StageCode.EXECUTION)
    appeal_services.question_submit_answer(
        question=routed, actor=cast.executor.user, answer="Ответ", outcome=Outcome.EXPLAINED
    )
    appeal_services.question_return(question=routed, actor=cast.head.user, note="Проверьте на месте")
    assert stages(routed)[StageCode.EXECUTION] == StageStatus.ACTIVE
    assert stages(routed)[StageCode.DRAFT] == StageStatus.PENDING


def test_full_pass_plans_exactly_like_one_question_at_a_time(cast) -> None:
    """The periodic set-based pass and the incremental update are one code path with one result."""
    now = timezone.now()
    questions = []
    for days in (1, 8, 15, 22, 29, 33):
        registered = now - dt.timedelta(days=days)
        appeal = make_appeal(body=cast.body, registered_at=registered, received_at=registered)
        questions.append(appeal.questions.get())
    appeal_services.question_assign(
        question=questions[2], actor=cast.operator.user, department=cast.housing, executor=None
    )
    later = now + dt.timedelta(days=2)

    def snapshot() -> list[tuple]:
        plans = QuestionPlan.objects.filter(question__in=questions).order_by("pk")
        return [
            (
                p.state,
                p.reason,
                p.reserve_hours,
                p.forecast_end,
                p.forecast_late,
                *((s.planned_start, s.planned_due, s.compressed) for s in p.stages.order_by("position")),
            )
            for p in plans
        ]

    services.recompute(now=later)
    together = snapshot()
    QuestionPlan.objects.filter(question__in=questions).update(state=PlanState.ON_TRACK, reason="", reserve_hours=0)
    for question in questions:
        services.recompute([question.plan.pk], now=later)
    assert snapshot() == together
    states = {row[0] for row in together}
    assert PlanState.OVERDUE in states and PlanState.ON_TRACK in states  # the cases really differ
    assert services.recompute(now=later)["changed"] == 0  # nothing changes when time has not moved


def test_statistics_are_medians_per_department_and_overall(cast, routed) -> None:
    from workflow.models import StagePlan, StageStatistic

    plan = routed.plan
    start = timezone.now() - dt.timedelta(days=5)
    durations = {cast.housing.pk: [1, 2, 10], None: [4]}  # hours of the execution stage
    StagePlan.objects.filter(plan__question__appeal__body=cast.body).update(status=StageStatus.PENDING)
    for department, hours in durations.items():
        for h in hours:
            appeal = make_appeal(body=cast.body, actor=cast.operator.user)
            question = appeal.questions.get()
            if department:
                question.department_id = department
                question.save(update_fields=["department"])
            question.plan.stages.filter(code=StageCode.EXECUTION).update(
                status=StageStatus.DONE, actual_start=start, actual_end=start + dt.timedelta(hours=h)
            )
    # A stage finished before the history window does not count.
    plan.stages.filter(code=StageCode.EXECUTION).update(
        status=StageStatus.DONE, actual_start=start - dt.timedelta(days=800), actual_end=start - dt.timedelta(days=799)
    )
    services.statistics_refresh()
    housing = StageStatistic.objects.get(code=StageCode.EXECUTION, department=cast.housing)
    overall = StageStatistic.objects.get(code=StageCode.EXECUTION, department=None)
    assert (housing.samples, housing.median_seconds) == (3, 2 * 3600)
    assert (overall.samples, overall.median_seconds) == (4, 3 * 3600)  # 1, 2, 4, 10 hours


def test_risk_notifications_are_sent_once_per_reason(cast) -> None:
    registered = timezone.now() - dt.timedelta(days=20)
    appeal = make_appeal(body=cast.body, registered_at=registered, received_at=registered)
    question = appeal.questions.get()
    appeal_services.question_assign(question=question, actor=cast.operator.user, department=cast.housing, executor=None)
    later = timezone.now() + dt.timedelta(days=7)
    warned = Notification.objects.filter(user=cast.head.user, title__contains="Под угрозой")
    for _ in range(2):  # at risk anew for the same reason: still one notification
        QuestionPlan.objects.filter(pk=question.plan.pk).update(state=PlanState.ON_TRACK)
        services.recompute(now=later)
        assert warned.count() == 1
    assert "Резолюция руководителя" in warned.get().body
