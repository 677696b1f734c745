"""Legal regimes, workflows of stages (data an administrator edits), plans and their control."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from org.choices import RoleCode
from workflow.choices import (
    CountFrom,
    DayKind,
    ExtensionStatus,
    NormUnit,
    NotifyRole,
    Path,
    PlanState,
    Shift,
    StageCode,
    StageStatus,
)


class Regime(models.Model):
    """A legal regime: the consideration norm and how its days are counted (DOMAIN.md §3)."""

    code = models.SlugField("код", max_length=30, unique=True)
    name = models.CharField("название", max_length=200)
    consideration_days = models.PositiveSmallIntegerField("срок рассмотрения, дней")
    day_kind = models.CharField("дни", max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR)
    count_from = models.CharField("отсчёт", max_length=20, choices=CountFrom.choices, default=CountFrom.DATE_PLUS_N)
    shift = models.CharField("срок на выходном", max_length=10, choices=Shift.choices, default=Shift.PREVIOUS)
    registration_days = models.PositiveSmallIntegerField("регистрация, дней", default=3)
    forwarding_days = models.PositiveSmallIntegerField("переадресация и уведомления, дней", default=7)
    max_extension_days = models.PositiveSmallIntegerField("продление не более, дней", default=30)
    extension_notice_days = models.PositiveSmallIntegerField("запрос на продление не позднее чем за, дней", default=3)
    allows_pause = models.BooleanField("срок приостанавливается на время уточнения", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "правовой режим"
        verbose_name_plural = "правовые режимы сроков"

    def __str__(self) -> str:
        return self.name


class Workflow(TimeStampedModel):
    """An ordered set of stages; the most specific active workflow that matches a question is used."""

    name = models.CharField("название", max_length=200)
    path = models.CharField("путь", max_length=20, choices=Path.choices, default=Path.MAIN)
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="workflows", verbose_name="режим")
    kind = models.CharField("вид обращения", max_length=20, blank=True, help_text="Пусто — любой вид")
    classifier_section = models.CharField("раздел классификатора", max_length=4, blank=True, help_text="Пусто — любой")
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name="подразделение",
        help_text="Пусто — любое",
    )
    version = models.PositiveIntegerField("версия", default=1, editable=False)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["path", "name"]
        verbose_name = "порядок рассмотрения"
        verbose_name_plural = "порядки рассмотрения (этапы и нормы)"

    def __str__(self) -> str:
        return f"{self.name} (в. {self.version})"

    @property
    def specificity(self) -> int:
        return bool(self.kind) + bool(self.classifier_section) * 2 + bool(self.department_id) * 4


class StageDefinition(models.Model):
    """One stage of a workflow with its norm; optional stages are inserted on demand."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField("№")
    code = models.CharField("этап", max_length=20, choices=StageCode.choices)
    name = models.CharField("название", max_length=200, blank=True)
    norm_value = models.PositiveSmallIntegerField("норма")
    norm_unit = models.CharField("единица", max_length=20, choices=NormUnit.choices, default=NormUnit.WORKING_DAYS)
    min_value = models.PositiveSmallIntegerField(
        "минимум при сжатии", help_text="До скольки можно сократить этап, чтобы успеть к законному сроку"
    )
    responsible_role = models.CharField("ответственный", max_length=20, choices=RoleCode.choices)
    optional = models.BooleanField("по необходимости", default=False)
    pauses_clock = models.BooleanField("останавливает срок", default=False)
    returns_to = models.CharField(
        "можно вернуть на этап",
        max_length=20,
        choices=StageCode.choices,
        blank=True,
        help_text="Переход назад: куда отправляется работа, если на этом этапе её вернули на доработку",
    )

    class Meta:
        ordering = ["workflow", "position"]
        verbose_name = "этап"
        verbose_name_plural = "этапы"
        constraints = [
            models.UniqueConstraint(fields=["workflow", "position"], name="stage_unique_position"),
            models.CheckConstraint(condition=Q(min_value__lte=models.F("norm_value")), name="stage_min_le_norm"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_code_display()


class QuestionPlan(TimeStampedModel):
    """The deadline plan of one question: its workflow version, legal deadline and current state."""

    question = models.OneToOneField("appeals.Question", on_delete=models.CASCADE, related_name="plan")
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="+")
    workflow_version = models.PositiveIntegerField()
    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=20, choices=Path.choices, default=Path.MAIN)
    base_due = models.DateField("законный срок")
    due = models.DateField("срок с учётом продлений и пауз")
    extended_days = models.PositiveSmallIntegerField("продлено, дней", default=0)
    paused_days = models.PositiveSmallIntegerField("приостановлено, дней", default=0)
    state = models.CharField("состояние", max_length=20, choices=PlanState.choices, default=PlanState.ON_TRACK)
    reason = models.CharField("причина", max_length=500, blank=True)
    reserve_hours = models.IntegerField("резерв, часов", default=0)
    forecast_end = models.DateTimeField("прогноз завершения", null=True, blank=True)
    forecast_late = models.BooleanField("прогноз позже срока", default=False)

    class Meta:
        verbose_name = "план сроков вопроса"
        verbose_name_plural = "планы сроков"
        indexes = [models.Index(fields=["state"], name="plan_state")]

    def __str__(self) -> str:
        return f"план {self.question_id}"


class StagePlan(models.Model):
    """A stage of one question as planned and as it happened (norms copied from the workflow version)."""

    plan = models.ForeignKey(QuestionPlan, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20, choices=StageCode.choices)
    name = models.CharField(max_length=200)
    norm_value = models.PositiveSmallIntegerField()
    norm_unit = models.CharField(max_length=20, choices=NormUnit.choices)
    min_value = models.PositiveSmallIntegerField()
    responsible_role = models.CharField(max_length=20, choices=RoleCode.choices)
    pauses_clock = models.BooleanField(default=False)
    returns_to = models.CharField(max_length=20, choices=StageCode.choices, blank=True)
    status = models.CharField(max_length=10, choices=StageStatus.choices, default=StageStatus.PENDING)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_due = models.DateTimeField(null=True, blank=True)
    actual_start = models.DateTimeField(null=True, blank=True)
    actual_end = models.DateTimeField(null=True, blank=True)
    compressed = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "position"]
        constraints = [models.UniqueConstraint(fields=["plan", "position"], name="stageplan_unique_position")]
        indexes = [
            models.Index(fields=["status", "planned_due"], name="stageplan_active_due"),
            # Everything the periodic re-planning reads of an open stage, for open stages only: a
            # pass reads this small index, not the table with every stage ever finished
            # (workflow.replan.read_chunk).
            models.Index(
                fields=[
                    "plan",
                    "position",
                    "status",
                    "code",
                    "norm_unit",
                    "norm_value",
                    "min_value",
                    "actual_start",
                    "planned_start",
                    "planned_due",
                    "compressed",
                    "id",
                ],
                condition=models.Q(status__in=["active", "pending"]),
                name="stageplan_open_stages",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def late(self) -> bool:
        if self.planned_due is None:
            return False
        end = self.actual_end
        return end is not None and end > self.planned_due


class ExtensionRequest(TimeStampedModel):
    """An executor's reasoned request to extend a question's deadline, and the head's decision."""

    question = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="extension_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField("на сколько дней")
    reason = models.TextField("обоснование")
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    old_due = models.DateField(null=True, blank=True)
    new_due = models.DateField(null=True, blank=True)
    notice_text = models.TextField("уведомление заявителю", blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "запрос на продление"
        verbose_name_plural = "запросы на продление"
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(status="pending"), name="extension_one_pending_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"продление {self.question_id} на {self.days} дн."


class Pause(models.Model):
    """The clock stopped while waiting for the applicant (where the regime allows it)."""

    question = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField("причина", max_length=500)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "приостановка срока"
        verbose_name_plural = "приостановки срока"
        constraints = [
            models.UniqueConstraint(fields=["question"], condition=Q(ended_at__isnull=True), name="pause_one_open")
        ]

    def __str__(self) -> str:
        return self.reason


class EscalationRule(models.Model):
    """Remind or escalate when a stage has used a share of its planned time."""

    name = models.CharField("название", max_length=200)
    stage_code = models.CharField(
        "этап", max_length=20, choices=StageCode.choices, blank=True, help_text="Пусто — любой"
    )
    percent = models.PositiveSmallIntegerField("доля времени этапа, %")
    notify = models.CharField("кому", max_length=20, choices=NotifyRole.choices)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["percent", "notify"]
        verbose_name = "правило напоминаний"
        verbose_name_plural = "напоминания и эскалации"

    def __str__(self) -> str:
        return f"{self.percent}% → {self.get_notify_display()}"


class Notification(models.Model):
    """An in-app notification; the key makes every reminder idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")]

    def __str__(self) -> str:
        return self.title


class StageStatistic(models.Model):
    """Median actual duration of a stage per department (and overall), refreshed periodically."""

    code = models.CharField(max_length=20, choices=StageCode.choices)
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, null=True, blank=True)
    median_seconds = models.FloatField()
    samples = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "фактическая длительность этапа"
        verbose_name_plural = "фактические длительности этапов"
        constraints = [
            models.UniqueConstraint(fields=["code", "department"], name="stagestat_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(department__isnull=True), name="stagestat_unique_all"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.median_seconds / 86400:.1f} дн."
