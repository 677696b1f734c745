"""What a letter template can say: the variables, built from an appeal as plain values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from appeals.models import Appeal, Question
from letters.models import LetterSettings
from letters.names import LetterName, applicant_name, person_name
from org.models import Body
from people.choices import ContactKind
from people.models import Applicant

# Shown under the template form in the admin; the check refuses any other name.
VARIABLES: list[tuple[str, str]] = [
    ("applicant.greeting", "«Уважаемый Иван Петрович!» / «Уважаемая Анна Ивановна!»"),
    ("applicant.to", "кому: «Иванову И. П.»"),
    ("applicant.dative", "«Иванову Ивану Петровичу»"),
    ("applicant.genitive", "«Иванова Ивана Петровича»"),
    ("applicant.name", "«Иванов Иван Петрович»"),
    ("applicant.gender", "«m», «f» или пусто — для {% if applicant.gender == 'f' %}"),
    ("applicant.is_organisation", "заявитель — организация"),
    ("appeal.number", "регистрационный номер обращения"),
    ("appeal.date", "дата регистрации, ДД.ММ.ГГГГ"),
    ("appeal.received", "дата поступления"),
    ("appeal.summary", "краткое содержание"),
    ("appeal.due_date", "срок рассмотрения"),
    ("appeal.channel", "канал поступления"),
    ("appeal.is_collective", "коллективное обращение"),
    ("questions", "вопросы: {% for q in questions %}{{ q.text }} {{ q.answer }}{% endfor %}"),
    (
        "q.position, q.text, q.answer, q.outcome, q.outcome_code, q.code, q.code_name, q.executor, q.due_date",
        "поля вопроса",
    ),
    ("question", "первый вопрос (те же поля)"),
    ("executor.name, executor.short_name, executor.phone, executor.position", "исполнитель первого вопроса"),
    ("deadline", "срок рассмотрения (с учётом продления)"),
    ("body.name, body.short_name, body.address, body.phone, body.email", "орган"),
    ("signer.name, signer.position", "подписывающий"),
    ("letter.number, letter.date", "исходящий номер и дата (в проекте — пусто)"),
    (
        "extra.forwarded_to, extra.new_due_date, extra.reason, extra.link",
        "поля ситуации: куда переслано, новый срок, причина, ссылка",
    ),
]


def _date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d.%m.%Y")


def settings_for(body: Body) -> LetterSettings:
    found = LetterSettings.objects.filter(body=body).first()
    return found if found is not None else LetterSettings(body=body)


def signer_of(body: Body, settings: LetterSettings) -> dict[str, str]:
    return {
        "name": settings.signer_name or body.head_name,
        "position": settings.signer_position or body.head_position,
    }


def letterhead_of(body: Body, settings: LetterSettings) -> list[str]:
    if settings.letterhead.strip():
        return [line.strip() for line in settings.letterhead.splitlines() if line.strip()]
    contacts = ", ".join(p for p in (f"тел. {body.phone}" if body.phone else "", body.email) if p)
    return [line for line in (body.address, contacts) if line]


def _question_values(q: Question) -> dict[str, Any]:
    return {
        "position": q.position,
        "text": q.text,
        "answer": q.answer,
        "outcome": q.get_outcome_display(),
        "outcome_code": q.outcome,
        "code": q.classifier.code if q.classifier_id and q.classifier else "",
        "code_name": q.classifier.name if q.classifier_id and q.classifier else "",
        "executor": q.executor.short_name if q.executor_id and q.executor else "",
        "due_date": _date(q.due_date),
    }


def postal_address(applicant: Applicant | None) -> str:
    if applicant is None:
        return ""
    contacts = [c for c in applicant.contacts.all() if c.kind == ContactKind.POSTAL]
    contacts.sort(key=lambda c: (not c.is_primary, c.pk))
    return contacts[0].value if contacts else ""


def build_context(
    *,
    appeal: Appeal,
    applicant: Applicant | None,
    name: LetterName | None = None,
    extra: dict[str, Any] | None = None,
    number: str = "",
    date: dt.date | None = None,
) -> dict[str, Any]:
    """Every variable a wording may use, as plain values (the template sees no model instance)."""
    body = appeal.body
    settings = settings_for(body)
    questions = list(appeal.questions.select_related("classifier", "executor__user").order_by("position"))
    values = [_question_values(q) for q in questions]
    first = questions[0] if questions else None
    executor = first.executor if first is not None and first.executor_id else None
    extra = dict(extra or {})
    name = name or applicant_name(applicant)
    return {
        "applicant": name,
        "appeal": {
            "number": appeal.number,
            "date": _date(appeal.registered_at),
            "received": _date(appeal.received_at),
            "summary": appeal.summary,
            "due_date": _date(appeal.due_date),
            "channel": appeal.get_channel_display(),
            "is_collective": appeal.signatories.count() > 1,
        },
        "questions": values,
        "question": values[0] if values else {},
        "executor": {
            "name": executor.full_name if executor else "",
            "short_name": executor.short_name if executor else "",
            "phone": executor.phone if executor else "",
            "position": executor.position if executor else "",
        },
        "deadline": extra.get("new_due_date") or _date(appeal.due_date),
        "body": {
            "name": body.name,
            "short_name": body.short_name,
            "address": body.address,
            "phone": body.phone,
            "email": body.email,
        },
        "signer": signer_of(body, settings),
        "letter": {"number": number, "date": _date(date)},
        "extra": extra,
    }


def sample_context() -> dict[str, Any]:
    """A context with every variable filled, for checking an administrator's template."""
    question = {
        "position": 1,
        "text": "Прошу отремонтировать уличный фонарь у дома 5.",
        "answer": "Ремонт фонаря включён в план работ на июль.",
        "outcome": "Рассмотрено: поддержано",
        "outcome_code": "supported",
        "code": "0003.0009.0097.0690",
        "code_name": "Уличное освещение",
        "executor": "Петрова А. С.",
        "due_date": "30.06.2026",
    }
    return {
        "applicant": person_name("Иванов", "Иван", "Петрович", "m"),
        "appeal": {
            "number": "ОГ-2026-000001",
            "date": "01.06.2026",
            "received": "01.06.2026",
            "summary": "Уличное освещение",
            "due_date": "01.07.2026",
            "channel": "Электронная почта",
            "is_collective": False,
        },
        "questions": [question],
        "question": question,
        "executor": {"name": "Петрова Анна Сергеевна", "short_name": "Петрова А. С.", "phone": "", "position": ""},
        "deadline": "01.07.2026",
        "body": {"name": "Администрация", "short_name": "Администрация", "address": "", "phone": "", "email": ""},
        "signer": {"name": "И. И. Главный", "position": "Глава администрации"},
        "letter": {"number": "1-ОГ/2026", "date": "15.06.2026"},
        "extra": {"forwarded_to": "Комитет", "new_due_date": "31.07.2026", "reason": "запрос документов", "link": ""},
    }
