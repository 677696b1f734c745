"""Forms of the group pages and the card's split editor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from appeals.choices import FINAL_OUTCOMES, Outcome
from grouping.choices import GroupStatus
from org.models import StaffMember

GROUP_OUTCOMES = [(o.value, o.label) for o in Outcome if o in FINAL_OUTCOMES and o != Outcome.LEFT_WITHOUT_ANSWER]


class GroupAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Общий ответ (без обращения к заявителю: приветствие, номер и дата подставляются каждому)",
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        max_length=20_000,
    )
    outcome = forms.ChoiceField(
        label="Итог", choices=GROUP_OUTCOMES, widget=forms.Select(attrs={"class": "form-select"})
    )
    measures_taken = forms.BooleanField(
        label="Меры приняты", required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )


class LeadForm(forms.Form):
    lead = forms.ModelChoiceField(
        label="Ведущий исполнитель",
        queryset=StaffMember.objects.filter(user__is_active=True).select_related("user").order_by("user__last_name"),
        empty_label="— выберите сотрудника —",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class RenameForm(forms.Form):
    title = forms.CharField(
        label="Тема группы", max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class GroupFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Статус",
        required=False,
        choices=[("", "Все"), *GroupStatus.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    q = forms.CharField(
        label="Поиск",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


def parse_assignment(data: Mapping[str, Any], count: int) -> list[int]:
    """`s0` … `s{count-1}` → question numbers; raises ValueError with a message for the user."""
    numbers = []
    for i in range(count):
        raw = str(data.get(f"s{i}") or "").strip()
        if not raw.isdigit():
            raise ValueError("Для каждого предложения укажите номер вопроса.")
        numbers.append(int(raw))
    return numbers
