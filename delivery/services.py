"""The outbox: what other apps call to send something to an applicant, and the delivery loop.

    outbox_enqueue(*, appeal, applicant, kind, subject, text, html="", attachments=(), channel=None,
                   actor=None, short_text="") -> OutboxMessage

puts one message in the queue (inside the caller's transaction) and asks the worker to deliver it
once the transaction commits. Without `channel` the message goes back the way the appeal came
(`channel_for`), falling back to e-mail, then the post. `attachments` are (name, bytes,
content type) triples. `short_text` replaces `text` for SMS; `address` overrides the card's
contact; `reference` names the source («letter:17») so `outbox_cancel_for(reference)` can
withdraw what has not gone yet; `headers` adds e-mail headers (`EMAIL_HEADERS`). The worker task
`delivery.tasks.deliver_due` sends every due message; a failure waits
OTKLIK_DELIVERY_RETRY_MINUTES × 2^(attempt−1) and is retried up to OTKLIK_DELIVERY_MAX_ATTEMPTS
times, then the message is «не доставлено» and shows on the staff page of failed deliveries.
Letters for the post wait for a print batch (`print_batch_create`).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet

from appeals.choices import Channel
from appeals.models import Appeal
from core import clock
from delivery import rules
from delivery.channels import ADAPTERS, DeliveryError, email_zone_warning
from delivery.choices import DeliveryChannel, OutboxStatus
from delivery.models import OutboxAttachment, OutboxMessage, PrintBatch
from org.selectors import actor_for
from people.choices import ContactKind
from people.models import Applicant

logger = logging.getLogger(__name__)

# Headers a caller may add to an e-mail (RFC 3834 for automatic replies; threading).
EMAIL_HEADERS = frozenset({"Auto-Submitted", "In-Reply-To", "References", "X-Auto-Response-Suppress"})

# Where the answer goes back by default: the channel of receipt.
RECEIPT_CHANNEL = {
    Channel.EMAIL: DeliveryChannel.EMAIL,
    Channel.WEB: DeliveryChannel.EMAIL,
    Channel.EPGU: DeliveryChannel.EMAIL,
    Channel.SSTU: DeliveryChannel.EMAIL,
    Channel.TELEGRAM: DeliveryChannel.TELEGRAM,
    Channel.VK: DeliveryChannel.VK,
    Channel.EDMS: DeliveryChannel.EXCHANGE,
    Channel.POST: DeliveryChannel.PRINT,
    Channel.COURIER: DeliveryChannel.PRINT,
    Channel.PERSONAL: DeliveryChannel.PRINT,
    Channel.PHONE: DeliveryChannel.PRINT,
}

CONTACT_FOR = {
    DeliveryChannel.EMAIL: ContactKind.EMAIL,
    DeliveryChannel.TELEGRAM: ContactKind.TELEGRAM,
    DeliveryChannel.VK: ContactKind.VK,
    DeliveryChannel.SMS: ContactKind.PHONE,
    DeliveryChannel.PRINT: ContactKind.POSTAL,
}


def address_for(applicant: Applicant | None, channel: str) -> str:
    """The applicant's primary contact of the channel's kind, '' when there is none."""
    kind = CONTACT_FOR.get(DeliveryChannel(channel))
    if applicant is None or kind is None:
        return ""
    contacts = sorted((c for c in applicant.contacts.all() if c.kind == kind), key=lambda c: (not c.is_primary, c.pk))
    if not contacts:
        return ""
    if kind in (ContactKind.TELEGRAM, ContactKind.VK):
        return contacts[0].normalized or contacts[0].value
    return contacts[0].value


def channel_for(appeal: Appeal | None, applicant: Applicant | None) -> str:
    """The channel of receipt when the applicant has an address there; else e-mail; else the post."""
    preferred = RECEIPT_CHANNEL.get(Channel(appeal.channel)) if appeal is not None else None
    if preferred == DeliveryChannel.EXCHANGE:
        return preferred
    for channel in (preferred, DeliveryChannel.EMAIL, DeliveryChannel.PRINT):
        if channel is not None and address_for(applicant, channel):
            return channel
    return DeliveryChannel.PRINT


def destination(
    appeal: Appeal | None, applicant: Applicant | None, *, channel: str | None = None, address: str = ""
) -> tuple[str, str]:
    """Where a message to the applicant goes: (channel, address); raises when it cannot go anywhere."""
    if channel is not None and channel not in DeliveryChannel.values:
        raise ValidationError("Неизвестный канал доставки.")
    channel = channel or channel_for(appeal, applicant)
    address = address.strip() or address_for(applicant, channel)
    if channel == DeliveryChannel.EXCHANGE:
        address = address or "СЭД"
    if not address:
        raise ValidationError(f"У получателя нет адреса для канала «{DeliveryChannel(channel).label}».")
    return channel, address


def _deliver_after_commit(message_id: int) -> None:
    from delivery.tasks import deliver_one

    transaction.on_commit(lambda: deliver_one.enqueue(message_id=message_id))


def outbox_enqueue(
    *,
    appeal: Appeal | None,
    applicant: Applicant | None,
    kind: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: Sequence[tuple[str, bytes, str]] = (),
    channel: str | None = None,
    actor: User | None = None,
    short_text: str = "",
    address: str = "",
    recipient_name: str = "",
    reference: str = "",
    headers: dict[str, str] | None = None,
) -> OutboxMessage:
    """Queue one message for one applicant; see the module docstring."""
    if not subject.strip() or not text.strip():
        raise ValidationError("Сообщение без темы или текста не отправляется.")
    headers = dict(headers or {})
    unknown = set(headers) - EMAIL_HEADERS
    if unknown:
        raise ValidationError(f"Недопустимые заголовки письма: {', '.join(sorted(unknown))}.")
    if any("\r" in v or "\n" in v for v in headers.values()):
        raise ValidationError("Заголовок письма не может содержать перевод строки.")
    channel, address = destination(appeal, applicant, channel=channel, address=address)
    warning = email_zone_warning(address) if channel == DeliveryChannel.EMAIL else ""
    if applicant is not None and not recipient_name:
        from letters.names import applicant_name

        recipient_name = applicant_name(applicant).to
    message = OutboxMessage.objects.create(
        appeal=appeal,
        applicant=applicant,
        kind=kind[:40],
        reference=reference[:100],
        channel=channel,
        address=address[:500],
        recipient_name=recipient_name[:300],
        subject=subject.strip()[:300],
        text=(short_text or text) if channel == DeliveryChannel.SMS else text,
        html=html,
        headers=headers if channel == DeliveryChannel.EMAIL else {},
        warning=warning,
        next_attempt_at=None if channel == DeliveryChannel.PRINT else clock.now(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    for name, data, content_type in attachments:
        attachment = OutboxAttachment(message=message, name=name[:255], content_type=content_type[:100])
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
    if channel != DeliveryChannel.PRINT:
        _deliver_after_commit(message.pk)
    return message


def backoff(attempts: int) -> dt.timedelta:
    """Wait before attempt n+1: RETRY_MINUTES × 2^(n−1), at most a day."""
    minutes = settings.OTKLIK_DELIVERY_RETRY_MINUTES * 2 ** max(attempts - 1, 0)
    return dt.timedelta(minutes=min(minutes, 24 * 60))


def _claim(message_id: int, now: dt.datetime) -> OutboxMessage | None:
    """Take a due message for sending; another worker that took it first wins."""
    with transaction.atomic():
        claimed = OutboxMessage.objects.filter(
            pk=message_id, status=OutboxStatus.QUEUED, next_attempt_at__lte=now
        ).update(status=OutboxStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return None
    return OutboxMessage.objects.select_related("appeal", "applicant").get(pk=message_id)


def deliver(message_id: int, *, now: dt.datetime | None = None) -> str:
    """One attempt at one message; returns its status afterwards."""
    now = now or clock.now()
    message = _claim(message_id, now)
    if message is None:
        current = OutboxMessage.objects.filter(pk=message_id).values_list("status", flat=True).first()
        return current or ""
    adapter = ADAPTERS.get(message.channel)
    try:
        if adapter is None:
            raise DeliveryError("Канал отправляется пакетом печати.", retry=False)
        external_id = adapter.send(message)
    except Exception as exc:
        if not isinstance(exc, DeliveryError):
            # An unexpected failure must not leave the message «sending»: it is retried like a
            # network error. The log names the message, not its content or address.
            logger.exception("delivery of outbox message %s through %s failed", message.pk, message.channel)
            exc = DeliveryError(f"Внутренняя ошибка канала: {type(exc).__name__}")
        give_up = not exc.retry or message.attempts >= settings.OTKLIK_DELIVERY_MAX_ATTEMPTS
        message.status = OutboxStatus.FAILED if give_up else OutboxStatus.QUEUED
        message.next_attempt_at = None if give_up else now + backoff(message.attempts)
        message.last_error = str(exc)[:2000]
        message.save(update_fields=["status", "next_attempt_at", "last_error", "updated_at"])
        return message.status
    message.status, message.sent_at, message.external_id = OutboxStatus.SENT, clock.now(), external_id[:300]
    message.next_attempt_at, message.last_error = None, ""
    message.save(update_fields=["status", "sent_at", "external_id", "next_attempt_at", "last_error", "updated_at"])
    return message.status


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send every due message (the worker's periodic task); also frees messages stuck in sending."""
    now = now or clock.now()
    stuck = now - dt.timedelta(minutes=30)
    OutboxMessage.objects.filter(status=OutboxStatus.SENDING, updated_at__lt=stuck).update(
        status=OutboxStatus.QUEUED, next_attempt_at=now
    )
    due = list(
        OutboxMessage.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now)
        .exclude(channel=DeliveryChannel.PRINT)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in due:
        status = deliver(pk, now=now)
        counts[status] = counts.get(status, 0) + 1
    return counts


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, actor: User) -> OutboxMessage:
    """Staff send a failed (or waiting) message again now."""
    if not rules.can_manage(actor_for(actor)):
        raise PermissionDenied("Повторить отправку может отдел обращений или администратор.")
    message = OutboxMessage.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if message.status not in (OutboxStatus.FAILED, OutboxStatus.QUEUED):
        raise ValidationError("Повторить можно только недоставленное сообщение.")
    if message.channel == DeliveryChannel.PRINT:
        raise ValidationError("Письмо для почты печатается пакетом.")
    message.status, message.next_attempt_at, message.attempts = OutboxStatus.QUEUED, clock.now(), 0
    message.save(update_fields=["status", "next_attempt_at", "attempts", "updated_at"])
    _deliver_after_commit(message.pk)
    return message


@transaction.atomic
def outbox_cancel(*, message: OutboxMessage, actor: User) -> OutboxMessage:
    if not rules.can_manage(actor_for(actor)):
        raise PermissionDenied("Отменить отправку может отдел обращений или администратор.")
    message = OutboxMessage.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if message.status in (OutboxStatus.SENT, OutboxStatus.CANCELLED, OutboxStatus.SENDING):
        raise ValidationError("Это сообщение уже не отменить.")
    message.status, message.next_attempt_at = OutboxStatus.CANCELLED, None
    message.save(update_fields=["status", "next_attempt_at", "updated_at"])
    return message


@transaction.atomic
def outbox_redirect(*, message: OutboxMessage, actor: User, channel: str, address: str = "") -> OutboxMessage:
    """Send an undelivered message another way (a new outbox row; the old one is cancelled)."""
    if not rules.can_manage(actor_for(actor)):
        raise PermissionDenied("Сменить канал может отдел обращений или администратор.")
    if message.status not in (OutboxStatus.FAILED, OutboxStatus.QUEUED):
        raise ValidationError("Сменить канал можно только у недоставленного сообщения.")
    files = []
    for a in message.attachments.all():
        with a.file.open("rb") as handle:
            files.append((a.name, handle.read(), a.content_type))
    fresh = outbox_enqueue(
        appeal=message.appeal,
        applicant=message.applicant,
        kind=message.kind,
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=files,
        channel=channel,
        actor=actor,
        address=address,
        reference=message.reference,
        headers=message.headers,
    )
    outbox_cancel(message=message, actor=actor)
    return fresh


def outbox_cancel_for(reference: str) -> int:
    """Cancel every message of a source that has not gone yet (the source was withdrawn)."""
    if not reference:
        return 0
    return OutboxMessage.objects.filter(
        reference=reference, status__in=[OutboxStatus.QUEUED, OutboxStatus.FAILED]
    ).update(status=OutboxStatus.CANCELLED, next_attempt_at=None, updated_at=clock.now())


def failed_messages() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        Q(status=OutboxStatus.FAILED) | Q(status=OutboxStatus.QUEUED, attempts__gt=0)
    ).select_related("appeal", "applicant")


def print_queue() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(channel=DeliveryChannel.PRINT, status=OutboxStatus.QUEUED).select_related(
        "appeal", "applicant"
    )


def print_batch_create(*, actor: User, sender: str = "") -> PrintBatch:
    """One PDF for the post: each letter followed by its DL envelope, then sheets of address labels."""
    from delivery.printing import batch_pdf

    if not rules.can_manage(actor_for(actor)):
        raise PermissionDenied("Печатать пакет может отдел обращений или администратор.")
    with transaction.atomic():
        messages = list(print_queue().select_for_update(of=("self",)).order_by("pk")[:500])
        if not messages:
            raise ValidationError("Нет писем для печати.")
        pdf = batch_pdf(messages, sender=sender)
        batch = PrintBatch(created_by=actor, count=len(messages))
        batch.pdf.save(f"print-{clock.now():%Y%m%d-%H%M%S}.pdf", ContentFile(pdf), save=False)
        batch.save()
        now = clock.now()
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            status=OutboxStatus.SENT, sent_at=now, print_batch=batch, attempts=1, updated_at=now
        )
    return batch


def appeal_deliveries(appeal: Appeal) -> QuerySet[OutboxMessage]:
    return appeal.outbox.select_related("applicant").order_by("-created_at", "-pk")
