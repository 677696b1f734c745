"""The operator's own entry (phone line, personal reception, a letter on paper, a checked scan):
the registration form becomes an operator document that goes through the entry service like any
channel, and is registered at once in the request, because the operator gives the number on the spot."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile

from intake import rules
from intake.attachments import check_attachments
from intake.choices import OPERATOR_CONTENT_TYPE
from intake.models import IncomingItem
from intake.parsers import Parsed, ParseError, document_bytes, parse_operator_document
from intake.services import item_receive, item_register, operator_must_choose
from org.models import Body
from org.selectors import actor_for
from people.choices import ApplicantKind, ContactKind
from people.services import contact_validate

ASK_OPERATOR = (
    "Похожий заявитель уже есть в реестре: выберите его карточку в подсказке "
    "или отметьте «Это другой человек: завести новую карточку»."
)


def operator_document(data: dict[str, Any], *, user: User, files: Sequence[UploadedFile] = ()) -> dict[str, Any]:
    """The stored form of the registration card's cleaned data: Otklik's document plus the
    operator's choices (picked card, "another person", the question's type, code, unit)."""
    organisation = data.get("applicant_kind") == ApplicantKind.ORGANISATION
    applicant = {
        "surname": data.get("surname") or "",
        "first_name": data.get("first_name") or "",
        "patronymic": data.get("patronymic") or "",
        "organisation": (data.get("organisation_name") or "") if organisation else "",
        "email": data.get("email") or "",
        "phone": data.get("phone") or "",
        "address": data.get("postal_address") or "",
    }
    attachments = []
    for f in files:
        f.seek(0)
        attachments.append({"name": f.name or "файл", "content_base64": base64.b64encode(f.read()).decode("ascii")})
    classifier = data.get("classifier_code")
    department = data.get("department")
    return {
        "text": data["text"],
        "summary": data.get("summary") or "",
        "kind": data.get("kind") or "",
        "addressee": data.get("addressee") or "",
        "applicant": {k: v.strip() for k, v in applicant.items() if v.strip()},
        "attachments": attachments,
        "consent_personal_data": bool(data.get("consent_personal_data")),
        "operator": {
            "user_id": user.pk,
            "applicant_id": data.get("applicant_id") or None,
            "new_applicant": bool(data.get("new_applicant")),
            "gender": data.get("gender") or "",
            "qtype": data.get("qtype") or "",
            "classifier_code": classifier.code if classifier is not None else "",
            "department_id": department.pk if department is not None else None,
        },
    }


def operator_check(document: dict[str, Any]) -> Parsed:
    """Everything that can be checked before the document is stored, checked as registration
    will: the document itself, contacts, attachments; and whether the operator must first say
    whom a doubtful match is. A problem raises `ValidationError`; nothing is written."""
    try:
        parsed = parse_operator_document(document_bytes(document))
    except ParseError as exc:
        raise ValidationError(str(exc)) from None
    query = parsed.applicant
    for kind, values in (
        (ContactKind.PHONE, query.phones),
        (ContactKind.EMAIL, query.emails),
        (ContactKind.POSTAL, query.postal_addresses),
    ):
        for value in values:
            contact_validate(kind=kind, value=value)
    check_attachments(parsed.attachments)
    assert parsed.operator is not None
    if operator_must_choose(query, parsed.operator):
        raise ValidationError(ASK_OPERATOR)
    return parsed


def operator_submit(
    *,
    document: dict[str, Any],
    submission_id: str,
    channel: str,
    received_at: dt.datetime,
    body: Body,
    user: User,
) -> IncomingItem:
    """Receive the operator's card (source id `operator:<submission id>`, so a second click of
    the same form is the same item) and register it now. The returned item is registered, or
    failed with the reason — it then waits in «Входящие» like any channel's."""
    if not rules.can_handle_item(actor_for(user)):
        raise PermissionDenied("Регистрировать обращения может оператор или администратор.")
    parsed = operator_check(document)
    receipt = item_receive(
        channel=channel,
        source_id=f"operator:{submission_id}",
        payload=document_bytes(document),
        content_type=OPERATOR_CONTENT_TYPE,
        headers={"operator": user.get_username()},
        body=body,
        received_at=received_at,
        title=parsed.summary or parsed.text[:120],
        enqueue=False,
    )
    return item_register(item_id=receipt.item.pk)
