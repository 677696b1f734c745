"""Vocabularies of subject groups, their members, proposals and member answers."""

from django.db import models


class GroupStatus(models.TextChoices):
    OPEN = "open", "В работе"
    ON_APPROVAL = "on_approval", "Ответ на согласовании"
    ANSWERED = "answered", "Ответ дан"
    CLOSED = "closed", "Закрыта"


class JoinedBy(models.TextChoices):
    OPERATOR = "operator", "Оператор"
    AUTOMATIC = "automatic", "Автоматически"
    FOUNDER = "founder", "При создании группы"


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", "Предложено"
    ACCEPTED = "accepted", "Принято"
    DISMISSED = "dismissed", "Отклонено"


class AnswerKind(models.TextChoices):
    LETTER = "letter", "Персональный ответ"
    LINK = "link", "Ссылка на опубликованный ответ (ст. 11 ч. 5.1 59-ФЗ)"
