"""Vocabularies of incoming items."""

from django.db import models


class ItemStatus(models.TextChoices):
    RECEIVED = "received", "Получено"
    REGISTERED = "registered", "Зарегистрировано"
    FAILED = "failed", "Ошибка"
    DISPOSITIONED = "dispositioned", "Разобрано без регистрации"


class Disposition(models.TextChoices):
    NOT_APPEAL = "not_appeal", "Не обращение"
    SPAM = "spam", "Спам"
    DUPLICATE = "duplicate", "Дубликат"


# What an adapter stores as the payload: an e-mail message as received, or a channel's
# document in Otklik's own JSON shape (API, file imports, forms).
EMAIL_CONTENT_TYPE = "message/rfc822"
DOCUMENT_CONTENT_TYPE = "application/vnd.otklik.item+json"
# A VK Callback API event (a private message or a wall comment) exactly as VK sent it.
VK_CONTENT_TYPE = "application/vnd.otklik.vk-callback+json"
