"""Appeals, their questions, applicants, attachments, registration numbering and history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from appeals.choices import (
    AppealStatus,
    Channel,
    Character,
    EventKind,
    Form,
    Kind,
    Outcome,
    QuestionStatus,
    QuestionType,
)
from core.models import TimeStampedModel


class NumberingScheme(models.Model):
    """How registration numbers of a body look; a scheme without a kind serves every kind."""

    body = models.ForeignKey("org.Body", on_delete=models.CASCADE, related_name="numbering", verbose_name="орган")
    kind = models.CharField("вид обращения", max_length=20, choices=Kind.choices, blank=True)
    pattern = models.CharField(
        "шаблон номера",
        max_length=100,
        default="ОГ-{year}-{seq:06d}",
        help_text="Подстановки: {year}, {seq} (можно {seq:06d}), {body}. Пример: ОГ-{year}-{seq:06d}.",
    )

    class Meta:
        verbose_name = "нумерация"
        verbose_name_plural = "нумерация обращений"
        constraints = [models.UniqueConstraint(fields=["body", "kind"], name="numbering_unique_kind")]

    def __str__(self) -> str:
        return f"{self.body}: {self.pattern}" + (f" ({self.get_kind_display()})" if self.kind else "")


class NumberCounter(models.Model):
    """The last sequence number issued by a scheme in a year; locked row by row."""

    scheme = models.ForeignKey(NumberingScheme, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "счётчик номеров"
        verbose_name_plural = "счётчики номеров"
        constraints = [models.UniqueConstraint(fields=["scheme", "year"], name="counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.year}: {self.last_value}"


class Appeal(TimeStampedModel):
    """A registered incoming item: an appeal, a message, an information request or a non-appeal."""

    body = models.ForeignKey("org.Body", on_delete=models.PROTECT, related_name="appeals", verbose_name="орган")
    number = models.CharField("регистрационный номер", max_length=50)
    number_year = models.PositiveSmallIntegerField(editable=False)
    number_seq = models.PositiveIntegerField(editable=False)
    received_at = models.DateTimeField("поступило")
    registered_at = models.DateTimeField("зарегистрировано", default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="зарегистрировал",
    )
    channel = models.CharField("канал поступления", max_length=20, choices=Channel.choices)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.APPEAL)
    form = models.CharField("форма", max_length=20, choices=Form.choices)
    character = models.CharField("характер", max_length=30, choices=Character.choices, default=Character.INDIVIDUAL)
    applicants = models.ManyToManyField(
        "people.Applicant", through="AppealApplicant", related_name="appeals", verbose_name="заявители"
    )
    addressee = models.CharField("адресат", max_length=300, blank=True, help_text="Орган или должностное лицо")
    summary = models.CharField("краткое содержание", max_length=300, blank=True)
    text = models.TextField("текст")
    status = models.CharField("статус", max_length=20, choices=AppealStatus.choices, default=AppealStatus.REGISTERED)
    due_date = models.DateField("срок рассмотрения")
    previous_appeal = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name="предыдущее обращение",
    )
    external_source = models.CharField("внешняя система", max_length=50, blank=True)
    external_id = models.CharField("номер во внешней системе", max_length=200, blank=True)
    closed_at = models.DateTimeField("снято с контроля", null=True, blank=True)
    # Folded (lower case, ё→е) text, number and applicant names: SQLite cannot fold Cyrillic itself.
    search_document = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="appeal_unique_number"),
            models.UniqueConstraint(
                fields=["external_source", "external_id"],
                condition=~Q(external_id=""),
                name="appeal_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="appeal_status_due"),
            models.Index(fields=["registered_at"], name="appeal_registered"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("appeals:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (AppealStatus.REGISTERED, AppealStatus.IN_WORK)

    def days_left(self, today: dt.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days


class AppealApplicant(models.Model):
    """An applicant who signed an appeal; several make it collective."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="signatories")
    applicant = models.ForeignKey("people.Applicant", on_delete=models.PROTECT, related_name="signed")
    is_primary = models.BooleanField("основной заявитель", default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["appeal", "applicant"], name="appeal_applicant_unique")]
        verbose_name = "подписант"
        verbose_name_plural = "подписанты"

    def __str__(self) -> str:
        return f"{self.appeal} — {self.applicant}"


class Question(TimeStampedModel):
    """One question of an appeal with its own code, executor, deadline and outcome."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="questions", verbose_name="обращение")
    position = models.PositiveSmallIntegerField("№", default=1)
    text = models.TextField("суть вопроса")
    classifier = models.ForeignKey(
        "classification.ClassifierEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name="код классификатора",
    )
    qtype = models.CharField("тип вопроса", max_length=20, choices=QuestionType.choices, default=QuestionType.STATEMENT)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name="подразделение",
    )
    executor = models.ForeignKey(
        "org.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name="исполнитель",
    )
    status = models.CharField("статус", max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.NEW)
    outcome = models.CharField("результат", max_length=30, choices=Outcome.choices, default=Outcome.ON_CONSIDERATION)
    measures_taken = models.BooleanField("меры приняты", default=False)
    answer = models.TextField("ответ", blank=True)
    due_date = models.DateField("срок")
    answered_at = models.DateTimeField("дата ответа", null=True, blank=True)

    class Meta:
        ordering = ["appeal", "position"]
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        constraints = [models.UniqueConstraint(fields=["appeal", "position"], name="question_unique_position")]
        indexes = [
            models.Index(fields=["executor", "status", "due_date"], name="question_executor_due"),
            models.Index(fields=["department", "status"], name="question_department"),
            # The periodic re-planning reads every open plan's department from this index alone,
            # not from the question rows with their texts (workflow.replan.read_chunk).
            models.Index(fields=["id", "department"], name="question_department_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} / {self.position}"

    @property
    def is_open(self) -> bool:
        return self.status != QuestionStatus.DONE


class Attachment(models.Model):
    """A file that came with an appeal; its hash guards against silent corruption."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments", verbose_name="обращение")
    file = models.FileField("файл", upload_to="appeals/%Y/%m/")
    original_name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField("тип", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("размер, байт")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("загружено", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = "вложение"
        verbose_name_plural = "вложения"

    def __str__(self) -> str:
        return self.original_name


class AppealEvent(models.Model):
    """One entry of an appeal's timeline: who changed what, when, from which value to which."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    question = models.ForeignKey(Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто",
    )
    at = models.DateTimeField("когда", default=timezone.now, db_index=True)
    kind = models.CharField("событие", max_length=30, choices=EventKind.choices)
    field = models.CharField("поле", max_length=100, blank=True)
    old_value = models.TextField("было", blank=True)
    new_value = models.TextField("стало", blank=True)
    note = models.TextField("комментарий", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "событие"
        verbose_name_plural = "история"

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_kind_display()}"
