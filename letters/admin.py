"""Administrators edit wordings, groups and the body's letter settings here; every save is checked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join

from core import clock
from letters.choices import LetterStatus
from letters.context import VARIABLES
from letters.models import Letter, LetterSettings, LetterTemplate, TemplateGroup
from letters.rendering import LetterDocument, to_docx
from letters.services import template_validate, validate_number_pattern


def _variables_help() -> str:
    rows = format_html_join("", "<li><code>{}</code> — {}</li>", VARIABLES)
    return f"Поля шаблона (язык шаблонов Django, пустые строки разделяют абзацы):<ul>{rows}</ul>"


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ("group", "name", "subject", "body", "is_active")
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 100})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = _variables_help()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            template_validate(subject=data.get("subject", ""), body=data.get("body", ""))
        except ValidationError as exc:
            self.add_error("body", exc)
        return data


class VariantInline(admin.StackedInline):
    model = LetterTemplate
    form = LetterTemplateForm
    extra = 0
    fields = ("name", "subject", "body", "is_active")


@admin.register(TemplateGroup)
class TemplateGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "situation", "classifier_prefix", "outcome", "variants_count", "is_active")
    list_filter = ("situation", "is_active")
    search_fields = ("name", "classifier_prefix")
    inlines = [VariantInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TemplateGroup]:
        return super().get_queryset(request).annotate(n=Count("variants", filter=Q(variants__is_active=True)))

    @admin.display(description="вариантов", ordering="n")
    def variants_count(self, obj: Any) -> int:
        return int(obj.n)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The list shows how often each wording went out: in all, in 30 days, and when last."""

    form = LetterTemplateForm
    list_display = ("name", "group", "uses_total", "uses_30", "last_used", "is_active")
    list_filter = ("group__situation", "group", "is_active")
    search_fields = ("name", "body")

    def get_queryset(self, request: HttpRequest) -> QuerySet[LetterTemplate]:
        live = ~Q(letters__status=LetterStatus.CANCELLED)
        since = clock.now() - dt.timedelta(days=30)
        return (
            super()
            .get_queryset(request)
            .select_related("group")
            .annotate(
                total=Count("letters", filter=live),
                recent=Count("letters", filter=live & Q(letters__created_at__gte=since)),
                last=Max("letters__created_at", filter=live),
            )
        )

    @admin.display(description="использован", ordering="total")
    def uses_total(self, obj: Any) -> int:
        return int(obj.total)

    @admin.display(description="за 30 дней", ordering="recent")
    def uses_30(self, obj: Any) -> int:
        return int(obj.recent)

    @admin.display(description="последний раз", ordering="last")
    def last_used(self, obj: Any) -> Any:
        return obj.last


class LetterSettingsForm(forms.ModelForm):
    class Meta:
        model = LetterSettings
        fields = ("body", "letterhead", "signer_position", "signer_name", "number_pattern", "docx_layout")

    def clean_number_pattern(self) -> str:
        pattern: str = self.cleaned_data["number_pattern"]
        validate_number_pattern(pattern)
        return pattern

    def clean_docx_layout(self) -> Any:
        upload = self.cleaned_data.get("docx_layout")
        if upload and hasattr(upload, "read") and not getattr(upload, "_committed", False):
            data = upload.read()
            upload.seek(0)
            sample = LetterDocument(
                body_name="Орган",
                letterhead=["адрес"],
                number="1",
                date=dt.date(2026, 1, 1),
                reply_to="На № 1",
                addressee=["Иванову И. П."],
                subject="Ответ",
                paragraphs=["Текст"],
                signer_position="Глава",
                signer_name="И. И. Главный",
            )
            try:
                to_docx(sample, data)
            except Exception as exc:
                raise ValidationError(f"Макет не подходит: {exc}") from None
        return upload


@admin.register(LetterSettings)
class LetterSettingsAdmin(admin.ModelAdmin):
    form = LetterSettingsForm
    list_display = ("body", "number_pattern", "signer_name")


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "appeal", "situation", "status", "template", "issued_at")
    list_filter = ("situation", "status")
    search_fields = ("number", "appeal__number")
    raw_id_fields = ("appeal", "applicant", "group", "template", "created_by", "issued_by")
    readonly_fields = ("number", "issued_at", "pdf", "docx")
