"""Letter templates in groups, a body's letter settings, outgoing letters and their numbering."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from appeals.choices import Outcome
from core.models import TimeStampedModel
from letters.choices import LetterStatus, Situation

DEFAULT_NUMBER_PATTERN = "{seq}-ОГ/{year}"


class LetterSettings(TimeStampedModel):
    """A body's letterhead, signature block, outgoing numbering and DOCX layout."""

    body = models.OneToOneField(
        "org.Body", on_delete=models.CASCADE, related_name="letter_settings", verbose_name="орган"
    )
    letterhead = models.TextField(
        "строки бланка",
        blank=True,
        help_text="Под наименованием органа, по строке: адрес, телефон, e-mail, ОГРН/ИНН. Пусто — из карточки органа.",
    )
    signer_position = models.CharField(
        "должность подписывающего", max_length=200, blank=True, help_text="Пусто — должность руководителя органа."
    )
    signer_name = models.CharField(
        "подписывающий (И. О. Фамилия)", max_length=200, blank=True, help_text="Пусто — руководитель органа."
    )
    number_pattern = models.CharField(
        "шаблон исходящего номера",
        max_length=100,
        default=DEFAULT_NUMBER_PATTERN,
        help_text="Подстановки: {year}, {seq} (можно {seq:05d}), {body}. Пример: {seq}-ОГ/{year}.",
    )
    docx_layout = models.FileField(
        "макет DOCX",
        upload_to="letters/layouts/",
        blank=True,
        help_text="Свой бланк Word с полями docxtpl ({{ body_name }}, {%p for p in paragraphs %} …). Пусто — стандартный.",
    )

    class Meta:
        verbose_name = "настройки писем органа"
        verbose_name_plural = "настройки писем органов"

    def __str__(self) -> str:
        return f"Письма: {self.body}"


class LetterCounter(models.Model):
    """The last outgoing number a body issued in a year; locked row by row like appeals' counters."""

    body = models.ForeignKey("org.Body", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "счётчик исходящих номеров"
        verbose_name_plural = "счётчики исходящих номеров"
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="letter_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.body_id} {self.year}: {self.last_value}"


class TemplateGroup(TimeStampedModel):
    """Several wordings for one situation; a group may be narrowed to a classifier branch and an outcome."""

    situation = models.CharField("ситуация", max_length=30, choices=Situation.choices)
    name = models.CharField("название группы", max_length=200)
    classifier_prefix = models.CharField(
        "код классификатора",
        max_length=32,
        blank=True,
        help_text="Код или его начало (0005.0005 — вся тематика). Пусто — для любых вопросов.",
    )
    outcome = models.CharField(
        "результат рассмотрения",
        max_length=30,
        choices=[(o.value, o.label) for o in Outcome if o != Outcome.ON_CONSIDERATION],
        blank=True,
        help_text="Для ответа по существу: группа подходит только к этому результату. Пусто — к любому.",
    )
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["situation", "classifier_prefix", "outcome", "name"]
        verbose_name = "группа шаблонов"
        verbose_name_plural = "группы шаблонов писем"

    def __str__(self) -> str:
        return self.name


class LetterTemplate(TimeStampedModel):
    """One wording of a group: subject and body in the Django template language."""

    group = models.ForeignKey(TemplateGroup, on_delete=models.CASCADE, related_name="variants", verbose_name="группа")
    name = models.CharField("вариант", max_length=200)
    subject = models.CharField("тема письма", max_length=300, default="Ответ на обращение № {{ appeal.number }}")
    body = models.TextField(
        "текст",
        help_text="Язык шаблонов Django: {{ applicant.greeting }}, {{ appeal.number }}, {% for q in questions %} … "
        "Полный список — в справке под формой.",
    )
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["group", "name"]
        verbose_name = "шаблон письма"
        verbose_name_plural = "шаблоны писем"

    def __str__(self) -> str:
        return f"{self.group.name}: {self.name}"


class Letter(TimeStampedModel):
    """An outgoing letter of an appeal: rendered text, its registration number and the files."""

    body = models.ForeignKey("org.Body", on_delete=models.PROTECT, related_name="+", verbose_name="орган")
    appeal = models.ForeignKey(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="letters", verbose_name="обращение"
    )
    applicant = models.ForeignKey(
        "people.Applicant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name="адресат",
    )
    situation = models.CharField("вид письма", max_length=30, choices=Situation.choices)
    group = models.ForeignKey(
        TemplateGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters", verbose_name="группа"
    )
    template = models.ForeignKey(
        LetterTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name="вариант",
    )
    # The subject group a rotation compares: the classifier тематика of the first question.
    topic = models.CharField("тематика", max_length=32, blank=True, db_index=True)
    status = models.CharField("статус", max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    subject = models.CharField("тема", max_length=300)
    text = models.TextField("текст")
    extra = models.JSONField("дополнительные поля", default=dict, blank=True)
    number = models.CharField("исходящий номер", max_length=50, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    number_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    issued_at = models.DateTimeField("дата регистрации", null=True, blank=True)
    signer_name = models.CharField("подписал", max_length=200, blank=True)
    signer_position = models.CharField("должность подписавшего", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField("PDF", upload_to="letters/%Y/%m/", blank=True)
    docx = models.FileField("DOCX", upload_to="letters/%Y/%m/", blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "исходящее письмо"
        verbose_name_plural = "исходящие письма"
        constraints = [
            models.UniqueConstraint(
                fields=["body", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="letter_unique_number",
            ),
        ]
        indexes = [models.Index(fields=["applicant", "created_at"], name="letter_applicant_recent")]

    def __str__(self) -> str:
        return self.number or f"Проект письма {self.pk}"

    @property
    def is_issued(self) -> bool:
        return self.status == LetterStatus.ISSUED
