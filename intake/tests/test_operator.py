"""The operator's registration card goes through the entry service and is registered at once."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from appeals.models import Appeal
from intake.choices import OPERATOR_CONTENT_TYPE, ItemStatus
from intake.models import IncomingItem
from intake.parsers import ParseError, document_bytes, parse_operator_document
from intake.services import item_register, item_retry
from tests.factories import ApplicantFactory


def _card(**changes: object) -> dict[str, object]:
    return {
        "channel": "phone",
        "kind": "appeal",
        "received_at": "2026-03-02T10:00",
        "applicant_kind": "person",
        "surname": "Кузнецова",
        "first_name": "Ольга",
        "phone": "8 912 111-22-33",
        "text": "Прошу установить скамейку у подъезда дома 3.",
        "qtype": "statement",
        **changes,
    }


def test_card_is_stored_as_received_then_registered(cast, login) -> None:  # type: ignore[no-untyped-def]
    submission = str(uuid.uuid4())
    response = login(cast.operator).post(reverse("appeals:register"), _card(submission=submission))
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    item = IncomingItem.objects.get()
    assert (item.channel, item.source_id, item.content_type) == (
        "phone",
        f"operator:{submission}",
        OPERATOR_CONTENT_TYPE,
    )
    assert item.status == ItemStatus.REGISTERED and item.appeal == appeal
    assert appeal.received_at == item.received_at and appeal.external_id == item.source_id
    with item.payload.open("rb") as f:
        stored = json.loads(f.read())
    assert stored["operator"]["user_id"] == cast.operator.user.pk
    assert stored["applicant"] == {"surname": "Кузнецова", "first_name": "Ольга", "phone": "8 912 111-22-33"}


def test_double_submit_of_the_same_card_is_one_appeal(cast, login) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    card = _card(submission=str(uuid.uuid4()))
    first = client.post(reverse("appeals:register"), card)
    second = client.post(reverse("appeals:register"), card)
    appeal = Appeal.objects.get()
    assert first["Location"] == second["Location"] == appeal.get_absolute_url()
    assert IncomingItem.objects.count() == 1
    # A new card (the form gives each one its own id) is a new appeal.
    client.post(reverse("appeals:register"), _card(submission=str(uuid.uuid4())))
    assert Appeal.objects.count() == 2


def test_form_carries_a_fresh_submission_id(cast, login) -> None:  # type: ignore[no-untyped-def]
    html = login(cast.operator).get(reverse("appeals:register")).content.decode()
    assert 'type="hidden" name="submission"' in html


def test_picked_card_and_gender_pass_through_to_registration(cast, login) -> None:  # type: ignore[no-untyped-def]
    known = ApplicantFactory(surname="Орлов", first_name="Пётр")
    login(cast.operator).post(
        reverse("appeals:register"),
        _card(surname="Орлов", first_name="Пётр", applicant_id=known.pk, email="orlov@example.org", gender="m"),
    )
    appeal = Appeal.objects.get()
    assert appeal.signatories.get().applicant == known
    assert known.contacts.filter(kind="email", value="orlov@example.org").exists()
    with IncomingItem.objects.get().payload.open("rb") as f:
        assert json.loads(f.read())["operator"]["applicant_id"] == known.pk


def test_failure_keeps_the_card_in_the_inbox_and_the_form_says_so(cast, login, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr("intake.services.appeals_register", broken)
    submission = str(uuid.uuid4())
    response = login(cast.operator).post(reverse("appeals:register"), _card(submission=submission))
    html = response.content.decode()
    item = IncomingItem.objects.get()
    assert response.status_code == 200 and "Обращение не зарегистрировано" in html
    assert "Внутренняя ошибка при регистрации (RuntimeError)" in html
    assert reverse("intake:item", args=[item.pk]) in html
    assert item.status == ItemStatus.FAILED and not Appeal.objects.exists()
    assert submission not in html  # the corrected card will be a new delivery
    monkeypatch.undo()
    item_retry(item=item, actor=cast.operator.user)
    item = item_register(item_id=item.pk)
    assert item.status == ItemStatus.REGISTERED
    assert item.appeal.registered_by == cast.operator.user and item.appeal.channel == "phone"


def test_operator_document_parser_refuses_bad_choices() -> None:
    doc = {"text": "Текст", "operator": {"user_id": 1}}
    assert parse_operator_document(document_bytes(doc)).operator.user_id == 1  # type: ignore[union-attr]
    with pytest.raises(ParseError, match="раздела «operator»"):
        parse_operator_document(document_bytes({"text": "Текст"}))
    with pytest.raises(ParseError, match="регистрирующий сотрудник"):
        parse_operator_document(document_bytes({"text": "Текст", "operator": {}}))
    with pytest.raises(ParseError, match="Неизвестные поля решений"):
        parse_operator_document(document_bytes({"text": "Текст", "operator": {"user_id": 1, "is_admin": True}}))
    with pytest.raises(ParseError, match="номер записи"):
        parse_operator_document(document_bytes({"text": "Текст", "operator": {"user_id": 1, "applicant_id": "7"}}))


def test_channels_cannot_deliver_operator_choices(cast) -> None:  # type: ignore[no-untyped-def]
    """The operator's section is read only from the operator's content type: a channel's
    document carrying it is refused, so nobody outside picks a card or an actor."""
    from intake.parsers import parse_document

    with pytest.raises(ParseError, match="Неизвестные поля: operator"):
        parse_document(document_bytes({"text": "Текст", "operator": {"user_id": cast.operator.user.pk}}))


def test_inactive_operator_card_fails_with_reason(cast) -> None:  # type: ignore[no-untyped-def]
    from intake.services import item_receive

    user = cast.operator.user
    item = item_receive(
        channel="phone",
        source_id="operator:x",
        payload=document_bytes({"text": "Текст", "operator": {"user_id": user.pk}}),
        content_type=OPERATOR_CONTENT_TYPE,
        enqueue=False,
    ).item
    user.is_active = False
    user.save()
    item = item_register(item_id=item.pk)
    assert item.status == ItemStatus.FAILED and "не найден или отключён" in item.error
    assert not Appeal.objects.exists()
