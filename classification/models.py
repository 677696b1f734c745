"""The official thematic classifier of appeals as a tree of codes."""

from __future__ import annotations

from django.db import models


class ClassifierEntry(models.Model):
    """One code of the «Типовой общероссийский тематический классификатор обращений»."""

    code = models.CharField("код", max_length=32, unique=True)
    level = models.PositiveSmallIntegerField("уровень", help_text="1 раздел, 2 тематика, 3 тема, 4 вопрос, 5 уточнение")
    name = models.TextField("наименование")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="родитель"
    )
    section = models.CharField("раздел", max_length=4, db_index=True, help_text="Первые четыре цифры кода")
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "код классификатора"
        verbose_name_plural = "тематический классификатор"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_question_level(self) -> bool:
        """Questions of an appeal are coded at level 4 (вопрос) or 5 (уточнение)."""
        return self.level >= 4
