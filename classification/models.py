"""The official classifier as a tree, a body's local categories, rules, trained models, suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from appeals.choices import Kind, QuestionType
from classification.choices import ModelStatus, SuggestionSource, SuggestionStatus


class ClassifierEntry(models.Model):
    """One code of the «Типовой общероссийский тематический классификатор обращений»."""

    code = models.CharField("код", max_length=32, unique=True)
    level = models.PositiveSmallIntegerField("уровень", help_text="1 раздел, 2 тематика, 3 тема, 4 вопрос, 5 уточнение")
    name = models.TextField("наименование")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="родитель"
    )
    section = models.CharField("раздел", max_length=4, db_index=True, help_text="Первые четыре цифры кода")
    description = models.TextField(
        "описание", blank=True, help_text="Что относится к коду, своими словами: помогает подсказке без истории."
    )
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


class LocalCategory(models.Model):
    """A body's own category or reason (like the SPb portal's), mapped to an official code."""

    code = models.CharField("код", max_length=50, unique=True)
    name = models.CharField("наименование", max_length=500)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="входит в"
    )
    classifier = models.ForeignKey(
        ClassifierEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_categories",
        verbose_name="код официального классификатора",
        limit_choices_to={"level__gte": 4},
    )
    object_type = models.CharField("вид объекта", max_length=200, blank=True)
    description = models.TextField("описание", blank=True, help_text="Что относится к категории: помогает подсказке.")
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "местная категория"
        verbose_name_plural = "местные категории"

    def __str__(self) -> str:
        return self.name


class ClassificationRule(models.Model):
    """An administrator's rule: words, phrases or patterns that point to a code or a local category."""

    name = models.CharField("название", max_length=200)
    classifier = models.ForeignKey(
        ClassifierEntry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name="код классификатора",
        limit_choices_to={"level__gte": 4},
    )
    local_category = models.ForeignKey(
        LocalCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name="местная категория",
    )
    qtype = models.CharField(
        "тип вопроса", max_length=20, choices=QuestionType.choices, blank=True, help_text="Необязательно."
    )
    keywords = models.TextField(
        "ключевые слова",
        blank=True,
        help_text="По одному в строке; словоформы не важны: «фонарь» находит «фонари», «фонарём».",
    )
    phrases = models.TextField(
        "фразы", blank=True, help_text="По одной в строке; слова подряд в любой форме: «не горит фонарь»."
    )
    patterns = models.TextField(
        "регулярные выражения", blank=True, help_text="По одному в строке, без учёта регистра: «\\bлэп\\b»."
    )
    weight = models.FloatField("вес", default=1.0, help_text="Чем больше, тем сильнее правило.")
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "правило классификации"
        verbose_name_plural = "правила классификации"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        import re

        from django.core.exceptions import ValidationError

        if not (self.classifier_id or self.local_category_id or self.qtype):
            raise ValidationError("Укажите, к чему ведёт правило: код, местную категорию или тип вопроса.")
        if not (self.keywords.strip() or self.phrases.strip() or self.patterns.strip()):
            raise ValidationError("Укажите ключевые слова, фразы или регулярные выражения.")
        for line in self.patterns.splitlines():
            if line.strip():
                try:
                    re.compile(line.strip())
                except re.error as exc:
                    raise ValidationError({"patterns": f"Ошибка в выражении «{line.strip()}»: {exc}"}) from None
        if self.weight <= 0:
            raise ValidationError({"weight": "Вес должен быть больше нуля."})


class ModelVersion(models.Model):
    """A bundle of models trained on the body's own history, with its metrics; one is active."""

    number = models.PositiveIntegerField("версия", unique=True)
    status = models.CharField("состояние", max_length=20, choices=ModelStatus.choices, default=ModelStatus.QUEUED)
    is_active = models.BooleanField("действующая", default=False)
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    stage = models.CharField("этап", max_length=200, blank=True)
    created_at = models.DateTimeField("создана", default=timezone.now)
    started_at = models.DateTimeField("начало обучения", null=True, blank=True)
    finished_at = models.DateTimeField("окончание обучения", null=True, blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    samples = models.PositiveIntegerField("вопросов в обучении", default=0)
    metrics = models.JSONField("показатели", default=dict, blank=True)
    artifact = models.BinaryField("модель", null=True, blank=True, editable=False)
    size = models.PositiveIntegerField("размер, байт", default=0)
    error = models.TextField("ошибка", blank=True)
    note = models.CharField("примечание", max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = "версия модели"
        verbose_name_plural = "версии моделей классификации"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return f"модель v{self.number}"

    @property
    def is_running(self) -> bool:
        return self.status in (ModelStatus.QUEUED, ModelStatus.TRAINING)


class Suggestion(models.Model):
    """What the system proposes for one question: code, local category, type, kind — and what became of it."""

    question = models.OneToOneField(
        "appeals.Question", on_delete=models.CASCADE, related_name="suggestion", verbose_name="вопрос"
    )
    classifier = models.ForeignKey(
        ClassifierEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="код"
    )
    confidence = models.FloatField("уверенность", default=0.0)
    alternatives = models.JSONField("варианты", default=list, blank=True)
    explanation = models.JSONField("решившие слова", default=list, blank=True)
    source = models.CharField(
        "источник", max_length=20, choices=SuggestionSource.choices, default=SuggestionSource.NONE
    )
    local_category = models.ForeignKey(
        LocalCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="местная категория",
    )
    local_confidence = models.FloatField("уверенность (категория)", default=0.0)
    local_alternatives = models.JSONField("варианты категории", default=list, blank=True)
    local_assigned = models.ForeignKey(
        LocalCategory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name="присвоенная местная категория",
    )
    qtype = models.CharField("тип вопроса", max_length=20, choices=QuestionType.choices, blank=True)
    qtype_confidence = models.FloatField("уверенность (тип)", default=0.0)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, blank=True)
    kind_confidence = models.FloatField("уверенность (вид)", default=0.0)
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="модель"
    )
    status = models.CharField(
        "состояние", max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.SUGGESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    decided_at = models.DateTimeField("когда решено", null=True, blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)

    class Meta:
        verbose_name = "подсказка классификации"
        verbose_name_plural = "подсказки классификации"
        indexes = [models.Index(fields=["status"], name="suggestion_status")]

    def __str__(self) -> str:
        return f"подсказка к вопросу {self.question_id}"

    @property
    def confidence_percent(self) -> int:
        return round(self.confidence * 100)
