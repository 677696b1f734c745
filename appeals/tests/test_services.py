"""Registration, routing, answers and history through the services."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from appeals import services
from appeals.choices import AppealStatus, Character, EventKind, Kind, Outcome, QuestionStatus
from appeals.models import Appeal, AppealEvent, Attachment, NumberingScheme
from tests.factories import ApplicantFactory, ClassifierEntryFactory, make_appeal

MSK = dt.timezone(dt.timedelta(hours=3))


def test_register_gives_number_deadline_question_and_history(cast) -> None:
    registered = dt.datetime(2026, 4, 9, 10, 0, tzinfo=MSK)
    appeal = make_appeal(body=cast.body, registered_at=registered, actor=cast.operator.user)
    assert appeal.number == "ОГ-2026-000001"
    assert appeal.due_date == dt.date(2026, 5, 8)  # 09.05 and 11.05 are days off: moved back to Friday
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.character == Character.INDIVIDUAL
    question = appeal.questions.get()
    assert question.text == appeal.text and question.due_date == appeal.due_date
    assert question.status == QuestionStatus.NEW
    event = AppealEvent.objects.get(appeal=appeal)
    assert event.kind == EventKind.REGISTERED and event.actor == cast.operator.user
    assert "ОГ-2026-000001" in event.note


def test_numbers_follow_pattern_per_body_year_and_kind(cast) -> None:
    NumberingScheme.objects.create(body=cast.body, kind=Kind.MESSAGE, pattern="С-{year}/{seq}")
    a1 = make_appeal(body=cast.body, registered_at=dt.datetime(2025, 12, 31, 20, 0, tzinfo=MSK))
    a2 = make_appeal(body=cast.body, registered_at=dt.datetime(2026, 1, 12, 9, 0, tzinfo=MSK))
    m1 = make_appeal(body=cast.body, kind=Kind.MESSAGE)
    a3 = make_appeal(body=cast.body, registered_at=dt.datetime(2026, 1, 13, 9, 0, tzinfo=MSK))
    assert [a1.number, a2.number, a3.number] == ["ОГ-2025-000001", "ОГ-2026-000001", "ОГ-2026-000002"]
    assert m1.number == f"С-{timezone.localdate().year}/1"


def test_failed_registration_returns_its_number(cast) -> None:
    make_appeal(body=cast.body)
    with pytest.raises(ValidationError):
        make_appeal(body=cast.body, questions=[services.QuestionDraft(text="  ")])
    assert make_appeal(body=cast.body).number.endswith("000002")  # no gap


def test_collective_and_repeated_character(cast) -> None:
    first = make_appeal(body=cast.body)
    collective = make_appeal(body=cast.body, applicants=[ApplicantFactory(), ApplicantFactory()])
    repeated = make_appeal(body=cast.body, previous_appeal=first)
    both = make_appeal(body=cast.body, applicants=[ApplicantFactory(), ApplicantFactory()], previous_appeal=first)
    assert collective.character == Character.COLLECTIVE
    assert repeated.character == Character.REPEATED
    assert both.character == Character.COLLECTIVE_REPEATED
    assert list(collective.signatories.values_list("is_primary", flat=True)) == [True, False]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": "   "}, "пустым"),
        ({"external_source": "pos", "external_id": ""}, "вместе"),
    ],
)
def test_bad_registration_changes_nothing(cast, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        make_appeal(body=cast.body, **kwargs)
    assert not Appeal.objects.exists()


def test_received_after_registration_is_refused(cast) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError, match="позже"):
        make_appeal(body=cast.body, registered_at=now, received_at=now + dt.timedelta(hours=1))


def test_external_id_is_unique_per_source(cast) -> None:
    first = make_appeal(body=cast.body, external_source="pos", external_id="123")
    make_appeal(body=cast.body, external_source="sstu", external_id="123")
    with pytest.raises(services.AlreadyRegistered) as caught:
        make_appeal(body=cast.body, external_source="pos", external_id="123")
    assert caught.value.appeal == first
    assert Appeal.objects.count() == 2


def test_attachments_are_stored_with_hash_and_size_limits(cast, settings) -> None:
    upload = SimpleUploadedFile("скан письма.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    appeal = make_appeal(body=cast.body, attachments=[upload])
    attachment = appeal.attachments.get()
    assert attachment.original_name == "скан письма.pdf"
    assert attachment.size == 13 and len(attachment.sha256) == 64
    assert attachment.file.read() == b"%PDF-1.4 test"

    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1))
    with pytest.raises(ValidationError, match="больше 1 МБ"):
        make_appeal(body=cast.body, attachments=[big])
    assert Appeal.objects.count() == 1


def test_files_of_a_failed_registration_are_removed(cast, settings) -> None:
    import os

    upload = SimpleUploadedFile("a.txt", b"hello")
    with pytest.raises(ValidationError):
        make_appeal(body=cast.body, attachments=[upload], questions=[services.QuestionDraft(text="")])
    stored = [f for _, _, files in os.walk(settings.MEDIA_ROOT) for f in files] if settings.MEDIA_ROOT.exists() else []
    assert stored == []
    assert not Attachment.objects.exists()


def test_full_lifecycle_with_roles(cast) -> None:
    appeal = make_appeal(body=cast.body, actor=cast.operator.user)
    question = appeal.questions.get()

    with pytest.raises(PermissionDenied):
        services.question_assign(question=question, actor=cast.executor.user, department=None, executor=cast.executor)
    services.question_assign(question=question, actor=cast.operator.user, department=cast.housing, executor=None)
    question.refresh_from_db()
    assert question.department == cast.housing and question.status == QuestionStatus.NEW

    # The operator routed it; now only the unit's head may resolve further.
    with pytest.raises(PermissionDenied):
        services.question_assign(
            question=question, actor=cast.other_executor.user, department=None, executor=cast.other_executor
        )
    services.question_assign(
        question=question, actor=cast.head.user, department=None, executor=cast.executor, note="Проверить и ответить"
    )
    question.refresh_from_db()
    appeal.refresh_from_db()
    assert question.executor == cast.executor and question.status == QuestionStatus.ASSIGNED
    assert appeal.status == AppealStatus.IN_WORK

    with pytest.raises(ValidationError, match="текст ответа"):
        services.question_submit_answer(
            question=question, actor=cast.executor.user, answer="", outcome=Outcome.EXPLAINED
        )
    with pytest.raises(ValidationError, match="поддержанному"):
        services.question_submit_answer(
            question=question, actor=cast.executor.user, answer="Ответ", outcome=Outcome.EXPLAINED, measures_taken=True
        )
    services.question_submit_answer(
        question=question,
        actor=cast.executor.user,
        answer="Фонарь заменён.",
        outcome=Outcome.SUPPORTED,
        measures_taken=True,
    )
    question.refresh_from_db()
    assert question.status == QuestionStatus.ON_APPROVAL

    with pytest.raises(ValidationError, match="доработать"):
        services.question_return(question=question, actor=cast.head.user, note=" ")
    services.question_return(question=question, actor=cast.head.user, note="Укажите дату замены")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ASSIGNED
    services.question_submit_answer(
        question=question,
        actor=cast.executor.user,
        answer="Фонарь заменён 03.03.",
        outcome=Outcome.SUPPORTED,
        measures_taken=True,
    )
    with pytest.raises(PermissionDenied):
        services.question_approve(question=question, actor=cast.executor.user)
    services.question_approve(question=question, actor=cast.head.user)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED

    with pytest.raises(PermissionDenied):
        services.appeal_close(appeal=appeal, actor=cast.head.user)
    services.appeal_close(appeal=appeal, actor=cast.controller.user, note="Ответ направлен")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED and appeal.closed_at is not None

    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.REGISTERED
    assert {
        EventKind.ASSIGNED,
        EventKind.ANSWER_SUBMITTED,
        EventKind.RETURNED,
        EventKind.APPROVED,
        EventKind.CLOSED,
    } <= set(kinds)
    executor_change = appeal.events.get(kind=EventKind.ASSIGNED, field="исполнитель")
    assert executor_change.old_value == "—" and executor_change.new_value == str(cast.executor)
    assert executor_change.actor == cast.head.user and executor_change.note == "Проверить и ответить"


def test_close_requires_every_question_considered(cast) -> None:
    appeal = make_appeal(body=cast.body)
    with pytest.raises(ValidationError, match="Не все вопросы"):
        services.appeal_close(appeal=appeal, actor=cast.controller.user)
    spam = make_appeal(body=cast.body, kind=Kind.NOT_APPEAL, text="Купите слона", applicants=[])
    services.appeal_close(appeal=spam, actor=cast.controller.user, note="спам")
    question = spam.questions.get()
    assert (question.status, question.outcome) == (QuestionStatus.DONE, Outcome.LEFT_WITHOUT_ANSWER)


def test_update_records_old_and_new_values(cast) -> None:
    appeal = make_appeal(body=cast.body)
    changed = services.appeal_update(appeal=appeal, actor=cast.operator.user, kind=Kind.MESSAGE, addressee="Главе")
    assert set(changed) == {"kind", "addressee"}
    event = appeal.events.get(field="вид")
    assert (event.old_value, event.new_value) == ("Обращение (59-ФЗ)", "Сообщение")
    assert services.appeal_update(appeal=appeal, actor=cast.operator.user, kind=Kind.MESSAGE) == []
    with pytest.raises(PermissionDenied):
        services.appeal_update(appeal=appeal, actor=cast.executor.user, summary="x")
    with pytest.raises(ValueError):
        services.appeal_update(appeal=appeal, actor=cast.operator.user, number="X-1")


def test_question_add_and_classifier_change(cast) -> None:
    code = ClassifierEntryFactory()
    appeal = make_appeal(body=cast.body)
    q2 = services.question_add(
        appeal=appeal, actor=cast.operator.user, draft=services.QuestionDraft(text="И ещё про отопление")
    )
    assert q2.position == 2
    services.question_update(question=q2, actor=cast.operator.user, classifier=code)
    assert appeal.events.filter(
        kind=EventKind.CHANGED, field="код классификатора", new_value__contains=code.code
    ).exists()


def test_search_document_folds_case_and_yo(cast) -> None:
    applicant = ApplicantFactory(surname="Сёмина", first_name="Алёна")
    appeal = make_appeal(body=cast.body, applicants=[applicant], text="Ёлка во дворе упала")
    assert "семина алена" in appeal.search_document
    assert "елка во дворе" in appeal.search_document
