"""The internet reception («Интернет-приёмная»): a citizen writes an appeal on the body's site,
confirms the e-mail address with a code, and the confirmed submission goes through the entry
service like any channel. A login through an OpenID Connect provider (Gosuslugi gateways) can
later fill `ReceptionData.gosuslugi_id` and skip the code: `submission_start(..., verified=True)`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from appeals.choices import Channel
from core import clock
from intake.attachments import Incoming, check_attachments
from intake.choices import DOCUMENT_CONTENT_TYPE
from intake.models import IncomingItem, WebSubmission
from intake.parsers import ParseError, document_bytes, parse_document
from intake.services import item_receive

MAX_CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class ReceptionData:
    """The fields of 59-FZ art. 7 for an appeal in electronic form."""

    surname: str
    first_name: str
    patronymic: str
    email: str
    text: str
    addressee: str = ""
    phone: str = ""
    postal_address: str = ""
    gosuslugi_id: str = ""


def _keyed(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode("utf-8"), hashlib.sha256).hexdigest()


def _document(data: ReceptionData, files: list[Incoming]) -> dict[str, Any]:
    applicant = {
        "surname": data.surname,
        "first_name": data.first_name,
        "patronymic": data.patronymic,
        "email": data.email,
        "phone": data.phone,
        "address": data.postal_address,
        "gosuslugi_id": data.gosuslugi_id,
    }
    return {
        "text": data.text,
        "addressee": data.addressee,
        "kind": settings.OTKLIK_WEB_KIND,
        "consent_personal_data": True,
        "applicant": {k: v.strip() for k, v in applicant.items() if v and v.strip()},
        "attachments": [{"name": f.name, "content_base64": base64.b64encode(f.content).decode()} for f in files],
    }


def _read(upload: UploadedFile) -> Incoming:
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"Файл «{upload.name}» больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ и не может быть принят."
        )
    return Incoming(name=upload.name or "файл", content=upload.read())


@transaction.atomic
def submission_start(
    *, data: ReceptionData, uploads: list[UploadedFile], address: str, consent: bool, verified: bool = False
) -> WebSubmission:
    """Check the appeal and its files, keep it, and send the confirmation code to the e-mail.
    One network address may start `OTKLIK_WEB_PER_HOUR` submissions an hour."""
    if not consent:
        raise ValidationError("Без согласия на обработку персональных данных обращение не может быть принято.")
    address_hash = _keyed(f"address:{address}")
    now = clock.now()
    recent = WebSubmission.objects.filter(address_hash=address_hash, created_at__gte=now - dt.timedelta(hours=1))
    if recent.count() >= settings.OTKLIK_WEB_PER_HOUR:
        raise ValidationError("С этого адреса за последний час отправлено слишком много обращений. Попробуйте позже.")
    if len(uploads) > settings.OTKLIK_MAX_ATTACHMENTS:
        raise ValidationError(f"Не более {settings.OTKLIK_MAX_ATTACHMENTS} вложений к одному обращению.")
    files = [_read(u) for u in uploads]
    check_attachments(files)
    payload = document_bytes(_document(data, files))
    try:
        parse_document(payload)
    except ParseError as exc:
        raise ValidationError(str(exc)) from None
    token = secrets.token_urlsafe(32)
    code = f"{secrets.randbelow(1_000_000):06d}"
    submission = WebSubmission(
        token=token,
        email=data.email.strip(),
        code_hash=_keyed(f"code:{token}:{code}"),
        address_hash=address_hash,
        expires_at=now + dt.timedelta(minutes=settings.OTKLIK_WEB_CODE_MINUTES),
    )
    submission.document.save(f"{token[:16]}.json", ContentFile(payload), save=False)
    submission.full_clean(exclude=["document", "item"])
    submission.save()
    if verified:
        submission_accept(submission=submission)
        return submission
    try:
        send_mail(
            subject="Код подтверждения обращения",
            message=(
                f"Код подтверждения вашего обращения: {code}\n\n"
                f"Введите его на странице подтверждения в течение {settings.OTKLIK_WEB_CODE_MINUTES} минут. "
                "Если вы не писали обращение, просто не отвечайте на это письмо."
            ),
            from_email=None,
            recipient_list=[submission.email],
        )
    except OSError:
        submission.document.delete(save=False)
        raise ValidationError(
            "Не удалось отправить код на указанный адрес. Проверьте адрес или попробуйте позже."
        ) from None
    return submission


def submission_accept(*, submission: WebSubmission) -> IncomingItem:
    """The confirmed submission becomes an incoming item; receipt is the moment of confirmation."""
    with submission.document.open("rb") as stream:
        payload = stream.read()
    receipt = item_receive(
        channel=Channel.WEB,
        source_id=f"web:{submission.token}",
        payload=payload,
        content_type=DOCUMENT_CONTENT_TYPE,
        headers={"reception": "confirmed by e-mail code"},
    )
    submission.confirmed_at = submission.confirmed_at or clock.now()
    submission.item = receipt.item
    submission.save(update_fields=["confirmed_at", "item", "updated_at"])
    return receipt.item


def submission_confirm(*, submission: WebSubmission, code: str) -> IncomingItem:
    """Check the code; the right one turns the submission into an incoming item (once)."""
    submission.refresh_from_db()
    if submission.item is not None:
        return submission.item
    if clock.now() > submission.expires_at:
        raise ValidationError("Срок действия кода истёк. Отправьте обращение ещё раз.")
    if submission.attempts >= MAX_CODE_ATTEMPTS:
        raise ValidationError("Слишком много неверных попыток. Отправьте обращение ещё раз.")
    if not hmac.compare_digest(submission.code_hash, _keyed(f"code:{submission.token}:{code.strip()}")):
        WebSubmission.objects.filter(pk=submission.pk).update(attempts=F("attempts") + 1)
        left = MAX_CODE_ATTEMPTS - submission.attempts - 1
        raise ValidationError(f"Неверный код. Осталось попыток: {left}.")
    with transaction.atomic():
        locked = WebSubmission.objects.select_for_update(of=("self",)).get(pk=submission.pk)
        if locked.item is not None:
            return locked.item
        return submission_accept(submission=locked)


def submissions_forget_unconfirmed(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Unconfirmed submissions hold personal data nobody confirmed: removed a day after their
    code expired, files included."""
    stale = WebSubmission.objects.filter(item__isnull=True, expires_at__lt=clock.now() - older_than)
    removed = 0
    for submission in stale.iterator(chunk_size=500):
        submission.document.delete(save=False)
        submission.delete()
        removed += 1
    return removed
