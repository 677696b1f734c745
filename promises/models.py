"""Promises given in answers, their history and the notices prepared for applicants."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from promises.choices import OPEN_STATUSES, NoticeStatus, PromiseSource, PromiseStatus


class Promise(TimeStampedModel):
    """One commitment of an answer: what, by when, who is responsible, and where it stands."""

    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="promises", verbose_name="обращение"
    )
    question = models.ForeignKey(
        "appeals.Question", on_delete=models.CASCADE, related_name="promises", verbose_name="вопрос"
    )
    sentence = models.TextField("обещание")
    due_date = models.DateField("срок")
    first_due_date = models.DateField("первоначальный срок")
    due_text = models.CharField("как срок указан в ответе", max_length=200, blank=True)
    responsible = models.CharField("ответственный", max_length=300, blank=True)
    status = models.CharField("статус", max_length=20, choices=PromiseStatus.choices, default=PromiseStatus.DRAFT)
    source = models.CharField("откуда", max_length=20, choices=PromiseSource.choices, default=PromiseSource.MANUAL)
    confidence = models.FloatField("уверенность извлечения", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    given_at = models.DateTimeField("дано", null=True, blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = "обещание"
        verbose_name_plural = "обещания"
        indexes = [
            models.Index(fields=["status", "due_date"], name="promise_status_due"),
            models.Index(fields=["appeal", "status"], name="promise_appeal_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(status__in=sorted(OPEN_STATUSES)),
                name="promise_open_not_closed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number}: до {self.due_date:%d.%m.%Y}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today


class PromiseChange(models.Model):
    """One step of a promise's history: status and due date before and after, who, when, why."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField("когда", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    old_status = models.CharField("было", max_length=20, choices=PromiseStatus.choices, blank=True)
    new_status = models.CharField("стало", max_length=20, choices=PromiseStatus.choices)
    old_due_date = models.DateField("прежний срок", null=True, blank=True)
    new_due_date = models.DateField("новый срок", null=True, blank=True)
    note = models.TextField("комментарий", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "изменение обещания"
        verbose_name_plural = "история обещаний"

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_new_status_display()}"


class ApplicantNotice(models.Model):
    """The text an applicant is to receive about a promise; delivery channels send it later."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="notices")
    change = models.ForeignKey(PromiseChange, on_delete=models.CASCADE, related_name="notices")
    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="promise_notices")
    applicant = models.ForeignKey("people.Applicant", on_delete=models.PROTECT, related_name="promise_notices")
    text = models.TextField("текст")
    status = models.CharField("статус", max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PREPARED)
    created_at = models.DateTimeField("подготовлено", db_index=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "сообщение заявителю об обещании"
        verbose_name_plural = "сообщения заявителям об обещаниях"
        constraints = [
            models.UniqueConstraint(fields=["change", "applicant"], name="promise_notice_once_per_change"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number}: {self.get_status_display()}"
