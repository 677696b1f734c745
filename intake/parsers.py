"""Reading a stored payload into what registration needs. Pure functions of the bytes: a parser
never writes; a payload it cannot read raises `ParseError` with the reason a person reads."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field, replace
from email import errors as email_errors
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from typing import Any

from appeals.choices import Kind
from intake.attachments import Incoming
from intake.choices import DOCUMENT_CONTENT_TYPE, EMAIL_CONTENT_TYPE, OPERATOR_CONTENT_TYPE, VK_CONTENT_TYPE
from nlp.clean import clean_text, normalize_whitespace, strip_html
from people.matching.record import ORGANISATION, PERSON, MatchQuery


class ParseError(ValueError):
    """The payload cannot be read; the message says why."""


@dataclass(frozen=True)
class Parsed:
    """What a channel's payload says: the text, who wrote, the files."""

    text: str
    applicant: MatchQuery
    kind: str = Kind.APPEAL
    summary: str = ""
    addressee: str = ""
    attachments: list[Incoming] = field(default_factory=list)
    consent_personal_data: bool = False
    # Messenger accounts of the applicant, (contact kind, id): the card learns them so the
    # answer can go back the way the appeal came.
    messengers: tuple[tuple[str, str], ...] = ()
    operator: OperatorChoices | None = None
    # E-mail: the letter's Message-ID, and why it was written by a machine (an auto-reply, a
    # bounce, a mailing list; empty for a person's letter) — no acknowledgement goes to those.
    message_id: str = ""
    automatic: str = ""


@dataclass(frozen=True)
class OperatorChoices:
    """What an operator decided on the registration form (phone line, reception, a checked scan):
    who registers, the card they picked or their word that this is another person, the question."""

    user_id: int
    applicant_id: int | None = None
    new_applicant: bool = False
    gender: str = ""
    qtype: str = ""
    classifier_code: str = ""
    department_id: int | None = None


# --- Otklik's own document (API, file imports, forms) ----------------------------------------

DOCUMENT_FIELDS = {"text", "summary", "kind", "addressee", "applicant", "attachments", "consent_personal_data"}
APPLICANT_FIELDS = {
    "surname",
    "first_name",
    "patronymic",
    "full_name",
    "organisation",
    "inn",
    "gosuslugi_id",
    "email",
    "phone",
    "address",
    "telegram",
    "vk",
}


def _string(data: dict[str, Any], key: str, where: str, limit: int = 100_000) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise ParseError(f"{where}«{key}»: ожидается строка.")
    text = str(value).strip()
    if len(text) > limit:
        raise ParseError(f"{where}«{key}»: длиннее {limit} символов.")
    return text


def document_applicant(data: dict[str, Any]) -> MatchQuery:
    unknown = set(data) - APPLICANT_FIELDS
    if unknown:
        raise ParseError(f"Неизвестные поля заявителя: {', '.join(sorted(unknown))}.")
    where = "Заявитель, поле "
    organisation = _string(data, "organisation", where, 500)
    return MatchQuery(
        surname=_string(data, "surname", where, 150),
        first_name=_string(data, "first_name", where, 150),
        patronymic=_string(data, "patronymic", where, 150),
        full_name=_string(data, "full_name", where, 450),
        gosuslugi_id=_string(data, "gosuslugi_id", where, 64),
        emails=[v] if (v := _string(data, "email", where, 254)) else [],
        phones=[v] if (v := _string(data, "phone", where, 50)) else [],
        postal_addresses=[v] if (v := _string(data, "address", where, 500)) else [],
        kind=ORGANISATION if organisation else PERSON,
        organisation_name=organisation,
        inn=_string(data, "inn", where, 12),
    )


def document_messengers(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for kind in ("telegram", "vk"):
        value = _string(data, kind, "Заявитель, поле ", 64)
        if value:
            if not value.lstrip("-").isdigit():
                raise ParseError(f"Заявитель, поле «{kind}»: ожидается числовой идентификатор.")
            found.append((kind, value))
    return tuple(found)


def parse_document(raw: bytes) -> Parsed:
    """Otklik's JSON item: {"text", "summary", "kind", "addressee", "applicant": {...},
    "attachments": [{"name", "content_base64"}], "consent_personal_data"}."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ParseError("Документ не в кодировке UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"Документ не читается как JSON: строка {exc.lineno}, позиция {exc.colno}.") from None
    if not isinstance(data, dict):
        raise ParseError("Документ должен быть объектом JSON.")
    unknown = set(data) - DOCUMENT_FIELDS
    if unknown:
        raise ParseError(f"Неизвестные поля: {', '.join(sorted(unknown))}.")
    text = _string(data, "text", "Поле ")
    if not text:
        raise ParseError("Нет текста обращения.")
    kind = _string(data, "kind", "Поле ") or Kind.APPEAL
    if kind not in Kind.values:
        raise ParseError(f"Неизвестный вид обращения: «{kind}».")
    applicant = data.get("applicant") or {}
    if not isinstance(applicant, dict):
        raise ParseError("Поле «applicant» должно быть объектом.")
    files: list[Incoming] = []
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list):
        raise ParseError("Поле «attachments» должно быть списком.")
    for i, item in enumerate(attachments, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("content_base64"), str):
            raise ParseError(f"Вложение {i}: нужны поля «name» и «content_base64».")
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ParseError(f"Вложение {i}: содержимое не в кодировке base64.") from None
        files.append(Incoming(name=str(item.get("name") or f"вложение-{i}"), content=content))
    return Parsed(
        text=text,
        applicant=document_applicant(applicant),
        kind=kind,
        summary=_string(data, "summary", "Поле ", 300),
        addressee=_string(data, "addressee", "Поле ", 300),
        attachments=files,
        consent_personal_data=bool(data.get("consent_personal_data")),
        messengers=document_messengers(applicant),
    )


OPERATOR_FIELDS = {"user_id", "applicant_id", "new_applicant", "gender", "qtype", "classifier_code", "department_id"}


def _optional_id(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ParseError(f"Решения оператора, поле «{key}»: ожидается номер записи.")
    return value


def parse_operator_document(raw: bytes) -> Parsed:
    """Otklik's document as the operator's form stores it: the document's fields plus
    "operator": {"user_id", "applicant_id", "new_applicant", "gender", "qtype", "classifier_code",
    "department_id"}. Only the staff forms write this type; no channel can deliver it."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ParseError("Документ оператора не читается как JSON в UTF-8.") from None
    if not isinstance(data, dict) or not isinstance(data.get("operator"), dict):
        raise ParseError("В документе оператора нет раздела «operator».")
    choices = data.pop("operator")
    unknown = set(choices) - OPERATOR_FIELDS
    if unknown:
        raise ParseError(f"Неизвестные поля решений оператора: {', '.join(sorted(unknown))}.")
    user_id = _optional_id(choices, "user_id")
    if user_id is None:
        raise ParseError("В документе оператора не указан регистрирующий сотрудник.")
    where = "Решения оператора, поле "
    parsed = parse_document(document_bytes(data))
    return replace(
        parsed,
        operator=OperatorChoices(
            user_id=user_id,
            applicant_id=_optional_id(choices, "applicant_id"),
            new_applicant=bool(choices.get("new_applicant")),
            gender=_string(choices, "gender", where, 10),
            qtype=_string(choices, "qtype", where, 30),
            classifier_code=_string(choices, "classifier_code", where, 32),
            department_id=_optional_id(choices, "department_id"),
        ),
    )


def document_bytes(data: dict[str, Any]) -> bytes:
    """The stored form of a document: stable key order, so the same input gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


# --- e-mail ------------------------------------------------------------------------------------

# Defects after which a message's parts cannot be trusted.
_FATAL_DEFECTS = (
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.CloseBoundaryNotFoundDefect,
)


def read_message(raw: bytes) -> EmailMessage:
    if not raw.strip():
        raise ParseError("Пустое письмо.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


def _defects(message: EmailMessage) -> list[str]:
    found = []
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                found.append(type(defect).__name__)
    return found


def _decoded_text(part: EmailMessage) -> str:
    charset = part.get_content_charset() or "us-ascii"
    try:
        content = part.get_content()
    except LookupError:
        raise ParseError(f"Неизвестная кодировка текста письма: «{charset}».") from None
    except UnicodeDecodeError:
        raise ParseError(f"Текст письма не соответствует заявленной кодировке «{charset}».") from None
    if not isinstance(content, str):
        raise ParseError("Текст письма не читается.")
    if "\ufffd" in content and charset.lower() not in ("utf-8", "utf8"):
        raise ParseError(f"Текст письма не соответствует заявленной кодировке «{charset}».")
    return content


def message_summary(raw: bytes) -> tuple[str, dict[str, str]]:
    """The subject and the main headers, for the list of incoming items; never raises."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
        headers = {}
        for name in ("From", "To", "Subject", "Date", "Message-ID"):
            value = message.get(name)
            if value is not None:
                headers[name] = str(value)[:1000]
        return headers.get("Subject", "")[:300], headers
    except Exception:  # headers are a courtesy; the payload itself is kept anyway
        return "", {}


_ROBOT_SENDERS = re.compile(r"^(mailer-daemon|postmaster|listserv|majordomo|no-?reply|do-?not-?reply)([+-].*)?@", re.I)


def automatic_reason(message: EmailMessage) -> str:
    """Why a letter was sent by a machine rather than a person (RFC 3834 and what mail programs
    actually set), or "" for a person's letter. Such letters get no automatic acknowledgement."""
    auto_submitted = str(message.get("Auto-Submitted") or "").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe"):
        value = str(message.get(name) or "").strip()
        if value:
            return f"{name}: {value[:100]}"
    # Exchange and Outlook ask for no automatic answers to their own automatic letters.
    suppress = str(message.get("X-Auto-Response-Suppress") or "").lower()
    if "all" in suppress or "autoreply" in suppress:
        return f"X-Auto-Response-Suppress: {suppress[:100]}"
    if message.get_content_type() == "multipart/report":
        return "multipart/report (отчёт о доставке)"
    return_path = message.get("Return-Path")
    if return_path is not None and str(return_path).strip() in ("<>", ""):
        return "Return-Path: <> (уведомление почтового сервера)"
    for _, address in getaddresses([str(message.get("From") or "")]):
        if _ROBOT_SENDERS.match(address.strip()):
            return f"From: {address.strip()}"
    return ""


def parse_email(raw: bytes) -> Parsed:
    """A letter: the plain text (or the HTML turned into text), without quotes and signature;
    the sender as the applicant; files attached. Registered as a message (547-FZ) until an
    operator converts it."""
    message = read_message(raw)
    defects = _defects(message)
    if defects:
        raise ParseError(
            f"Повреждённая структура MIME ({', '.join(sorted(set(defects)))}): письмо нужно разобрать вручную."
        )
    sender = message.get("From")
    if sender is None:
        raise ParseError("В письме нет отправителя (From).")
    addresses = [(name, addr) for name, addr in getaddresses([str(sender)]) if addr and "@" in addr]
    if not addresses:
        raise ParseError(f"Адрес отправителя не читается: «{str(sender)[:100]}».")
    display_name, address = addresses[0]
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body_part is not None:
        content = _decoded_text(body_part)  # type: ignore[arg-type]
        if body_part.get_content_subtype() == "html":
            content = normalize_whitespace(strip_html(content))
        text = clean_text(content) or normalize_whitespace(strip_html(content))
    files: list[Incoming] = []
    for index, part in enumerate(message.iter_attachments(), start=1):
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            # An attached message (message/rfc822) is kept as its own bytes.
            payload = part.as_bytes() if part.get_content_type() == "message/rfc822" else b""
        name = part.get_filename() or f"вложение-{index}"
        files.append(Incoming(name=name, content=payload))
    subject = str(message.get("Subject") or "").strip()
    if not text:
        if not files:
            raise ParseError("В письме нет ни текста, ни вложений.")
        text = subject or "Текст обращения во вложении."
    return Parsed(
        text=text,
        applicant=MatchQuery(full_name=display_name.strip(), emails=[address.strip()]),
        kind=Kind.MESSAGE,
        summary=subject[:300],
        attachments=files,
        message_id=str(message.get("Message-ID") or "").strip()[:300],
        automatic=automatic_reason(message),
    )


def _vk_parse(raw: bytes) -> Parsed:
    from intake.vk import parse_event

    return parse_event(raw)


PARSERS = {
    EMAIL_CONTENT_TYPE: parse_email,
    DOCUMENT_CONTENT_TYPE: parse_document,
    VK_CONTENT_TYPE: _vk_parse,
    OPERATOR_CONTENT_TYPE: parse_operator_document,
}


def parse(content_type: str, raw: bytes) -> Parsed:
    parser = PARSERS.get(content_type)
    if parser is None:
        raise ParseError(f"Нет разборщика для содержимого «{content_type}».")
    return parser(raw)
