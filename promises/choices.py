"""Vocabularies of promises."""

from django.db import models


class PromiseStatus(models.TextChoices):
    DRAFT = "draft", "В проекте ответа"
    GIVEN = "given", "Дано"
    IN_PROGRESS = "in_progress", "Выполняется"
    MOVED = "moved", "Срок перенесён"
    KEPT = "kept", "Выполнено"
    BROKEN = "broken", "Не выполнено"
    CANCELLED = "cancelled", "Отменено"


# A promise is open (the appeal stays on additional control) while it is in one of these.
OPEN_STATUSES = frozenset({PromiseStatus.GIVEN, PromiseStatus.IN_PROGRESS, PromiseStatus.MOVED})
CLOSED_STATUSES = frozenset({PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.CANCELLED})

# Which status may follow which once a promise is given.
TRANSITIONS: dict[str, frozenset[str]] = {
    PromiseStatus.GIVEN: frozenset(
        {
            PromiseStatus.IN_PROGRESS,
            PromiseStatus.MOVED,
            PromiseStatus.KEPT,
            PromiseStatus.BROKEN,
            PromiseStatus.CANCELLED,
        }
    ),
    PromiseStatus.IN_PROGRESS: frozenset(
        {PromiseStatus.MOVED, PromiseStatus.KEPT, PromiseStatus.BROKEN, PromiseStatus.CANCELLED}
    ),
    PromiseStatus.MOVED: frozenset(
        {
            PromiseStatus.IN_PROGRESS,
            PromiseStatus.MOVED,
            PromiseStatus.KEPT,
            PromiseStatus.BROKEN,
            PromiseStatus.CANCELLED,
        }
    ),
    PromiseStatus.KEPT: frozenset(),
    PromiseStatus.BROKEN: frozenset({PromiseStatus.MOVED}),
    PromiseStatus.CANCELLED: frozenset(),
}


class PromiseSource(models.TextChoices):
    DATE = "date", "Дата в тексте"
    PERIOD = "period", "Период в тексте"
    DURATION = "duration", "Срок от даты ответа"
    CONVENTION = "convention", "Обычный срок органа"
    MANUAL = "manual", "Введено вручную"


class NoticeStatus(models.TextChoices):
    PREPARED = "prepared", "Подготовлено"
    SENT = "sent", "Отправлено"
    CANCELLED = "cancelled", "Не требуется"
