"""The one entry service: stored before parsing, one item per delivery (also concurrently),
registration from receipt time, failures kept with the reason, retry and disposition."""

import datetime as dt
import json
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from appeals.choices import Channel
from appeals.models import Appeal
from intake import services
from intake.choices import DOCUMENT_CONTENT_TYPE, Disposition, ItemStatus
from intake.models import IncomingItem
from intake.parsers import document_bytes
from people.models import Applicant
from tests.factories import BodyFactory

DOC = {
    "text": "Прошу убрать снег во дворе дома 3 по улице Мира.",
    "summary": "Снег во дворе",
    "applicant": {"full_name": "Кузнецова Ольга Петровна", "email": "olga.k@example.org"},
}


def _receive(source_id: str = "row-1", doc: dict | None = None, **extra):  # type: ignore[no-untyped-def]
    return services.item_receive(
        channel=Channel.EPGU,
        source_id=source_id,
        payload=document_bytes(doc or DOC),
        content_type=DOCUMENT_CONTENT_TYPE,
        **extra,
    )


@pytest.mark.django_db
def test_payload_is_stored_before_registration_and_appeal_follows(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        receipt = _receive(received_at=received)
    item = receipt.item
    assert receipt.created and item.status == ItemStatus.RECEIVED
    assert json.loads(item.payload.read()) == DOC  # the bytes are in the storage, nothing parsed yet
    assert not Appeal.objects.exists()
    for callback in callbacks:
        callback()  # the queued task
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED, item.error
    appeal = item.appeal
    assert appeal.received_at == received  # the registration clock starts at receipt
    assert (appeal.external_source, appeal.external_id) == (Channel.EPGU, "row-1")
    assert appeal.applicants.get().surname == "Кузнецова"


@pytest.mark.django_db
def test_same_delivery_twice_is_one_item_and_one_appeal(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        first = _receive()
        second = _receive()
    assert first.created and not second.created
    assert first.item.pk == second.item.pk
    assert IncomingItem.objects.count() == 1 and Appeal.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_delivery_yields_one_item_and_one_appeal(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_INTAKE_BODY = BodyFactory().code
    threads_count = 6
    start = threading.Barrier(threads_count)
    errors: list[BaseException] = []
    created: list[bool] = []

    def deliver() -> None:
        try:
            start.wait()
            receipt = _receive("same-id")
            created.append(receipt.created)
            services.item_register(item_id=receipt.item.pk)  # every delivery also races to register
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sorted(created) == [False] * (threads_count - 1) + [True]
    item = IncomingItem.objects.get()
    assert item.status == ItemStatus.REGISTERED, item.error
    assert Appeal.objects.count() == 1
    assert Applicant.objects.count() == 1


@pytest.mark.django_db
def test_failure_is_kept_then_retry_registers(cast, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    BodyFactory(code="second")  # two bodies and no OTKLIK_INTAKE_BODY: registration cannot choose
    with django_capture_on_commit_callbacks(execute=True):
        item = _receive().item
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED
    assert "OTKLIK_INTAKE_BODY" in item.error
    assert item.attempts == 1
    assert not Appeal.objects.exists() and not Applicant.objects.exists()  # nothing partial
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    with django_capture_on_commit_callbacks(execute=True):
        services.item_retry(item=item, actor=cast.operator.user)
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED and item.error == ""
    assert item.attempts == 2
    assert item.appeal.body == cast.body


@pytest.mark.django_db
def test_bad_document_fails_with_reason(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        item = _receive(doc={"text": "Текст", "colour": "red"}).item
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED
    assert "Неизвестные поля: colour" in item.error


@pytest.mark.django_db
def test_bad_input_at_the_door_changes_nothing(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        _receive(source_id="  ")
    with pytest.raises(ValidationError):
        services.item_receive(channel="fax", source_id="1", payload=b"x", content_type=DOCUMENT_CONTENT_TYPE)
    with pytest.raises(ValidationError):
        services.item_receive(channel=Channel.EPGU, source_id="1", payload=b"", content_type=DOCUMENT_CONTENT_TYPE)
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_disposition_rules(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        item = _receive(doc={"text": "Купите наши окна!", "kind": "nonsense"}).item
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED
    with pytest.raises(PermissionDenied):
        services.item_disposition(item=item, actor=cast.executor.user, disposition=Disposition.SPAM)
    with pytest.raises(ValidationError, match="дубликата"):
        services.item_disposition(item=item, actor=cast.operator.user, disposition=Disposition.DUPLICATE)
    item = services.item_disposition(item=item, actor=cast.operator.user, disposition=Disposition.SPAM, note="реклама")
    assert (item.status, item.disposition, item.dispositioned_by) == (
        ItemStatus.DISPOSITIONED,
        Disposition.SPAM,
        cast.operator.user,
    )
    with pytest.raises(ValidationError, match="уже разобрано"):
        services.item_disposition(item=item, actor=cast.operator.user, disposition=Disposition.NOT_APPEAL)
    with pytest.raises(ValidationError):
        services.item_retry(item=item, actor=cast.operator.user)
    # A dispositioned item is never registered by a late task either.
    assert services.item_register(item_id=item.pk).status == ItemStatus.DISPOSITIONED
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_stale_received_items_are_queued_again(cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False):
        item = _receive().item  # its task is lost
    IncomingItem.objects.filter(pk=item.pk).update(updated_at=item.updated_at - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.items_requeue_stale() == 1
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED
