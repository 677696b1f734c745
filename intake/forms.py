from __future__ import annotations

from django import forms

from appeals.choices import Channel
from intake.choices import Disposition, ItemStatus


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label="Поиск",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Тема, идентификатор, ошибка", "type": "search"}),
    )
    status = forms.ChoiceField(label="Состояние", required=False, choices=[("", "Ждут внимания"), ("all", "Все")])
    channel = forms.ChoiceField(label="Канал", required=False, choices=[("", "Все каналы"), *Channel.choices])
    date_from = forms.DateField(label="Поступило с", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="по", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = [("", "Ждут внимания"), ("all", "Все"), *ItemStatus.choices]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(label="Решение", choices=Disposition.choices)
    note = forms.CharField(label="Комментарий", required=False, max_length=2000)
