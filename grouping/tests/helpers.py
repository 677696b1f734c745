"""Registering appeals about one place and topic for the grouping tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from appeals.models import Appeal, Question
from appeals.services import QuestionDraft
from classification.models import ClassifierEntry
from tests.factories import ApplicantFactory, ClassifierEntryFactory, make_appeal

HEATING_TEXT = "Нет отопления в доме по ул. Ленина, д. 15, батареи холодные третий день."


def heating_code() -> ClassifierEntry:
    return ClassifierEntryFactory(code="0005.0005.0056.1153", name="Отопление", level=4)


def register(
    cast: Any,
    *,
    text: str = HEATING_TEXT,
    code: ClassifierEntry | None = None,
    hours_ago: float = 0,
    applicant: Any = None,
    executor: Any = None,
) -> Appeal:
    """An appeal with one coded question, registered `hours_ago` before now."""
    at = timezone.now() - dt.timedelta(hours=hours_ago)
    return make_appeal(
        body=cast.body,
        text=text,
        applicants=[applicant or ApplicantFactory()],
        questions=[QuestionDraft(text=text, classifier=code or heating_code(), executor=executor)],
        registered_at=at,
    )


def question_of(appeal: Appeal) -> Question:
    return appeal.questions.get()
