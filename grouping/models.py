"""Subject groups of questions, the matching index, proposals, member answers, repeat links."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from appeals.choices import Outcome
from core.models import TimeStampedModel
from grouping.choices import AnswerKind, GroupStatus, JoinedBy, ProposalState


class GroupingSettings(models.Model):
    """The administrator's settings of matching, automatic joining and resonance alerts (one row)."""

    auto_join = models.BooleanField(
        "присоединять явные случаи автоматически",
        default=False,
        help_text="Вопрос с оценкой не ниже порога автоматического присоединения попадает в группу без оператора.",
    )
    auto_join_score = models.FloatField("порог автоматического присоединения", default=0.85)
    propose_score = models.FloatField("порог предложения оператору", default=0.5)
    radius_m = models.PositiveIntegerField("радиус места, м", default=100)
    window_days = models.PositiveSmallIntegerField("окно времени, дней", default=7)
    resonance_hours = models.PositiveSmallIntegerField("резонанс: окно, часов", default=24)
    resonance_min = models.PositiveSmallIntegerField("резонанс: не меньше вопросов в окне", default=5)
    resonance_factor = models.FloatField("резонанс: во сколько раз чаще обычного", default=3.0)
    repeat_days = models.PositiveSmallIntegerField("повторное: искать ответы за, дней", default=365)

    class Meta:
        verbose_name = "настройки группировки"
        verbose_name_plural = "настройки группировки"

    def __str__(self) -> str:
        return "Настройки группировки вопросов"

    @classmethod
    def current(cls) -> GroupingSettings:
        found = cls.objects.order_by("pk").first()
        return found if found is not None else cls.objects.create()


def _token() -> str:
    return secrets.token_urlsafe(18)


class SubjectGroup(TimeStampedModel):
    """Questions of the same kind about the same place and time, processed together."""

    body = models.ForeignKey("org.Body", on_delete=models.PROTECT, related_name="subject_groups", verbose_name="орган")
    title = models.CharField("тема группы", max_length=300)
    topic = models.CharField("тема (ключ)", max_length=60, blank=True, db_index=True)
    classifier = models.ForeignKey(
        "classification.ClassifierEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="код классификатора",
    )
    place_label = models.CharField("место", max_length=500, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_groups",
        verbose_name="подразделение",
    )
    lead = models.ForeignKey(
        "org.StaffMember",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_groups",
        verbose_name="ведущий исполнитель",
    )
    status = models.CharField("статус", max_length=20, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    answer = models.TextField("общий ответ", blank=True)
    outcome = models.CharField("результат", max_length=30, choices=Outcome.choices, default=Outcome.ON_CONSIDERATION)
    measures_taken = models.BooleanField("меры приняты", default=False)
    answered_at = models.DateTimeField("ответ утверждён", null=True, blank=True)
    public_token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    published_at = models.DateTimeField("опубликован", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "тематическая группа"
        verbose_name_plural = "тематические группы"
        indexes = [models.Index(fields=["status", "topic"], name="group_status_topic")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("groups:detail", args=[self.pk])

    def get_public_url(self) -> str:
        from django.urls import reverse

        return reverse("groups:public", args=[self.public_token])

    @property
    def is_answered(self) -> bool:
        return self.status in (GroupStatus.ANSWERED, GroupStatus.CLOSED)


class GroupMembership(models.Model):
    """A question in a group; leaving keeps the row (with `left_at`) for the history."""

    group = models.ForeignKey(SubjectGroup, on_delete=models.CASCADE, related_name="memberships")
    question = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="group_memberships")
    joined_at = models.DateTimeField("присоединён")
    joined_by = models.CharField("как", max_length=20, choices=JoinedBy.choices, default=JoinedBy.OPERATOR)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.FloatField("сходство", null=True, blank=True)
    left_at = models.DateTimeField("вышел", null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name = "вопрос группы"
        verbose_name_plural = "вопросы групп"
        constraints = [
            models.UniqueConstraint(
                fields=["question"], condition=Q(left_at__isnull=True), name="membership_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.question_id}"


class QuestionSignature(models.Model):
    """What matching needs of a question, indexed for blocking: topic × place cell × time."""

    question = models.OneToOneField("appeals.Question", on_delete=models.CASCADE, related_name="signature")
    body = models.ForeignKey("org.Body", on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=60, blank=True)
    cell = models.CharField(max_length=24, blank=True)
    building = models.CharField(max_length=200, blank=True)
    place_label = models.CharField(max_length=500, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    at = models.DateTimeField()
    tokens = models.TextField(blank=True)
    text_key = models.CharField(max_length=64, blank=True)
    applicant_ids = models.CharField(max_length=200, blank=True)
    group = models.ForeignKey(SubjectGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "признаки вопроса для группировки"
        verbose_name_plural = "признаки вопросов для группировки"
        indexes = [
            models.Index(fields=["topic", "cell", "at"], name="signature_topic_cell_at"),
            models.Index(fields=["topic", "building", "at"], name="signature_topic_building_at"),
            models.Index(fields=["text_key", "at"], name="signature_text_at"),
        ]

    def __str__(self) -> str:
        return f"признаки {self.question_id}"


class MatchProposal(models.Model):
    """«N похожих вопросов…»: a group (or a set of similar ungrouped questions) proposed for a question."""

    question = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="group_proposals")
    group = models.ForeignKey(SubjectGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals")
    similar_ids = models.JSONField("похожие вопросы", default=list)
    score = models.FloatField("оценка")
    summary = models.CharField("описание", max_length=500)
    state = models.CharField(max_length=20, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = "предложение группы"
        verbose_name_plural = "предложения групп"

    def __str__(self) -> str:
        return self.summary


class MemberAnswer(models.Model):
    """The joint answer personalised for one member question's applicant; delivery sends it later."""

    group = models.ForeignKey(SubjectGroup, on_delete=models.CASCADE, related_name="member_answers")
    question = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="group_answers")
    kind = models.CharField(max_length=20, choices=AnswerKind.choices, default=AnswerKind.LETTER)
    addressee = models.CharField("кому", max_length=500, blank=True)
    text = models.TextField("текст")
    created_at = models.DateTimeField()
    send_by = models.DateField("отправить до", null=True, blank=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "ответ участнику группы"
        verbose_name_plural = "ответы участникам групп"
        constraints = [
            models.UniqueConstraint(fields=["group", "question", "kind"], name="member_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"ответ {self.question_id} ({self.get_kind_display()})"


class RepeatLink(models.Model):
    """The same applicant asked the same question before and got an answer: the earlier question."""

    question = models.OneToOneField("appeals.Question", on_delete=models.CASCADE, related_name="repeat_link")
    earlier = models.ForeignKey("appeals.Question", on_delete=models.CASCADE, related_name="repeated_by")
    score = models.FloatField("сходство")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "повторный вопрос"
        verbose_name_plural = "повторные вопросы"

    def __str__(self) -> str:
        return f"{self.question_id} повторяет {self.earlier_id}"
