"""Writes of the deadline control: plans, stage progress, recomputation, extensions, pauses, paths."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone

from appeals.choices import EventKind, Kind
from appeals.models import Appeal, AppealEvent, Question
from core import clock
from core.bulk import insert_rows
from core.calendar import ProductionCalendar, current_calendar
from org.choices import RoleCode
from org.models import Department
from org.selectors import actor_for
from workflow import defaults, planning, replan
from workflow.choices import (
    ExtensionStatus,
    Path,
    PlanState,
    StageCode,
    StageStatus,
)
from workflow.deadlines import extended_due_date, regime_due_date
from workflow.models import (
    EscalationRule,
    ExtensionRequest,
    Notification,
    Pause,
    QuestionPlan,
    Regime,
    StageDefinition,
    StagePlan,
    StageStatistic,
    Workflow,
)
from workflow.notify import notify

KIND_REGIME = {Kind.APPEAL: "59fz", Kind.MESSAGE: "message", Kind.INFO_REQUEST: "8fz", Kind.NOT_APPEAL: "59fz"}
# The order in which the ordinary milestones of a question close the stages.
MILESTONES = [
    StageCode.RECEIPT,
    StageCode.REGISTRATION,
    StageCode.RESOLUTION,
    StageCode.EXECUTION,
    StageCode.DRAFT,
    StageCode.APPROVAL,
    StageCode.SIGNING,
    StageCode.DISPATCH,
]


def defaults_ensure() -> None:
    """Install the default regimes and workflows when none exist (fresh or flushed database)."""
    if not Workflow.objects.exists():
        defaults.install(Regime, Workflow, StageDefinition, EscalationRule)


def _offset() -> float:
    now = timezone.localtime()
    offset = now.utcoffset()
    return offset.total_seconds() if offset else 0.0


def workflow_for(question: Question, *, path: str = Path.MAIN) -> Workflow:
    """The most specific active workflow for the question's kind, classifier section and unit."""
    return WorkflowCatalogue.load(path).pick(question)


class WorkflowCatalogue:
    """The active workflows of one path with their regimes and stages, read once for a batch of
    questions (two queries however many questions are planned) and never kept longer, so an
    administrator's change is seen by the next registration."""

    def __init__(self, path: str, workflows: list[Workflow]) -> None:
        self.path = path
        self.workflows = sorted(workflows, key=lambda w: (-w.specificity, w.pk))

    @classmethod
    def load(cls, path: str = Path.MAIN) -> WorkflowCatalogue:
        defaults_ensure()
        workflows = list(
            Workflow.objects.filter(is_active=True, path=path)
            .select_related("regime")
            .prefetch_related(Prefetch("stages", queryset=StageDefinition.objects.order_by("position")))
        )
        return cls(path, workflows)

    def pick(self, question: Question) -> Workflow:
        section = question.classifier.section if question.classifier_id and question.classifier else ""
        kind = question.appeal.kind
        for workflow in self.workflows:  # most specific first
            if (
                workflow.kind in ("", kind)
                and workflow.classifier_section in ("", section)
                and (workflow.department_id is None or workflow.department_id == question.department_id)
            ):
                return workflow
        raise ValidationError(f"Нет действующего порядка рассмотрения для пути «{Path(self.path).label}».")


def _due_for(plan: QuestionPlan, registered_on: dt.date, calendar: ProductionCalendar) -> tuple[dt.date, dt.date]:
    regime = plan.regime
    days = regime.forwarding_days if plan.path != Path.MAIN else regime.consideration_days
    base = regime_due_date(
        registered_on, days, calendar, day_kind=regime.day_kind, count_from=regime.count_from, shift=regime.shift
    )
    due = base
    if plan.extended_days or plan.paused_days:
        due = extended_due_date(base, plan.extended_days + plan.paused_days, calendar, shift=regime.shift)
    return base, due


def _stage_from(source: StageDefinition | StagePlan, plan: QuestionPlan, position: int, **extra: Any) -> StagePlan:
    """A stage row of a plan carrying the norms of a definition (or of another stage row)."""
    name = source.name or source.get_code_display()
    return StagePlan(
        plan=plan,
        position=position,
        code=source.code,
        name=name,
        norm_value=source.norm_value,
        norm_unit=source.norm_unit,
        min_value=source.min_value,
        responsible_role=source.responsible_role,
        pauses_clock=source.pauses_clock,
        returns_to=source.returns_to,
        **extra,
    )


def _copy_stages(
    plan: QuestionPlan, workflow: Workflow, *, start_position: int = 1, include_optional: bool = False
) -> None:
    definitions = [s for s in workflow.stages.order_by("position") if include_optional or not s.optional]
    StagePlan.objects.bulk_create(
        _stage_from(d, plan, position) for position, d in enumerate(definitions, start=start_position)
    )


@transaction.atomic
def plan_question(*, question: Question, now: dt.datetime | None = None) -> QuestionPlan:
    """Open the stage plan of a question: receipt and registration are done at registration."""
    return plan_questions([question], now=now)[0]


@transaction.atomic
def plan_questions(questions: Sequence[Question], *, now: dt.datetime | None = None) -> list[QuestionPlan]:
    """Open the stage plans of many questions at once (bulk inserts, one array re-plan);
    a question that has a plan already keeps it. The plans, in the order of `questions`."""
    if not questions:
        return []
    existing = {p.question_id: p for p in QuestionPlan.objects.filter(question__in=[q.pk for q in questions])}
    todo = [q for q in questions if q.pk not in existing]
    if not todo:
        return [existing[q.pk] for q in questions]
    catalogue = WorkflowCatalogue.load(Path.MAIN)
    calendar = current_calendar()
    plans: list[QuestionPlan] = []
    for question in todo:
        appeal = question.appeal
        workflow = catalogue.pick(question)
        registered_on = timezone.localtime(appeal.registered_at).date()
        plan = QuestionPlan(
            question=question,
            workflow=workflow,
            workflow_version=workflow.version,
            regime=workflow.regime,
            base_due=registered_on,
            due=registered_on,
        )
        plan.base_due, plan.due = _due_for(plan, registered_on, calendar)
        plans.append(plan)
    QuestionPlan.objects.bulk_create(plans)
    stages: list[StagePlan] = []
    for question, plan in zip(todo, plans, strict=True):
        stages.extend(_opening_stages(question, plan))
    insert_rows(StagePlan, stages)
    _sync_dues(list(zip(todo, plans, strict=True)))
    recompute([plan.pk for plan in plans], now=now)
    for question in todo:
        # A question routed at registration has its resolution already.
        if question.executor_id:
            stages_progress(
                question=question, milestone=StageCode.RESOLUTION, at=question.appeal.registered_at, now=now
            )
    existing.update({q.pk: p for q, p in zip(todo, plans, strict=True)})
    return [existing[q.pk] for q in questions]


def _opening_stages(question: Question, plan: QuestionPlan) -> list[StagePlan]:
    """The stage rows of a new plan: receipt and registration done, the next stage active."""
    appeal = question.appeal
    definitions = [d for d in plan.workflow.stages.all() if not d.optional]
    stages = [_stage_from(d, plan, position) for position, d in enumerate(definitions, start=1)]
    for stage in stages:
        if stage.code == StageCode.RECEIPT:
            stage.actual_start, stage.actual_end, stage.status = (
                appeal.received_at,
                appeal.registered_at,
                StageStatus.DONE,
            )
        elif stage.code == StageCode.REGISTRATION:
            stage.actual_start, stage.actual_end, stage.status = (
                appeal.registered_at,
                appeal.registered_at,
                StageStatus.DONE,
            )
    first_open = next((s for s in stages if s.status == StageStatus.PENDING), None)
    if first_open is not None:
        first_open.status, first_open.actual_start = StageStatus.ACTIVE, appeal.registered_at
    return stages


def plan_appeal(*, appeal: Appeal, actor: Any = None) -> None:
    """Registration step: a plan for every question of the new appeal."""
    plan_appeals(appeals=[appeal], actor=actor)


def plan_appeals(*, appeals: Sequence[Appeal], actor: Any = None) -> None:
    """Registration step: plans for every question of the new appeals, made together."""
    by_pk = {appeal.pk: appeal for appeal in appeals}
    questions = list(
        Question.objects.filter(appeal__in=list(by_pk)).select_related("classifier").order_by("appeal_id", "position")
    )
    for question in questions:
        question.appeal = by_pk[question.appeal_id]
    plan_questions(questions)


def _sync_dues(planned: Sequence[tuple[Question, QuestionPlan]]) -> None:
    """Each question's deadline is its plan's; an appeal's is the latest of its questions'."""
    changed = [(plan.due, question.pk) for question, plan in planned if question.due_date != plan.due]
    _write(Question, changed, ["due_date"])
    for question, plan in planned:
        question.due_date = plan.due
    appeals = {question.appeal_id: question.appeal for question, _ in planned}
    latest = dict(
        Question.objects.filter(appeal__in=list(appeals))
        .values("appeal_id")
        .annotate(m=Max("due_date"))
        .values_list("appeal_id", "m")
    )
    moved = []
    for pk, appeal in appeals.items():
        due = latest.get(pk) or appeal.due_date
        if appeal.due_date != due:
            appeal.due_date = due
            moved.append((due, pk))
    _write(Appeal, moved, ["due_date"])


def _sync_due(question: Question, plan: QuestionPlan) -> None:
    """The question's deadline is the plan's; the appeal's is the latest of its questions'."""
    if question.due_date != plan.due:
        Question.objects.filter(pk=question.pk).update(due_date=plan.due)
        question.due_date = plan.due
    appeal = question.appeal
    latest = Question.objects.filter(appeal=appeal).aggregate(m=Max("due_date"))["m"] or plan.due
    if appeal.due_date != latest:
        Appeal.objects.filter(pk=appeal.pk).update(due_date=latest)
        appeal.due_date = latest


def _advance(stages: Sequence[StagePlan], through: str, at: dt.datetime) -> list[StagePlan]:
    """Close every open stage up to `through` (inclusive) and open the next; return changed rows."""
    target = next((s for s in stages if s.code == through and s.status != StageStatus.DONE), None)
    if target is None:
        return []
    changed = []
    for stage in stages:
        if stage.position > target.position:
            break
        if stage.status in (StageStatus.ACTIVE, StageStatus.PENDING):
            stage.status = StageStatus.DONE
            stage.actual_start = stage.actual_start or at
            stage.actual_end = at
            changed.append(stage)
    following = next((s for s in stages if s.position > target.position and s.status == StageStatus.PENDING), None)
    if following is not None:
        following.status, following.actual_start = StageStatus.ACTIVE, at
        changed.append(following)
    return changed


@transaction.atomic
def stages_progress(
    *, question: Question, milestone: str, at: dt.datetime | None = None, now: dt.datetime | None = None
) -> None:
    """A milestone of the question happened (resolution, draft, approval…): close stages through it."""
    # This runs on every milestone of every question: two plain statements, no query building.
    locked = replan.lock_plan_of(question.pk)
    if locked is None:
        return
    at = at or clock.now()
    stages = replan.stages_of(locked)
    changed = _advance(stages, milestone, at)
    if changed:
        _write(
            StagePlan,
            [(s.status, s.actual_start, s.actual_end, s.pk) for s in changed],
            ["status", "actual_start", "actual_end"],
        )
        recompute([locked], now=now)


@transaction.atomic
def stages_reopen(*, question: Question, code: str, at: dt.datetime | None = None) -> None:
    """The answer went back to the executor: the stage runs again, the later ones wait."""
    plan = QuestionPlan.objects.filter(question=question).select_for_update().first()
    if plan is None:
        return
    at = at or clock.now()
    stages = list(plan.stages.order_by("position"))
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    # The workflow says where a returned answer goes from the running stage; `code` is the fallback.
    code = active.returns_to if active is not None and active.returns_to else code
    target = next((s for s in stages if s.code == code), None)
    if target is None:
        return
    for stage in stages:
        if stage.position == target.position:
            stage.status, stage.actual_start, stage.actual_end = StageStatus.ACTIVE, at, None
        elif stage.position > target.position and stage.status != StageStatus.SKIPPED:
            stage.status, stage.actual_start, stage.actual_end = StageStatus.PENDING, None, None
    StagePlan.objects.bulk_update(stages, ["status", "actual_start", "actual_end"])
    recompute([plan.pk])


@transaction.atomic
def statistics_refresh(*, now: dt.datetime | None = None) -> int:
    """Recount the median finished duration per (stage, department) and per stage.

    Reads the stages finished within the history window as arrays (set-based: a history of
    millions of stages is a few seconds) and replaces the table.
    """
    now = now or clock.now()
    since = now - dt.timedelta(days=settings.OTKLIK_FORECAST_HISTORY_DAYS)
    codes, departments, seconds = replan.finished_durations(
        since=since, exclude=[StageCode.RECEIPT, StageCode.REGISTRATION]
    )
    rows: list[StageStatistic] = []
    for by_department in (True, False):
        keys = np.stack([codes, departments if by_department else np.full_like(departments, -1)])
        if by_department:
            keep = departments >= 0
            keys, values = keys[:, keep], seconds[keep]
        else:
            values = seconds
        if not values.size:
            continue
        order = np.lexsort((values, keys[1], keys[0]))
        keys, values = keys[:, order], values[order]
        starts = np.flatnonzero(np.r_[True, (np.diff(keys, axis=1) != 0).any(axis=0)])
        ends = np.r_[starts[1:], len(values)]
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            group = values[lo:hi]  # sorted: the median is the middle
            median = float((group[(hi - lo - 1) // 2] + group[(hi - lo) // 2]) / 2)
            code, department = int(keys[0, lo]), int(keys[1, lo])
            rows.append(
                StageStatistic(
                    code=replan.STAGE_CODES[code],
                    department_id=department if department >= 0 else None,
                    median_seconds=median,
                    samples=hi - lo,
                )
            )
    global _stats_cache
    _stats_cache = None
    StageStatistic.objects.all().delete()
    StageStatistic.objects.bulk_create(rows)
    return len(rows)


_stats_cache: tuple[float, dict[tuple[str, int | None], float]] | None = None


def _expected_durations() -> dict[tuple[str, int | None], float]:
    """Historical medians with enough samples to trust, keyed by (stage, department or None).

    They change only when the periodic recompute refreshes them, so a process keeps them a few minutes.
    """
    global _stats_cache
    now = time.monotonic()
    if _stats_cache is not None and now - _stats_cache[0] < 300:
        return _stats_cache[1]
    minimum = settings.OTKLIK_FORECAST_MIN_SAMPLES
    _stats_cache = (now, _read_statistics(minimum))
    return _stats_cache[1]


def _read_statistics(minimum: int) -> dict[tuple[str, int | None], float]:
    return {
        (code, department): seconds
        for code, department, seconds in StageStatistic.objects.filter(samples__gte=minimum).values_list(
            "code", "department_id", "median_seconds"
        )
    }


def recompute(
    plan_ids: Iterable[int] | None = None, *, now: dt.datetime | None = None, chunk: int = 50000
) -> dict[str, int]:
    """Re-plan open questions set-based (every open one when `plan_ids` is None); tell heads of new risks.

    The full pass walks the open plans in ranges of ids, `chunk` plans at a time; explicit ids
    (the incremental update after an event) are planned by the same code.
    """
    now = now or clock.now()
    calendar = current_calendar()
    wcal = planning.work_calendar(calendar, around=timezone.localtime(now).date(), offset=_offset())
    expected = _expected_durations()
    counts = {"plans": 0, "changed": 0, "new_risks": 0}
    if plan_ids is None:
        ids = list(QuestionPlan.objects.exclude(state=PlanState.DONE).order_by("pk").values_list("pk", flat=True))
        parts: list[dict[str, Any]] = [
            {"bounds": (ids[i], ids[min(i + chunk, len(ids)) - 1])} for i in range(0, len(ids), chunk)
        ]
    else:
        ids = sorted(set(plan_ids))
        step = min(chunk, 5000)  # an IN list stays well under every engine's parameter limit
        parts = [{"ids": ids[i : i + step]} for i in range(0, len(ids), step)]
    for part in parts:
        data = replan.read_chunk(**part)
        if not data.size:
            continue
        outcome = replan.replan(data, now=now.timestamp(), wcal=wcal, expected=expected)
        with transaction.atomic():
            replan.write(outcome)
            _tell_heads_about_risk(outcome.new_risks)
        counts["plans"] += data.size
        counts["changed"] += len(outcome.plan_rows)
        counts["new_risks"] += len(outcome.new_risks)
    return counts


def _write(model: Any, rows: list[tuple[Any, ...]], fields: list[str]) -> None:
    """Rows are (values of `fields`..., pk): one parameterised UPDATE per row, sent as one batch.

    Far cheaper than building model instances and CASE expressions for thousands of rows.
    """
    if not rows:
        return
    connection = transaction.get_connection()
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    # Only quoted identifiers from the model's own metadata go into the text; values are parameters.
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        connection.ops.quote_name(meta.db_table),
        ", ".join(f"{connection.ops.quote_name(c.column)} = %s" for c in columns),
        connection.ops.quote_name(meta.pk.column),
    )
    adapt_datetime = connection.ops.adapt_datetimefield_value
    adapt_date = connection.ops.adapt_datefield_value

    def adapt(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return adapt_datetime(value)
        return adapt_date(value) if isinstance(value, dt.date) else value

    params = [[adapt(v) for v in row] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _department_heads() -> dict[int, int]:
    """The head (user id) answering for every department: its own, else the nearest above."""
    rows = {pk: (parent, head) for pk, parent, head in Department.objects.values_list("pk", "parent_id", "head_id")}
    heads: dict[int, int] = {}
    for pk in rows:
        node: int | None = pk
        seen = 0
        while node is not None and seen <= len(rows):
            parent, head = rows[node]
            if head is not None:
                heads[pk] = head
                break
            node, seen = parent, seen + 1
    return heads


def _heads_of(question: Question) -> list[User]:
    head = _department_heads().get(question.department_id or 0)
    return list(User.objects.filter(pk=head)) if head is not None else []


def _tell_heads_about_risk(plan_ids: Sequence[int]) -> int:
    """Tell the department's head and the executor that a question's deadline is under threat (once per reason)."""
    if not plan_ids:
        return 0
    heads = _department_heads()
    active_users = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    rows: list[Notification] = []
    for start in range(0, len(plan_ids), 2000):
        part = plan_ids[start : start + 2000]
        for (
            pk,
            reason,
            question_id,
            position,
            appeal_id,
            number,
            department_id,
            executor_user,
        ) in QuestionPlan.objects.filter(pk__in=part).values_list(
            "pk",
            "reason",
            "question_id",
            "question__position",
            "question__appeal_id",
            "question__appeal__number",
            "question__department_id",
            "question__executor__user_id",
        ):
            recipients = {u for u in (heads.get(department_id or 0), executor_user) if u is not None} & active_users
            if not recipients:
                continue
            url = f"{reverse('appeals:detail', args=[appeal_id])}#question-{question_id}"
            rows += [
                Notification(
                    user_id=user,
                    key=f"risk:{pk}:{reason[:60]}"[:200],
                    title=f"Под угрозой срок: {number}, вопрос {position}"[:300],
                    body=reason,
                    url=url[:300],
                )
                for user in recipients
            ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def _require_head_or_admin(actor: User, question: Question) -> None:
    info = actor_for(actor)
    if info.has(RoleCode.ADMINISTRATOR):
        return
    if info.has(RoleCode.HEAD) and question.department_id in info.headed_department_ids:
        return
    raise PermissionDenied("Решение принимает руководитель подразделения.")


def _fresh(question: Question) -> Question:
    """Permission checks read the executor and unit as they are now, not as the caller saw them."""
    return Question.objects.select_related("appeal", "department", "executor__user").get(pk=question.pk)


def _require_executor_or_head(actor: User, question: Question) -> None:
    info = actor_for(actor)
    if question.executor_id in info.acting_for_staff_ids:
        return
    _require_head_or_admin(actor, question)


def _event(
    question: Question, actor: User | None, kind: str, note: str, field: str = "", old: str = "", new: str = ""
) -> None:
    AppealEvent.objects.create(
        appeal=question.appeal,
        at=clock.now(),
        question=question,
        actor=actor,
        kind=kind,
        note=note,
        field=field,
        old_value=old,
        new_value=new,
    )


@transaction.atomic
def extension_request(
    *, question: Question, actor: User, days: int, reason: str, today: dt.date | None = None
) -> ExtensionRequest:
    """The executor asks for more time, with a reason, early enough before the deadline."""
    question = _fresh(question)
    _require_executor_or_head(actor, question)
    plan = QuestionPlan.objects.select_for_update().select_related("regime").get(question=question)
    today = today or timezone.localdate()
    reason = reason.strip()
    if not reason:
        raise ValidationError("Обоснуйте продление.")
    if days <= 0:
        raise ValidationError("Укажите, на сколько дней продлить срок.")
    remaining = plan.regime.max_extension_days - plan.extended_days
    if remaining <= 0:
        raise ValidationError("Срок по этому вопросу продлевать больше нельзя.")
    if days > remaining:
        raise ValidationError(f"Продлить можно не более чем на {remaining} дн.")
    if (plan.due - today).days < plan.regime.extension_notice_days:
        raise ValidationError(
            f"Запрос на продление подаётся не позднее чем за {plan.regime.extension_notice_days} дн. до истечения срока."
        )
    if ExtensionRequest.objects.filter(question=question, status=ExtensionStatus.PENDING).exists():
        raise ValidationError("Запрос на продление уже ожидает решения.")
    request = ExtensionRequest.objects.create(question=question, requested_by=actor, days=days, reason=reason)
    _event(question, actor, EventKind.COMMENT, f"Запрошено продление на {days} дн.: {reason}")
    notify(
        _heads_of(question),
        key=f"extension:{request.pk}",
        title=f"Запрос на продление: {question.appeal.number}, вопрос {question.position}",
        body=reason,
        url=f"{question.appeal.get_absolute_url()}#question-{question.pk}",
    )
    return request


NOTICE_TEMPLATE = (
    "Уважаемый заявитель!\n\nСообщаем, что срок рассмотрения Вашего обращения № {number} от {date} "
    "продлён до {due} в соответствии с частью 2 статьи 12 Федерального закона от 02.05.2006 № 59-ФЗ "
    "«О порядке рассмотрения обращений граждан Российской Федерации».\n\nПричина: {reason}"
)


@transaction.atomic
def extension_decide(*, request: ExtensionRequest, actor: User, approve: bool, note: str = "") -> ExtensionRequest:
    """The head approves (the new deadline applies, a notice is prepared) or refuses with a reason."""
    request = ExtensionRequest.objects.select_for_update().select_related("question__appeal").get(pk=request.pk)
    question = request.question
    _require_head_or_admin(actor, question)
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError("По этому запросу решение уже принято.")
    if not approve and not note.strip():
        raise ValidationError("Укажите причину отказа.")
    plan = QuestionPlan.objects.select_for_update().select_related("regime").get(question=question)
    request.decided_by, request.decided_at, request.decision_note = actor, clock.now(), note.strip()
    if approve:
        calendar = current_calendar()
        old_due = plan.due
        plan.extended_days += request.days
        registered_on = timezone.localtime(question.appeal.registered_at).date()
        plan.base_due, plan.due = _due_for(plan, registered_on, calendar)
        plan.save(update_fields=["extended_days", "base_due", "due", "updated_at"])
        request.status, request.old_due, request.new_due = ExtensionStatus.APPROVED, old_due, plan.due
        request.notice_text = NOTICE_TEMPLATE.format(
            number=question.appeal.number,
            date=timezone.localtime(question.appeal.registered_at).strftime("%d.%m.%Y"),
            due=plan.due.strftime("%d.%m.%Y"),
            reason=request.reason,
        )
        _sync_due(question, plan)
        _event(
            question,
            actor,
            EventKind.CHANGED,
            note or "Срок продлён",
            field="срок",
            old=old_due.strftime("%d.%m.%Y"),
            new=plan.due.strftime("%d.%m.%Y"),
        )
        recompute([plan.pk])
    else:
        request.status = ExtensionStatus.REFUSED
        _event(question, actor, EventKind.COMMENT, f"В продлении отказано: {note.strip()}")
    request.save()
    notify(
        [request.requested_by],
        key=f"extension-decided:{request.pk}",
        title=f"Продление {question.appeal.number}: {request.get_status_display().lower()}",
        body=request.decision_note,
        url=f"{question.appeal.get_absolute_url()}#question-{question.pk}",
    )
    return request


@transaction.atomic
def pause_start(*, question: Question, actor: User, reason: str, at: dt.datetime | None = None) -> Pause:
    """Stop the clock while waiting for the applicant, where the regime allows it."""
    question = _fresh(question)
    _require_executor_or_head(actor, question)
    plan = QuestionPlan.objects.select_for_update().select_related("regime").get(question=question)
    if not plan.regime.allows_pause:
        raise ValidationError(f"Режим «{plan.regime.name}» не допускает приостановки срока.")
    if not reason.strip():
        raise ValidationError("Укажите причину приостановки.")
    if Pause.objects.filter(question=question, ended_at__isnull=True).exists():
        raise ValidationError("Срок уже приостановлен.")
    pause = Pause.objects.create(
        question=question, reason=reason.strip(), started_at=at or clock.now(), started_by=actor
    )
    _event(question, actor, EventKind.COMMENT, f"Срок приостановлен: {pause.reason}")
    return pause


@transaction.atomic
def pause_end(*, question: Question, actor: User, at: dt.datetime | None = None) -> Pause:
    """Resume the clock; the deadline moves by the whole days the question waited."""
    question = _fresh(question)
    _require_executor_or_head(actor, question)
    pause = Pause.objects.select_for_update().filter(question=question, ended_at__isnull=True).first()
    if pause is None:
        raise ValidationError("Срок не приостановлен.")
    pause.ended_at = at or clock.now()
    pause.save(update_fields=["ended_at"])
    plan = QuestionPlan.objects.select_for_update().select_related("regime").get(question=question)
    waited = math.ceil((pause.ended_at - pause.started_at).total_seconds() / 86400)
    old_due = plan.due
    plan.paused_days += waited
    plan.base_due, plan.due = _due_for(
        plan, timezone.localtime(question.appeal.registered_at).date(), current_calendar()
    )
    plan.save(update_fields=["paused_days", "base_due", "due", "updated_at"])
    _sync_due(question, plan)
    _event(
        question,
        actor,
        EventKind.CHANGED,
        f"Срок возобновлён после приостановки ({waited} дн.)",
        field="срок",
        old=old_due.strftime("%d.%m.%Y"),
        new=plan.due.strftime("%d.%m.%Y"),
    )
    recompute([plan.pk])
    return pause


@transaction.atomic
def stage_insert(*, question: Question, actor: User, code: str, reason: str = "") -> StagePlan:
    """Add an optional stage (request to another body, inspection, clarification) after the current one."""
    question = _fresh(question)
    _require_executor_or_head(actor, question)
    plan = QuestionPlan.objects.select_for_update().select_related("workflow").get(question=question)
    definition = plan.workflow.stages.filter(code=code, optional=True).first()
    if definition is None:
        raise ValidationError("Такой этап не предусмотрен порядком рассмотрения этого вопроса.")
    stages = list(plan.stages.order_by("position"))
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    if active is None:
        raise ValidationError("Нет текущего этапа: вопрос уже рассмотрен.")
    now = clock.now()
    # Make room for the inserted stage and the continuation of the interrupted one; move the
    # later stages from the end so that positions stay unique at every step.
    for stage in reversed(stages):
        if stage.position > active.position:
            StagePlan.objects.filter(pk=stage.pk).update(position=stage.position + 2)
    StagePlan.objects.filter(pk=active.pk).update(status=StageStatus.DONE, actual_end=now)
    inserted = _stage_from(definition, plan, active.position + 1, status=StageStatus.ACTIVE, actual_start=now)
    inserted.save()
    _stage_from(active, plan, active.position + 2).save()
    _event(question, actor, EventKind.COMMENT, f"Добавлен этап «{inserted.name}»" + (f": {reason}" if reason else ""))
    if definition.pauses_clock and plan.regime.allows_pause:
        pause_start(question=question, actor=actor, reason=reason or inserted.name)
    recompute([plan.pk])
    return inserted


@transaction.atomic
def stage_complete(*, question: Question, actor: User) -> StagePlan:
    """The person responsible marks the current stage done (inspection made, request answered…)."""
    question = _fresh(question)
    _require_executor_or_head(actor, question)
    plan = QuestionPlan.objects.select_for_update().get(question=question)
    stages = list(plan.stages.order_by("position"))
    active = next((s for s in stages if s.status == StageStatus.ACTIVE), None)
    if active is None:
        raise ValidationError("Нет текущего этапа.")
    changed = _advance(stages, active.code, clock.now())
    StagePlan.objects.bulk_update(changed, ["status", "actual_start", "actual_end"])
    if active.pauses_clock and Pause.objects.filter(question=question, ended_at__isnull=True).exists():
        pause_end(question=question, actor=actor)
    _event(question, actor, EventKind.COMMENT, f"Этап «{active.name}» завершён")
    recompute([plan.pk])
    return active


@transaction.atomic
def path_set(*, question: Question, actor: User, path: str, note: str = "") -> QuestionPlan:
    """Switch a question to forwarding by competence or to the no-answer path (art. 8, art. 11): 7 days."""
    question = _fresh(question)
    info = actor_for(actor)
    if not (
        info.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR) or question.department_id in info.headed_department_ids
    ):
        raise PermissionDenied("Сменить путь рассмотрения может оператор или руководитель подразделения.")
    if path not in (Path.FORWARDING, Path.NO_ANSWER):
        raise ValidationError("Неизвестный путь рассмотрения.")
    plan = QuestionPlan.objects.select_for_update().select_related("regime").get(question=question)
    if plan.path == path:
        return plan
    workflow = workflow_for(question, path=path)
    now = clock.now()
    stages = list(plan.stages.order_by("position"))
    for stage in stages:
        if stage.status == StageStatus.ACTIVE:
            stage.status, stage.actual_end = StageStatus.DONE, now
        elif stage.status == StageStatus.PENDING:
            stage.status = StageStatus.SKIPPED
    StagePlan.objects.bulk_update(stages, ["status", "actual_end"])
    last = max((s.position for s in stages), default=0)
    _copy_stages(plan, workflow, start_position=last + 1)
    first = plan.stages.filter(position=last + 1).first()
    if first is not None:
        StagePlan.objects.filter(pk=first.pk).update(status=StageStatus.ACTIVE, actual_start=now)
    old_due = plan.due
    plan.path, plan.workflow, plan.workflow_version = path, workflow, workflow.version
    plan.base_due, plan.due = _due_for(
        plan, timezone.localtime(question.appeal.registered_at).date(), current_calendar()
    )
    plan.save()
    _sync_due(question, plan)
    _event(
        question, actor, EventKind.CHANGED, note, field="путь рассмотрения", old=Path.MAIN.label, new=Path(path).label
    )
    if old_due != plan.due:
        _event(
            question,
            actor,
            EventKind.CHANGED,
            "",
            field="срок",
            old=old_due.strftime("%d.%m.%Y"),
            new=plan.due.strftime("%d.%m.%Y"),
        )
    recompute([plan.pk])
    return plan


def escalations_check(*, now: dt.datetime | None = None) -> int:
    """Send the reminders whose share of a running stage's time has passed (idempotent)."""
    now = now or clock.now()
    rules = list(EscalationRule.objects.filter(is_active=True))
    if not rules:
        return 0
    controllers = list(User.objects.filter(is_active=True, staff__roles__code=RoleCode.CONTROLLER).distinct())
    running = StagePlan.objects.filter(
        status=StageStatus.ACTIVE, planned_start__isnull=False, planned_due__isnull=False, planned_start__lt=now
    ).select_related(
        "plan__question__appeal",
        "plan__question__executor__user",
        "plan__question__department__head",
        "plan__question__department__parent__head",
    )
    sent = 0
    for stage in running.iterator(chunk_size=2000):
        span = (stage.planned_due - stage.planned_start).total_seconds()  # type: ignore[operator]
        if span <= 0:
            continue
        used = (now - stage.planned_start).total_seconds() / span * 100  # type: ignore[operator]
        question = stage.plan.question
        for rule in rules:
            if used < rule.percent or (rule.stage_code and rule.stage_code != stage.code):
                continue
            if rule.notify == "executor":
                recipients = [question.executor.user] if question.executor_id else []  # type: ignore[union-attr]
            elif rule.notify == "head":
                recipients = _heads_of(question)
            else:
                recipients = controllers
            sent += notify(
                recipients,
                key=f"esc:{stage.pk}:{rule.pk}",
                title=f"{rule.name}: {question.appeal.number}, этап «{stage.name}»",
                body=f"Использовано {min(used, 999):.0f}% времени этапа; плановый срок "
                f"{timezone.localtime(stage.planned_due):%d.%m.%Y %H:%M}.",  # type: ignore[arg-type]
                url=f"{question.appeal.get_absolute_url()}#question-{question.pk}",
            )
    return sent


def digest_send(*, today: dt.date | None = None) -> int:
    """A morning summary for every executor and head: overdue, at risk, due within three days."""
    from workflow.selectors import my_plans

    today = today or timezone.localdate()
    sent = 0
    users = User.objects.filter(is_active=True, staff__roles__code__in=[RoleCode.EXECUTOR, RoleCode.HEAD]).distinct()
    for user in users:
        plans = list(my_plans(user))
        if not plans:
            continue
        overdue = sum(1 for p in plans if p.state == PlanState.OVERDUE)
        at_risk = sum(1 for p in plans if p.state == PlanState.AT_RISK)
        soon = sum(1 for p in plans if 0 <= (p.due - today).days <= 3)
        sent += notify(
            [user],
            key=f"digest:{today.isoformat()}",
            title=f"Сводка на {today:%d.%m.%Y}: {len(plans)} вопросов",
            body=f"Просрочено: {overdue}; под угрозой: {at_risk}; срок в ближайшие 3 дня: {soon}.",
            url="/workflow/my/",
        )
    return sent


def closed_appeal_stages(appeal: Appeal) -> None:
    """The answer is registered and sent: every question of the appeal finishes its plan."""
    for question in appeal.questions.all():
        stages_progress(question=question, milestone=StageCode.DISPATCH)
        plan = QuestionPlan.objects.filter(question=question).first()
        if plan is not None:
            open_stages = plan.stages.filter(status__in=[StageStatus.ACTIVE, StageStatus.PENDING])
            open_stages.update(status=StageStatus.DONE, actual_end=clock.now())
            recompute([plan.pk])
