"""Forms of the classification pages: they parse input, the services decide."""

from __future__ import annotations

from django import forms

from appeals.choices import QuestionType


class CorrectionForm(forms.Form):
    code = forms.CharField(label="Код классификатора", required=False, max_length=32)
    local = forms.CharField(label="Местная категория", required=False, max_length=50)
    qtype = forms.ChoiceField(label="Тип вопроса", required=False, choices=[("", "—"), *QuestionType.choices])

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        if not (data.get("code") or data.get("local") or data.get("qtype")):
            raise forms.ValidationError("Выберите код классификатора, местную категорию или тип вопроса.")
        return data
