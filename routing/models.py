"""Who handles what: routing rules, the competence directory, decisions and forwarding proposals."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from appeals.choices import Kind
from routing.choices import DecisionSource, ProposalStatus


class RoutingRule(models.Model):
    """«Code or local category + territory + words → unit and/or executor», tried by priority."""

    name = models.CharField("название", max_length=200)
    priority = models.PositiveIntegerField(
        "приоритет", default=100, help_text="Правила проверяются от меньшего числа к большему."
    )
    is_active = models.BooleanField("действует", default=True)
    code_prefix = models.CharField(
        "код классификатора или его начало",
        max_length=32,
        blank=True,
        help_text="«0003.0009.0097» подходит всем кодам темы «Градостроительство и архитектура».",
    )
    local_category = models.ForeignKey(
        "classification.LocalCategory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name="местная категория",
    )
    district = models.CharField("район / территория", max_length=200, blank=True)
    keywords = models.TextField(
        "слова", blank=True, help_text="По одному в строке; подходит, если в тексте есть любое (в любой форме)."
    )
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name="подразделение",
    )
    executor = models.ForeignKey(
        "org.StaffMember",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name="исполнитель",
    )
    balance = models.BooleanField(
        "назначать исполнителя по загрузке",
        default=False,
        help_text="Выбрать исполнителя подразделения с наименьшим числом открытых вопросов (отсутствующих — пропустить).",
    )
    note = models.CharField("комментарий", max_length=300, blank=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = "правило маршрутизации"
        verbose_name_plural = "правила маршрутизации"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.department_id is None and self.executor_id is None:
            raise ValidationError("Укажите, куда направлять: подразделение и/или исполнителя.")
        if self.balance and self.department_id is None:
            raise ValidationError({"balance": "Для распределения по загрузке укажите подразделение."})
        if self.code_prefix and not all(part.isdigit() for part in self.code_prefix.strip(".").split(".")):
            raise ValidationError({"code_prefix": "Код — цифры, разделённые точками: 0003.0009.0097"})


class ExternalBody(models.Model):
    """A body outside: where questions beyond our competence are forwarded (59-FZ art. 8)."""

    name = models.CharField("наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200, blank=True)
    aliases = models.TextField(
        "как его называют в письмах", blank=True, help_text="По одному в строке: «УК», «Водоканал», «ГЖИ»."
    )
    code_prefixes = models.TextField(
        "коды его компетенции", blank=True, help_text="Коды классификатора или их начала, по одному в строке."
    )
    keywords = models.TextField("слова его компетенции", blank=True, help_text="По одному в строке.")
    email = models.EmailField("e-mail", blank=True)
    address = models.CharField("адрес", max_length=500, blank=True)
    is_active = models.BooleanField("действует", default=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "внешний орган"
        verbose_name_plural = "справочник органов по компетенции"

    def __str__(self) -> str:
        return self.short_name or self.name


class Competence(models.Model):
    """A classifier branch the body itself handles; with none listed, everything is in competence."""

    code_prefix = models.CharField("код или его начало", max_length=32, unique=True)
    note = models.CharField("пояснение", max_length=300, blank=True)

    class Meta:
        ordering = ["code_prefix"]
        verbose_name = "вопрос компетенции органа"
        verbose_name_plural = "компетенция органа"

    def __str__(self) -> str:
        return self.code_prefix


class RoutingDecision(models.Model):
    """Where the system routed a question (or proposed to) and why."""

    question = models.ForeignKey(
        "appeals.Question", on_delete=models.CASCADE, related_name="routing_decisions", verbose_name="вопрос"
    )
    created_at = models.DateTimeField("когда", default=timezone.now)
    source = models.CharField("основание", max_length=20, choices=DecisionSource.choices)
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions", verbose_name="правило"
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="подразделение",
    )
    executor = models.ForeignKey(
        "org.StaffMember",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="исполнитель",
    )
    confidence = models.FloatField("уверенность", default=0.0)
    reason = models.TextField("почему")
    applied = models.BooleanField("применено", default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто применил",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "решение маршрутизации"
        verbose_name_plural = "решения маршрутизации"

    def __str__(self) -> str:
        return f"{self.get_source_display()}: вопрос {self.question_id}"


class ForwardingProposal(models.Model):
    """A question outside the body's competence, proposed for forwarding within 7 days (art. 8)."""

    question = models.ForeignKey(
        "appeals.Question", on_delete=models.CASCADE, related_name="forwarding_proposals", verbose_name="вопрос"
    )
    external_body = models.ForeignKey(
        ExternalBody, on_delete=models.PROTECT, null=True, blank=True, related_name="proposals", verbose_name="куда"
    )
    reason = models.TextField("почему")
    excluded = models.TextField("кому нельзя", blank=True, help_text="Органы, на чьи действия жалоба (ст. 8 ч. 6).")
    forward_by = models.DateField("переадресовать до")
    status = models.CharField(
        "состояние", max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    created_at = models.DateTimeField("создано", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто решил",
    )
    decided_at = models.DateTimeField("когда решено", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "предложение переадресации"
        verbose_name_plural = "предложения переадресации"

    def __str__(self) -> str:
        return f"вопрос {self.question_id} → {self.external_body or 'возврат заявителю'}"
