"""Sections of the official classifier and the vocabularies of suggestions and models."""

from django.db import models

SECTION_NAMES = {
    "0001": "Государство, общество, политика",
    "0002": "Социальная сфера",
    "0003": "Экономика",
    "0004": "Оборона, безопасность, законность",
    "0005": "Жилищно-коммунальная сфера",
}


class SuggestionStatus(models.TextChoices):
    SUGGESTED = "suggested", "Предложено, ждёт оператора"
    APPLIED = "applied", "Применено автоматически"
    CONFIRMED = "confirmed", "Подтверждено оператором"
    CORRECTED = "corrected", "Исправлено оператором"


class SuggestionSource(models.TextChoices):
    MODEL = "model", "Модель, обученная на истории"
    RULES = "rules", "Правила администратора"
    SIMILARITY = "similarity", "Сходство с наименованиями классификатора"
    MAPPING = "mapping", "Соответствие местной категории"
    NONE = "none", "Нет предложения"


class ModelStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    TRAINING = "training", "Обучается"
    READY = "ready", "Готова"
    FAILED = "failed", "Ошибка"


class Target(models.TextChoices):
    """What a model bundle predicts."""

    CODE = "code", "Код классификатора"
    LOCAL = "local", "Местная категория"
    QTYPE = "qtype", "Тип вопроса"
    KIND = "kind", "Вид (обращение / сообщение)"
    DEPARTMENT = "department", "Подразделение"
