"""Registration in batches: one task takes the waiting items and registers them together, with
the same result per item as alone, one card per person, and failures kept to their own item."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection

from appeals import pipeline
from appeals.choices import Channel, EventKind
from appeals.models import Appeal, AppealEvent, Question
from appeals.services import AppealDraft, appeals_register
from classification.models import Suggestion
from grouping.models import QuestionSignature
from intake import services
from intake.choices import DOCUMENT_CONTENT_TYPE, ItemStatus
from intake.models import IncomingItem
from intake.parsers import document_bytes
from nlp.models import AppealAnalysis
from people.models import Applicant
from tests.factories import ApplicantFactory, BodyFactory
from workflow.models import QuestionPlan

TEXTS = [
    "Прошу убрать снег во дворе дома 3 по улице Мира.",
    "Не работает уличное освещение у дома 12 по Садовой улице.",
    "Прошу отремонтировать детскую площадку во дворе дома 7.",
    "Яма на дороге у остановки на проспекте Ленина.",
]
PEOPLE = [
    {"full_name": "Кузнецова Ольга Петровна", "email": "olga.k@example.org"},
    {"full_name": "Смирнов Иван Сергеевич", "email": "ivan.s@example.org"},
]


def _receive(source_id: str, doc: dict, received_at: dt.datetime | None = None) -> IncomingItem:
    return services.item_receive(
        channel=Channel.EPGU,
        source_id=source_id,
        payload=document_bytes(doc),
        content_type=DOCUMENT_CONTENT_TYPE,
        received_at=received_at,
        enqueue=False,
    ).item


def _docs(n: int) -> list[dict]:
    return [{"text": TEXTS[i % len(TEXTS)], "applicant": PEOPLE[i % len(PEOPLE)]} for i in range(n)]


def _outline(appeal: Appeal) -> dict:
    """What registration decided for an appeal, without ids and numbers."""
    questions = list(appeal.questions.order_by("position"))
    plans = [QuestionPlan.objects.get(question=q) for q in questions]
    analysis = AppealAnalysis.objects.get(appeal=appeal)
    return {
        "due": appeal.due_date,
        "status": appeal.status,
        "character": appeal.character,
        "summary": appeal.summary,
        "received_at": appeal.received_at,
        "questions": [(q.text, q.status, q.due_date, q.classifier_id, q.department_id) for q in questions],
        "plans": [
            (p.base_due, p.due, p.state, list(p.stages.order_by("position").values_list("code", "status")))
            for p in plans
        ],
        "analysis": (analysis.district, analysis.place_address, analysis.signals),
        "suggestions": [
            Suggestion.objects.filter(question=q).values_list("classifier_id", "qtype", "status").first()
            for q in questions
        ],
        "signature": [
            QuestionSignature.objects.filter(question=q).values_list("topic", "building", "tokens").first()
            for q in questions
        ],
        "events": list(appeal.events.order_by("pk").values_list("kind", "field")),
    }


@pytest.mark.django_db
def test_one_task_registers_the_waiting_batch(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    items = [_receive(f"row-{i}", doc, received + dt.timedelta(minutes=i)) for i, doc in enumerate(_docs(6))]
    done = services.items_register(item_id=items[2].pk)
    assert done[0].pk == items[2].pk and len(done) == 6  # the given item first, then the queue
    for item in IncomingItem.objects.order_by("pk"):
        assert item.status == ItemStatus.REGISTERED, item.error
        assert item.attempts == 1
        assert item.appeal.received_at == item.received_at  # the clock runs from receipt
        assert (item.appeal.external_source, item.appeal.external_id) == (Channel.EPGU, item.source_id)
    assert Appeal.objects.count() == 6
    seqs = sorted(Appeal.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + 6))  # gapless, one number each
    assert AppealEvent.objects.filter(kind=EventKind.REGISTERED).count() == 6
    assert QuestionPlan.objects.count() == Question.objects.count() == 6
    # A person who writes twice in the same batch has one card, with both appeals.
    assert Applicant.objects.count() == 2
    assert {a.appeals.count() for a in Applicant.objects.all()} == {3}
    # The other items' own tasks find them done.
    assert services.items_register(item_id=items[0].pk)[0].status == ItemStatus.REGISTERED
    assert Appeal.objects.count() == 6


@pytest.mark.django_db
def test_batch_gives_each_appeal_what_it_gets_alone(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    docs = _docs(4)
    alone = [_receive(f"alone-{i}", d, received) for i, d in enumerate(docs)]
    for item in alone:
        services.item_register(item_id=item.pk)
    together = [_receive(f"together-{i}", d, received) for i, d in enumerate(docs)]
    services.items_register(item_id=together[0].pk)
    for a, b in zip(alone, together, strict=True):
        a.refresh_from_db()
        b.refresh_from_db()
        assert b.status == ItemStatus.REGISTERED, b.error
        first, second = _outline(a.appeal), _outline(b.appeal)
        # The second round is recognised as the same people writing again: the rest is equal.
        first.pop("character")
        second.pop("character")
        first.pop("events")
        second.pop("events")
        assert first == second


@pytest.mark.django_db
def test_a_bad_item_fails_alone(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    docs = _docs(4)
    docs[1] = {"text": "Текст", "colour": "red"}  # not a valid document
    items = [_receive(f"row-{i}", d) for i, d in enumerate(docs)]
    services.items_register(item_id=items[0].pk)
    statuses = {i.source_id: (i.status, i.error) for i in IncomingItem.objects.all()}
    assert statuses["row-1"][0] == ItemStatus.FAILED and "Неизвестные поля: colour" in statuses["row-1"][1]
    assert all(statuses[f"row-{i}"][0] == ItemStatus.REGISTERED for i in (0, 2, 3))
    assert Appeal.objects.count() == 3


@pytest.mark.django_db
def test_a_failure_inside_registration_costs_only_its_item(cast, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    docs = _docs(4)
    docs[2] = {"text": "Обращение, на котором шаг регистрации ломается.", "applicant": {"full_name": "Орлов Пётр"}}
    items = [_receive(f"row-{i}", d) for i, d in enumerate(docs)]
    steps = pipeline._steps()

    def broken(*, appeals, actor):  # type: ignore[no-untyped-def]
        if any("ломается" in a.text for a in appeals):
            raise RuntimeError("step failed")

    monkeypatch.setattr(pipeline, "_steps", lambda: [*steps, broken])
    services.items_register(item_id=items[0].pk)
    by_source = {i.source_id: i for i in IncomingItem.objects.all()}
    failed = by_source["row-2"]
    assert failed.status == ItemStatus.FAILED and "RuntimeError" in failed.error and failed.attempts == 1
    assert all(by_source[f"row-{i}"].status == ItemStatus.REGISTERED for i in (0, 1, 3))
    # Nothing of the failed item is left: no appeal, no card, no number used up.
    assert Appeal.objects.count() == 3
    assert not Applicant.objects.filter(surname="Орлов").exists()
    seqs = sorted(Appeal.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    # Fixed, a retry registers it.
    monkeypatch.setattr(pipeline, "_steps", lambda: steps)
    assert services.item_register(item_id=failed.pk).status == ItemStatus.REGISTERED


@pytest.mark.django_db
def test_appeals_register_reports_each_drafts_error(cast) -> None:  # type: ignore[no-untyped-def]
    applicant = ApplicantFactory()
    drafts = [
        AppealDraft(body=cast.body, channel=Channel.POST, text=TEXTS[0], applicants=[applicant]),
        AppealDraft(body=cast.body, channel=Channel.POST, text="   ", applicants=[applicant]),
        AppealDraft(body=cast.body, channel=Channel.EPGU, text=TEXTS[1], external_source="epgu", external_id="7"),
        AppealDraft(body=cast.body, channel=Channel.EPGU, text=TEXTS[2], external_source="epgu", external_id="7"),
    ]
    outcomes = appeals_register(drafts, actor=None)
    assert isinstance(outcomes[0], Appeal) and isinstance(outcomes[2], Appeal)
    assert "не может быть пустым" in str(outcomes[1])
    assert "той же пачке" in str(outcomes[3])
    assert Appeal.objects.count() == 2
    again = appeals_register([drafts[2]], actor=None)[0]
    assert getattr(again, "appeal", None) == outcomes[2]  # AlreadyRegistered carries the first registration


@pytest.mark.django_db(transaction=True)
def test_two_workers_take_different_batches(settings) -> None:  # type: ignore[no-untyped-def]
    body = BodyFactory()
    settings.OTKLIK_INTAKE_BODY = body.code
    items = [_receive(f"row-{i}", d) for i, d in enumerate(_docs(12))]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker(ids: list[int]) -> None:
        try:
            start.wait()
            for pk in ids:
                services.items_register(item_id=pk, more=3)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    ids = [i.pk for i in items]
    threads = [threading.Thread(target=worker, args=(ids[k::2],)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert set(IncomingItem.objects.values_list("status", flat=True)) == {ItemStatus.REGISTERED}
    assert Appeal.objects.count() == 12
    assert IncomingItem.objects.values("appeal").distinct().count() == 12
    assert sorted(Appeal.objects.values_list("number_seq", flat=True)) == list(range(1, 13))
    # Two people wrote six times each: one card each, also when both workers met them at once.
    assert Applicant.objects.count() == 2


@pytest.mark.django_db
def test_a_lock_conflict_sends_the_item_back_to_the_queue(  # type: ignore[no-untyped-def]
    cast, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    items = [_receive(f"row-{i}", d) for i, d in enumerate(_docs(3))]
    steps = pipeline._steps()

    def deadlocked(*, appeals, actor):  # type: ignore[no-untyped-def]
        if any(a.external_id == "row-1" for a in appeals):
            raise OperationalError("deadlock detected")

    monkeypatch.setattr(pipeline, "_steps", lambda: [*steps, deadlocked])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.items_register(item_id=items[0].pk)
    again = IncomingItem.objects.get(source_id="row-1")
    assert again.status == ItemStatus.RECEIVED and again.attempts == 1 and "deadlock" in again.error
    assert len(callbacks) == 1  # its own task is queued again
    assert IncomingItem.objects.filter(status=ItemStatus.REGISTERED).count() == 2
    # After TRANSIENT_ATTEMPTS such conflicts it is shown as failed.
    for _ in range(services.TRANSIENT_ATTEMPTS - 1):
        services.item_register(item_id=again.pk)
    again.refresh_from_db()
    assert again.status == ItemStatus.FAILED and again.attempts == services.TRANSIENT_ATTEMPTS
    monkeypatch.setattr(pipeline, "_steps", lambda: steps)
    assert services.item_register(item_id=again.pk).status == ItemStatus.REGISTERED


@pytest.mark.django_db
def test_a_lock_conflict_of_the_whole_batch_sends_the_item_back(  # type: ignore[no-untyped-def]
    cast, settings, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    items = [_receive(f"row-{i}", d) for i, d in enumerate(_docs(2))]

    def deadlocked(found):  # type: ignore[no-untyped-def]
        raise OperationalError("deadlock detected")

    monkeypatch.setattr(services, "_registered_before", deadlocked)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.items_register(item_id=items[0].pk)
    first = IncomingItem.objects.get(pk=items[0].pk)
    assert first.status == ItemStatus.RECEIVED and first.attempts == 1 and "deadlock" in first.error
    assert len(callbacks) == 1
    assert IncomingItem.objects.get(pk=items[1].pk).attempts == 0  # rolled back, still waiting
    for _ in range(services.TRANSIENT_ATTEMPTS - 1):
        services.item_register(item_id=first.pk)
    first.refresh_from_db()
    assert first.status == ItemStatus.FAILED and first.attempts == services.TRANSIENT_ATTEMPTS
