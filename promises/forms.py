from __future__ import annotations

from typing import Any

from django import forms

from org.models import Department
from org.selectors import active_departments
from promises.choices import PromiseStatus
from promises.selectors import DUE_WINDOWS, PromiseFilter

STATUS_FILTER = [("open", "Открытые"), ("closed", "Закрытые"), ("all", "Все")] + [
    (value, label) for value, label in PromiseStatus.choices if value != PromiseStatus.DRAFT
]
STATUS_TARGETS = [
    (v, label) for v, label in PromiseStatus.choices if v != PromiseStatus.DRAFT and v != PromiseStatus.GIVEN
]


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        if isinstance(field.widget, forms.CheckboxInput):
            css = "form-check-input"
        field.widget.attrs.setdefault("class", css + " form-control-sm" if css == "form-control" else css)


class PromiseFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    status = forms.ChoiceField(label="Статус", required=False, choices=STATUS_FILTER)
    department = forms.ModelChoiceField(
        label="Подразделение", required=False, queryset=Department.objects.none(), empty_label="— все —"
    )
    due = forms.ChoiceField(label="Срок", required=False, choices=[("", "— любой —"), *DUE_WINDOWS.items()])
    due_from = forms.DateField(
        label="Срок с", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    due_to = forms.DateField(
        label="по", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()  # type: ignore[attr-defined]
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            raise forms.ValidationError("Начало периода позже его конца.")
        return data

    def to_filter(self) -> PromiseFilter:
        if not self.is_valid():
            return PromiseFilter()
        d = self.cleaned_data
        return PromiseFilter(
            status=d.get("status") or "open",
            department_id=d["department"].pk if d.get("department") else None,
            due=d.get("due") or "",
            due_from=d.get("due_from"),
            due_to=d.get("due_to"),
            q=(d.get("q") or "").strip(),
        )


class DraftForm(forms.Form):
    sentence = forms.CharField(label="Что обещано", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label="Срок", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    responsible = forms.CharField(label="Ответственный", required=False, max_length=300)
    due_text = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    source = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    confidence = forms.FloatField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Новый статус", choices=STATUS_TARGETS)
    due_date = forms.DateField(
        label="Новый срок (для переноса)",
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    note = forms.CharField(label="Комментарий", required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)
