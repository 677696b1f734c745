from __future__ import annotations

from typing import Any

from django import forms

from delivery.choices import DeliveryChannel
from letters.choices import Situation
from letters.models import LetterTemplate


class LetterNewForm(forms.Form):
    situation = forms.ChoiceField(label="Вид письма", choices=Situation.choices)
    template = forms.ModelChoiceField(
        label="Вариант текста",
        queryset=LetterTemplate.objects.none(),
        required=False,
        empty_label="подобрать автоматически (не повторяя вариант, который заявитель уже получал)",
    )
    forwarded_to = forms.CharField(label="Куда направлено (для переадресации)", max_length=300, required=False)
    new_due_date = forms.DateField(
        label="Новый срок (для продления)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label="Причина / пояснение", max_length=1000, required=False)
    link = forms.URLField(label="Ссылка на ответ на сайте (ст. 11 ч. 5.1)", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = (  # type: ignore[attr-defined]
            LetterTemplate.objects.filter(is_active=True, group__is_active=True)
            .select_related("group")
            .order_by("group__situation", "group__name", "name")
        )
        self.fields["template"].label_from_instance = lambda t: f"{t.group.get_situation_display()} — {t}"  # type: ignore[attr-defined]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault(
                "class", "form-select" if name in ("situation", "template") else "form-control"
            )

    def extra(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {
            "forwarded_to": data.get("forwarded_to") or "",
            "new_due_date": data["new_due_date"].strftime("%d.%m.%Y") if data.get("new_due_date") else "",
            "reason": data.get("reason") or "",
            "link": data.get("link") or "",
        }
        return {k: v for k, v in values.items() if v}


class LetterEditForm(forms.Form):
    subject = forms.CharField(label="Тема", max_length=300, widget=forms.TextInput(attrs={"class": "form-control"}))
    text = forms.CharField(
        label="Текст (пустая строка — новый абзац)", widget=forms.Textarea(attrs={"class": "form-control", "rows": 16})
    )


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        label="Канал",
        choices=[("", "как поступило обращение"), *list(DeliveryChannel.choices)],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
