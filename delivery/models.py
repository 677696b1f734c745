"""The outbox: one message to one applicant through one channel, its files, its attempts; print batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel
from delivery.choices import DeliveryChannel, OutboxStatus


class PrintBatch(TimeStampedModel):
    """Letters for the post printed together: letters, envelopes and a sheet of address labels."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField("писем", default=0)
    pdf = models.FileField("файл для печати", upload_to="delivery/print/%Y/%m/")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "пакет печати"
        verbose_name_plural = "пакеты печати"

    def __str__(self) -> str:
        return f"Пакет печати {self.pk} ({self.count})"


class OutboxMessage(TimeStampedModel):
    """A message waiting for, being or having been delivered."""

    appeal = models.ForeignKey(
        "appeals.Appeal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox",
        verbose_name="обращение",
    )
    applicant = models.ForeignKey(
        "people.Applicant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox",
        verbose_name="получатель",
    )
    kind = models.CharField("что отправляется", max_length=40)
    # What the message carries, for the app that queued it («letter:17»): cancelling the source
    # cancels its undelivered messages (`outbox_cancel_for`).
    reference = models.CharField("источник", max_length=100, blank=True, db_index=True)
    channel = models.CharField("канал", max_length=20, choices=DeliveryChannel.choices)
    address = models.CharField("адрес", max_length=500, blank=True)
    recipient_name = models.CharField("получатель (как на конверте)", max_length=300, blank=True)
    subject = models.CharField("тема", max_length=300)
    text = models.TextField("текст")
    html = models.TextField("HTML", blank=True)
    # Extra e-mail headers (`delivery.services.EMAIL_HEADERS`): an automatic reply says so
    # (Auto-Submitted) and names the letter it answers (In-Reply-To, References).
    headers = models.JSONField("заголовки письма", default=dict, blank=True)
    status = models.CharField("статус", max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("попыток", default=0)
    next_attempt_at = models.DateTimeField("следующая попытка", null=True, blank=True)
    last_error = models.TextField("последняя ошибка", blank=True)
    warning = models.TextField("предупреждение", blank=True)
    sent_at = models.DateTimeField("доставлено", null=True, blank=True)
    external_id = models.CharField("номер у получателя", max_length=300, blank=True)
    print_batch = models.ForeignKey(
        PrintBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages", verbose_name="пакет"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "исходящее сообщение"
        verbose_name_plural = "очередь отправки"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="delivery/%Y/%m/")
    name = models.CharField("имя файла", max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")

    class Meta:
        ordering = ["pk"]
        verbose_name = "вложение сообщения"
        verbose_name_plural = "вложения сообщений"

    def __str__(self) -> str:
        return self.name
