"""Forms of the applicant pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from people.services import MERGE_FIELDS

MAX_MERGE_CARDS = 6


def parse_ids(raw: str) -> list[int]:
    """«12,15» → [12, 15]; a clear Russian message for anything else."""
    parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise forms.ValidationError("Не выбраны карточки для объединения.")
    try:
        ids = list(dict.fromkeys(int(p) for p in parts))
    except ValueError:
        raise forms.ValidationError("Номера карточек должны быть числами через запятую.") from None
    if len(ids) < 2:
        raise forms.ValidationError("Для объединения нужны хотя бы две разные карточки.")
    if len(ids) > MAX_MERGE_CARDS:
        raise forms.ValidationError(f"За один раз можно объединить не больше {MAX_MERGE_CARDS} карточек.")
    if any(i <= 0 for i in ids):
        raise forms.ValidationError("Неверный номер карточки.")
    return ids


class MergeForm(forms.Form):
    """Which card survives and, field by field, which card's value it keeps."""

    reason = forms.CharField(label="Основание (необязательно)", required=False, max_length=300)

    def __init__(self, *args: Any, card_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(i), f"№ {i}") for i in card_ids]
        self.fields["target"] = forms.TypedChoiceField(
            label="Итоговая карточка", choices=choices, coerce=int, widget=forms.RadioSelect
        )
        for name in MERGE_FIELDS:
            self.fields[f"field_{name}"] = forms.TypedChoiceField(
                choices=choices, coerce=int, required=False, widget=forms.RadioSelect
            )
        self.fields["reason"].widget.attrs["class"] = "form-control"

    def choices(self) -> dict[str, int]:
        return {
            name: self.cleaned_data[f"field_{name}"] for name in MERGE_FIELDS if self.cleaned_data.get(f"field_{name}")
        }


class DedupStartForm(forms.Form):
    auto_merge = forms.BooleanField(
        label="Сразу объединять бесспорные дубликаты (каждое объединение можно отменить)", required=False
    )
