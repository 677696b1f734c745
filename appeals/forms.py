"""Forms of the staff interface; they parse input, the services decide."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from appeals.choices import FINAL_OUTCOMES, AppealStatus, Channel, Kind, Outcome, QuestionType
from appeals.selectors import SORTS, RegistryFilter
from classification.choices import SECTION_NAMES
from classification.models import ClassifierEntry
from org.models import Department, StaffMember
from org.selectors import active_departments, executors_queryset
from people.choices import ApplicantKind, Gender

EMPTY = [("", "— все —")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files at once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def _bootstrap(form: forms.Form) -> None:
    """Give every widget Bootstrap's classes."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class RegistryFilterForm(forms.Form):
    q = forms.CharField(
        label="Поиск",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Номер, текст, ФИО", "type": "search"}),
    )
    status = forms.ChoiceField(label="Статус", required=False, choices=EMPTY + list(AppealStatus.choices))
    channel = forms.ChoiceField(label="Канал", required=False, choices=EMPTY + list(Channel.choices))
    kind = forms.ChoiceField(label="Вид", required=False, choices=EMPTY + list(Kind.choices))
    department = forms.ModelChoiceField(
        label="Подразделение", required=False, queryset=Department.objects.none(), empty_label="— все —"
    )
    executor = forms.ModelChoiceField(
        label="Исполнитель", required=False, queryset=StaffMember.objects.none(), empty_label="— все —"
    )
    section = forms.ChoiceField(
        label="Раздел классификатора",
        required=False,
        choices=EMPTY + [(k, f"{k} {v}") for k, v in SECTION_NAMES.items()],
    )
    date_from = forms.DateField(
        label="Зарегистрировано с", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label="по", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label="Только просроченные", required=False)
    extra_control = forms.BooleanField(label="На дополнительном контроле", required=False)
    sort = forms.ChoiceField(
        label="Сортировка",
        required=False,
        choices=[
            ("-registered_at", "Сначала новые"),
            ("registered_at", "Сначала старые"),
            ("due_date", "По сроку: ближайшие"),
            ("-due_date", "По сроку: дальние"),
            ("number", "По номеру ↑"),
            ("-number", "По номеру ↓"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()  # type: ignore[attr-defined]
        self.fields["executor"].queryset = executors_queryset()  # type: ignore[attr-defined]
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("Начало периода позже его конца.")
        return data

    def to_filter(self) -> RegistryFilter:
        """The filter the selectors understand; an invalid form filters nothing."""
        if not self.is_valid():
            return RegistryFilter()
        d = self.cleaned_data
        return RegistryFilter(
            q=d.get("q") or "",
            status=d.get("status") or "",
            channel=d.get("channel") or "",
            kind=d.get("kind") or "",
            department_id=d["department"].pk if d.get("department") else None,
            executor_id=d["executor"].pk if d.get("executor") else None,
            section=d.get("section") or "",
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            overdue=bool(d.get("overdue")),
            extra_control=bool(d.get("extra_control")),
            sort=d["sort"] if d.get("sort") in SORTS else "-registered_at",
        )


class RegistrationForm(forms.Form):
    """The operator's registration card: paper letter, phone line or personal reception."""

    # One id per filled-in card: a second click of the same card is the same delivery.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(label="Канал поступления", choices=Channel.choices, initial=Channel.POST)
    kind = forms.ChoiceField(label="Вид", choices=Kind.choices, initial=Kind.APPEAL)
    received_at = forms.DateTimeField(
        label="Дата и время поступления",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
    )
    addressee = forms.CharField(
        label="Адресат", required=False, max_length=300, help_text="Орган или должностное лицо, кому адресовано"
    )
    # The applicant: either an existing card chosen from the suggestions, or a new one.
    applicant_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    applicant_kind = forms.ChoiceField(
        label="Вид заявителя", choices=ApplicantKind.choices, initial=ApplicantKind.PERSON
    )
    surname = forms.CharField(label="Фамилия", required=False, max_length=150)
    first_name = forms.CharField(label="Имя", required=False, max_length=150)
    patronymic = forms.CharField(label="Отчество", required=False, max_length=150)
    gender = forms.ChoiceField(label="Пол", required=False, choices=Gender.choices)
    organisation_name = forms.CharField(label="Наименование организации", required=False, max_length=500)
    phone = forms.CharField(label="Телефон", required=False, max_length=50)
    email = forms.EmailField(label="E-mail", required=False)
    postal_address = forms.CharField(label="Почтовый адрес для ответа", required=False, max_length=500)
    consent_personal_data = forms.BooleanField(label="Согласие на обработку персональных данных", required=False)
    new_applicant = forms.BooleanField(
        label="Это другой человек: завести новую карточку",
        required=False,
        help_text="Отметьте, если предложенные похожие карточки — не этот заявитель",
    )
    text = forms.CharField(label="Текст обращения", widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)
    summary = forms.CharField(label="Краткое содержание", required=False, max_length=300)
    qtype = forms.ChoiceField(label="Тип вопроса", choices=QuestionType.choices, initial=QuestionType.STATEMENT)
    classifier_code = forms.CharField(
        label="Код классификатора",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "classifier-codes", "autocomplete": "off"}),
    )
    department = forms.ModelChoiceField(
        label="Подразделение", required=False, queryset=Department.objects.none(), empty_label="— определить позже —"
    )
    attachments = MultipleFileField(label="Вложения (скан письма, фото)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("submission", uuid.uuid4())
        _bootstrap(self)
        for name in ("surname", "first_name", "patronymic", "phone", "email", "postal_address"):
            self.fields[name].widget.attrs["class"] += " lookup"
        self.fields[
            "attachments"
        ].help_text = (
            f"До {settings.OTKLIK_MAX_ATTACHMENTS} файлов, каждый не больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ"
        )

    def clean_received_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["received_at"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("Дата поступления не может быть в будущем.")
        return value

    def clean_classifier_code(self) -> ClassifierEntry | None:
        code = (self.cleaned_data.get("classifier_code") or "").strip().split(" ", 1)[0]
        if not code:
            return None
        entry = ClassifierEntry.objects.filter(code=code, is_active=True).first()
        if entry is None:
            raise forms.ValidationError("Такого действующего кода в классификаторе нет.")
        if entry.level < 4:
            raise forms.ValidationError("Вопросу присваивается код уровня «вопрос» (4) или «уточнение» (5).")
        return entry

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Текст обращения не может быть пустым.")
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("applicant_id"):
            return data
        if (
            data.get("applicant_kind") == ApplicantKind.ORGANISATION
            and not (data.get("organisation_name") or "").strip()
        ):
            self.add_error("organisation_name", "Укажите наименование организации.")
        return data


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label="Подразделение", required=False, queryset=Department.objects.none(), empty_label="— не выбрано —"
    )
    executor = forms.ModelChoiceField(
        label="Исполнитель", required=False, queryset=StaffMember.objects.none(), empty_label="— не назначен —"
    )
    due_date = forms.DateField(label="Срок исполнения", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="Резолюция", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = active_departments()  # type: ignore[attr-defined]
        self.fields["executor"].queryset = executors_queryset()  # type: ignore[attr-defined]
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("department") and not data.get("executor"):
            raise forms.ValidationError("Выберите подразделение или исполнителя.")
        return data


class AnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Итог рассмотрения", choices=[(o.value, o.label) for o in Outcome if o in FINAL_OUTCOMES]
    )
    measures_taken = forms.BooleanField(label="Меры приняты", required=False)
    answer = forms.CharField(
        label="Текст ответа по вопросу", required=False, max_length=50_000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class NoteForm(forms.Form):
    note = forms.CharField(label="Комментарий", max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        _bootstrap(self)


class AttachForm(forms.Form):
    files = MultipleFileField(label="Файлы", required=True)  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class AppealEditForm(forms.Form):
    kind = forms.ChoiceField(label="Вид", choices=Kind.choices)
    channel = forms.ChoiceField(label="Канал поступления", choices=Channel.choices)
    addressee = forms.CharField(label="Адресат", required=False, max_length=300)
    summary = forms.CharField(label="Краткое содержание", required=False, max_length=300)
    text = forms.CharField(label="Текст", widget=forms.Textarea(attrs={"rows": 8}), max_length=100_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class QuestionEditForm(forms.Form):
    text = forms.CharField(label="Суть вопроса", widget=forms.Textarea(attrs={"rows": 3}), max_length=50_000)
    qtype = forms.ChoiceField(label="Тип вопроса", choices=QuestionType.choices)
    classifier_code = forms.CharField(
        label="Код классификатора",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"list": "classifier-codes", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    clean_classifier_code = RegistrationForm.clean_classifier_code
