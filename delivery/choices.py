"""Vocabularies of delivery."""

from django.db import models


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "Электронная почта"
    TELEGRAM = "telegram", "Telegram"
    VK = "vk", "ВКонтакте"
    SMS = "sms", "SMS"
    PRINT = "print", "Почта (печать)"
    EXCHANGE = "exchange", "СЭД (папка обмена)"


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    SENDING = "sending", "Отправляется"
    SENT = "sent", "Доставлено"
    FAILED = "failed", "Не доставлено"
    CANCELLED = "cancelled", "Отменено"
