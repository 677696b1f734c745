"""Forms of the deadline control."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from workflow.choices import Path
from workflow.models import Regime


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label="На сколько дней", min_value=1, max_value=30, initial=30)
    reason = forms.CharField(label="Обоснование", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Продлить"), ("refuse", "Отказать")], widget=forms.HiddenInput)
    note = forms.CharField(label="Комментарий", max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Причина", max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PathForm(forms.Form):
    path = forms.ChoiceField(
        label="Путь",
        choices=[(Path.FORWARDING.value, Path.FORWARDING.label), (Path.NO_ANSWER.value, Path.NO_ANSWER.label)],
    )
    note = forms.CharField(label="Основание", max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class CalculatorForm(forms.Form):
    regime = forms.ModelChoiceField(label="Режим", queryset=Regime.objects.all(), empty_label=None)
    registered = forms.DateField(label="Дата регистрации", widget=forms.DateInput(attrs={"type": "date"}))
    path = forms.ChoiceField(label="Путь", choices=Path.choices, initial=Path.MAIN)
    extension_days = forms.IntegerField(label="Продление, дней", min_value=0, max_value=365, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registered"].initial = dt.date.today()  # noqa: DTZ011 - a form default shown to a person
        _bootstrap(self)
