"""Vocabularies of routing decisions and forwarding proposals."""

from django.db import models


class DecisionSource(models.TextChoices):
    RULE = "rule", "Правило маршрутизации"
    MODEL = "model", "Обучено на истории"
    COMPETENCE = "competence", "Вне компетенции"
    NONE = "none", "Не определено"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Предложено"
    ACCEPTED = "accepted", "Принято: переадресация"
    DISMISSED = "dismissed", "Отклонено"
