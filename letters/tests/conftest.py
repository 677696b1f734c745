"""An appeal whose question is answered and approved, ready for its letter."""

from __future__ import annotations

from typing import Any

import pytest

from appeals import services as appeal_services
from appeals.choices import Channel, Outcome
from appeals.models import Appeal
from tests.factories import ApplicantFactory, ClassifierEntryFactory, ContactFactory, make_appeal


def answered_appeal(cast: Any, *, approve: bool = True, channel: str = Channel.EMAIL, applicant: Any = None) -> Appeal:
    applicant = applicant or ApplicantFactory(surname="Иванов", first_name="Иван", patronymic="Петрович", gender="m")
    if not applicant.contacts.exists():
        ContactFactory(applicant=applicant, kind="email", value="ivanov@example.ru")
        ContactFactory(applicant=applicant, kind="postal", value="190000, г. Санкт-Петербург, ул. Садовая, д. 1, кв. 2")
    code = ClassifierEntryFactory()
    appeal = make_appeal(
        body=cast.body,
        applicants=[applicant],
        channel=channel,
        questions=[
            appeal_services.QuestionDraft(text="Не горит фонарь у дома 5.", classifier=code, executor=cast.executor)
        ],
    )
    question = appeal.questions.get()
    appeal_services.question_submit_answer(
        question=question,
        actor=cast.executor.user,
        answer="Фонарь у дома 5 отремонтирован 10.06.2026.",
        outcome=Outcome.SUPPORTED,
        measures_taken=True,
    )
    if approve:
        appeal_services.question_approve(question=question, actor=cast.head.user)
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def answered(cast: Any) -> Appeal:
    cast.body.name = "Администрация Центрального района Санкт-Петербурга"
    cast.body.head_name = "И. И. Главный"
    cast.body.head_position = "Глава администрации"
    cast.body.address = "191023, Санкт-Петербург, наб. канала Грибоедова, д. 83"
    cast.body.save()
    return answered_appeal(cast)
