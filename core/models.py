"""Base models and the production calendar's administrator overrides."""

from __future__ import annotations

from django.db import models


class TimeStampedModel(models.Model):
    """Abstract base with creation and modification times."""

    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        abstract = True


class CalendarDay(models.Model):
    """An administrator's override of one date in the production calendar."""

    date = models.DateField("дата", unique=True)
    is_working = models.BooleanField("рабочий день", help_text="Отметьте, если день рабочий; снимите — если выходной.")
    note = models.CharField("основание", max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "день производственного календаря"
        verbose_name_plural = "производственный календарь: исключения"

    def __str__(self) -> str:
        kind = "рабочий" if self.is_working else "выходной"
        return f"{self.date:%d.%m.%Y} — {kind}"
