"""Vocabularies of incoming items."""

from django.db import models


class ItemStatus(models.TextChoices):
    RECEIVED = "received", "Получено"
    REGISTERED = "registered", "Зарегистрировано"
    RECOGNISED = "recognised", "Распознано, ждёт проверки"
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
# The operator's own form (phone line, personal reception, a checked scan): the document plus
# the operator's choices; written only by staff pages, never accepted from a channel.
OPERATOR_CONTENT_TYPE = "application/vnd.otklik.operator+json"
# Paper scans are stored as the file itself; the type read from its content.
SCAN_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png", "image/tiff")
