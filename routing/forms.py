"""Forms of the routing pages."""

from __future__ import annotations

from django import forms

from appeals.choices import Channel


class PreviewForm(forms.Form):
    text = forms.CharField(
        label="Текст обращения",
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        error_messages={"required": "Введите текст, который нужно проверить."},
    )
    channel = forms.ChoiceField(
        label="Канал",
        required=False,
        choices=[("", "—"), *Channel.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    address = forms.CharField(
        label="Адрес (если известен)",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    district = forms.CharField(
        label="Район (если известен)",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Введите текст, который нужно проверить.")
        return text
