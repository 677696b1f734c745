"""The acknowledgement a letter's sender gets once it is registered: the number, the date, the
deadline, and whether it is a 59-FZ appeal or a message (547-FZ). The wording is the letters
app's «Уведомление о регистрации» (editable in the admin); it goes out through the delivery
outbox by e-mail, marked as an automatic reply. Never to auto-replies, bounces or mailing lists,
never twice for one item, and not at all when OTKLIK_MAIL_ACKNOWLEDGE is off."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from appeals.choices import Kind
from appeals.models import Appeal
from intake.choices import EMAIL_CONTENT_TYPE
from intake.models import IncomingItem
from intake.parsers import Parsed

logger = logging.getLogger(__name__)

KIND = "intake:acknowledgement"

REGIME = {
    Kind.MESSAGE: (
        "Письмо зарегистрировано как сообщение. По Федеральному закону № 547-ФЗ обращением в форме "
        "электронного документа считается обращение, направленное через Единый портал государственных "
        "услуг, официальный сайт или информационную систему органа, поэтому письмо по электронной почте "
        "рассматривается как сообщение."
    ),
    Kind.APPEAL: (
        "Письмо зарегистрировано как обращение и рассматривается в порядке Федерального закона "
        "от 02.05.2006 № 59-ФЗ «О порядке рассмотрения обращений граждан Российской Федерации»."
    ),
}
AUTOMATIC_NOTE = "Это письмо отправлено автоматически, отвечать на него не нужно."


def reference_for(item: IncomingItem) -> str:
    return f"intake:{item.pk}:acknowledgement"


def _wording(appeal: Appeal, applicant: Any) -> tuple[str, str]:
    """Subject and text from the acknowledgement group of the letter templates."""
    from letters.choices import Situation
    from letters.context import build_context
    from letters.rendering import render_string
    from letters.selection import choose_variant, groups_for

    context = build_context(appeal=appeal, applicant=applicant)
    groups = groups_for(Situation.ACKNOWLEDGEMENT, codes=[], outcomes=[])
    template = choose_variant(groups[0], applicant=applicant, topic="") if groups else None
    if template is None:
        subject_source = "Обращение зарегистрировано под № {{ appeal.number }}"
        body_source = (
            "{{ applicant.greeting }}\n\nВаше обращение, поступившее {{ appeal.received }}, зарегистрировано "
            "{{ appeal.date }} под № {{ appeal.number }}. Ответ будет дан не позднее {{ deadline }}."
        )
    else:
        subject_source, body_source = template.subject, template.body
    return render_string(subject_source, context).strip(), render_string(body_source, context).strip()


def compose(appeal: Appeal, applicant: Any) -> tuple[str, str]:
    subject, text = _wording(appeal, applicant)
    regime = REGIME.get(Kind(appeal.kind), "")
    if regime:
        text += "\n\n" + regime
    text += "\n\n" + AUTOMATIC_NOTE
    return subject or f"Обращение зарегистрировано под № {appeal.number}", text


def _own_addresses() -> set[str]:
    own = {settings.DEFAULT_FROM_EMAIL, settings.OTKLIK_IMAP_USER}
    return {a.strip().lower() for a in own if a and "@" in a}


def acknowledgement_queue(*, item: IncomingItem, appeal: Appeal, parsed: Parsed) -> bool:
    """Queue the acknowledgement of a just registered letter (inside the registration's
    transaction). True when queued. A failure here never undoes the registration."""
    # Letters only (the mailbox, .eml files, the exchange folder's .eml): other channels confirm
    # in their own way (the reception's page, the API's answer).
    if not settings.OTKLIK_MAIL_ACKNOWLEDGE or item.content_type != EMAIL_CONTENT_TYPE:
        return False
    if parsed.automatic:
        logger.info("incoming item %s: no acknowledgement, automatic letter", item.pk)
        return False
    address = next(iter(parsed.applicant.emails), "").strip()
    if not address or address.lower() in _own_addresses():
        return False
    from delivery.choices import DeliveryChannel
    from delivery.models import OutboxMessage
    from delivery.services import outbox_enqueue

    reference = reference_for(item)
    if OutboxMessage.objects.filter(reference=reference).exists():
        return False
    row = appeal.signatories.select_related("applicant").order_by("-is_primary", "position", "pk").first()
    applicant = row.applicant if row is not None else None
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if parsed.message_id.startswith("<") and parsed.message_id.endswith(">") and " " not in parsed.message_id:
        headers["In-Reply-To"] = headers["References"] = parsed.message_id
    try:
        with transaction.atomic():
            subject, text = compose(appeal, applicant)
            outbox_enqueue(
                appeal=appeal,
                applicant=applicant,
                kind=KIND,
                subject=subject,
                text=text,
                channel=DeliveryChannel.EMAIL,
                address=address,
                reference=reference,
                headers=headers,
            )
    except Exception as exc:  # the courtesy reply must never cost the registration
        logger.warning("incoming item %s: acknowledgement not queued (%s)", item.pk, type(exc).__name__)
        return False
    logger.info("incoming item %s: acknowledgement queued", item.pk)
    return True
