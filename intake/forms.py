from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from appeals.choices import Channel
from appeals.forms import RegistrationForm
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ReceptionForm(forms.Form):
    """The fields of 59-FZ art. 7 for an appeal in electronic form."""

    surname = forms.CharField(label="Фамилия", max_length=150)
    first_name = forms.CharField(label="Имя", max_length=150)
    patronymic = forms.CharField(label="Отчество (при наличии)", max_length=150, required=False)
    email = forms.EmailField(label="Адрес электронной почты для ответа", max_length=254)
    phone = forms.CharField(label="Телефон (по желанию)", max_length=50, required=False)
    postal_address = forms.CharField(label="Почтовый адрес (если ответ нужен письмом)", max_length=500, required=False)
    addressee = forms.CharField(
        label="Кому адресовано (орган, должностное лицо или его должность)", max_length=300, required=False
    )
    text = forms.CharField(label="Текст обращения", max_length=20_000, widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label="Файлы (документы, фотографии)")
    consent = forms.BooleanField(
        label="Даю согласие на обработку моих персональных данных для рассмотрения обращения", required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("consent", "attachments"):
                continue
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["consent"].widget.attrs["class"] = "form-check-input"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Код из письма",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


class ImportForm(forms.Form):
    """A file and the source it comes from; a new source names its columns here."""

    file = forms.FileField(label="Файл (CSV, XLSX, JSON, JSON Lines)")
    source = forms.SlugField(label="Источник (латиницей: pos, sstu, ...)", max_length=50)
    channel = forms.ChoiceField(label="Канал поступления", choices=Channel.choices, initial=Channel.EDMS)
    id_column = forms.CharField(label="Столбец с номером в источнике", max_length=200, required=False)
    columns = forms.CharField(
        label="Сопоставление: поле=столбец, по одному в строке (пусто — сохранённое для источника)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "text=Текст\nfull_name=ФИО\nemail=Почта"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class ScanUploadForm(forms.Form):
    """A scanned paper letter: the file and how and when the paper arrived."""

    file = forms.FileField(label="Скан письма (PDF, JPEG, PNG или TIFF; многостраничный — целиком)")
    channel = forms.ChoiceField(
        label="Как поступило",
        choices=[(c.value, c.label) for c in (Channel.POST, Channel.COURIER, Channel.PERSONAL)],
        initial=Channel.POST,
    )
    received_at = forms.DateTimeField(
        label="Дата и время поступления",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )

    def clean_received_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("Дата поступления не может быть в будущем.")
        return value


class ScanCheckForm(RegistrationForm):
    """The registration card beside a recognised scan: the text and the applicant as the operator
    corrected them. Receipt (channel, time) was set when the scan was taken in; the scan itself
    is the attachment."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("submission", "channel", "received_at", "attachments"):
            self.fields.pop(name)
        self.fields["text"].widget.attrs["rows"] = 18
