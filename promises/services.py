"""Every change to promises: proposals on the answer screen, recording them when the answer is
approved, status changes with history, notices to applicants, reminders and escalation.

The moment a promise counts as given is `promises_record_given()`; today `question_approve`
calls it, later the dispatch of the letter can call it instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from appeals import rules as appeal_rules
from appeals.choices import EventKind
from appeals.models import Appeal, AppealEvent, Question
from core import clock
from core.calendar import current_calendar
from org.choices import RoleCode
from org.selectors import Actor, actor_for, answering_head
from promises.choices import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    NoticeStatus,
    PromiseSource,
    PromiseStatus,
)
from promises.extract import PROPOSE_FROM, PeriodConventions, extract_promises, has_undated_commitment
from promises.models import ApplicantNotice, Promise, PromiseChange
from workflow.notify import notify

# Reminders go this many days before the due date (each once), escalation the day after it.
REMIND_DAYS_BEFORE = (7, 1)
HISTORY_FOR_CONVENTIONS = 2000
MAX_SENTENCE = 2000


@dataclass(frozen=True)
class Proposal:
    """A commitment found in a draft answer, offered to the executor."""

    sentence: str
    due_date: dt.date
    due_text: str
    responsible: str
    confidence: float
    source: str


# --- who may do what ---------------------------------------------------------------------


def can_edit_drafts(actor: Actor, question: Question) -> bool:
    """The executor while drafting, the head while approving."""
    return appeal_rules.can_answer(actor, question) or appeal_rules.can_approve(actor, question)


def can_change_status(actor: Actor, promise: Promise) -> bool:
    """The executor, the unit's head, controllers and administrators follow a given promise."""
    if promise.status == PromiseStatus.DRAFT:
        return False
    question = promise.question
    return (
        appeal_rules.executes_question(actor, question)
        or appeal_rules.heads_question(actor, question)
        or actor.has(RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)
    )


# --- proposals ---------------------------------------------------------------------------


def _body_key(question: Question) -> str:
    return question.department.name if question.department_id else ""  # type: ignore[union-attr]


def conventions_for(question: Question) -> PeriodConventions:
    """The unit's habits learned at run time from the promises it gave before (first due dates)."""
    conventions = PeriodConventions()
    rows = (
        Promise.objects.exclude(status=PromiseStatus.DRAFT)
        .exclude(source=PromiseSource.CONVENTION)
        .filter(given_at__isnull=False)
        .filter(
            Q(question__department_id=question.department_id)
            if question.department_id
            else Q(question__department__isnull=True)
        )
        .select_related("question")
        .order_by("-given_at")[:HISTORY_FOR_CONVENTIONS]
    )
    conventions.learn_many(
        (p.question.answer, _body_key(question), timezone.localtime(p.given_at).date(), p.first_due_date)  # type: ignore[arg-type]
        for p in rows
    )
    return conventions


def propose(question: Question, text: str | None = None, *, today: dt.date | None = None) -> list[Proposal]:
    """The commitments in the answer text (the saved draft unless `text` is given), without those
    already confirmed; an answer that commits without a date gets the unit's usual term."""
    text = question.answer if text is None else text
    today = today or timezone.localdate()
    body = _body_key(question)
    found = [
        p
        for p in extract_promises(text, answered_on=today, body=body, calendar_=current_calendar())
        if p.confidence >= PROPOSE_FROM
    ]
    proposals = [Proposal(p.sentence, p.due, p.due_text, p.responsible, p.confidence, p.source) for p in found]
    if not proposals and has_undated_commitment(text):
        predicted = conventions_for(question).predict(text, body, today)
        if predicted is not None:
            due, confidence, _ = predicted
            sentence = has_undated_commitment(text) or ""
            proposals.append(
                Proposal(sentence, due, "обычный срок подразделения", body, confidence, PromiseSource.CONVENTION)
            )
    confirmed = set(question.promises.values_list("sentence", "due_date"))
    return [p for p in proposals if (p.sentence, p.due_date) not in confirmed]


# --- drafts on the answer screen -----------------------------------------------------------


def _clean_draft(
    sentence: str, due_date: dt.date | None, responsible: str, *, today: dt.date
) -> tuple[str, dt.date, str]:
    sentence = " ".join((sentence or "").split())
    responsible = " ".join((responsible or "").split())
    if not sentence:
        raise ValidationError("Напишите, что обещано.")
    if len(sentence) > MAX_SENTENCE:
        raise ValidationError(f"Текст обещания длиннее {MAX_SENTENCE} знаков.")
    if len(responsible) > 300:
        raise ValidationError("Ответственный: не длиннее 300 знаков.")
    if due_date is None:
        raise ValidationError("Укажите срок обещания.")
    if due_date <= today:
        raise ValidationError("Срок обещания должен быть позже сегодняшнего дня.")
    return sentence, due_date, responsible


@transaction.atomic
def promise_add_draft(
    *,
    question: Question,
    actor: User,
    sentence: str,
    due_date: dt.date | None,
    responsible: str = "",
    due_text: str = "",
    source: str = PromiseSource.MANUAL,
    confidence: float | None = None,
) -> Promise:
    """The executor confirms a proposal (or writes a promise); it becomes part of the answer."""
    question = (
        Question.objects.select_for_update(of=("self",)).select_related("appeal", "department").get(pk=question.pk)
    )
    if not can_edit_drafts(actor_for(actor), question):
        raise PermissionDenied("Обещания в ответе правит исполнитель вопроса или руководитель.")
    sentence, due, responsible = _clean_draft(sentence, due_date, responsible, today=timezone.localdate())
    if source not in PromiseSource.values:
        source = PromiseSource.MANUAL
    if question.promises.filter(status=PromiseStatus.DRAFT, sentence=sentence, due_date=due).exists():
        raise ValidationError("Такое обещание уже есть в ответе.")
    return Promise.objects.create(
        appeal=question.appeal,
        question=question,
        sentence=sentence,
        due_date=due,
        first_due_date=due,
        due_text=due_text[:200],
        responsible=responsible or _body_key(question),
        source=source,
        confidence=confidence,
        created_by=actor,
    )


@transaction.atomic
def promise_update_draft(
    *, promise: Promise, actor: User, sentence: str, due_date: dt.date | None, responsible: str
) -> Promise:
    promise = Promise.objects.select_for_update(of=("self",)).select_related("question__appeal").get(pk=promise.pk)
    if promise.status != PromiseStatus.DRAFT:
        raise ValidationError("Данное обещание меняется только сменой статуса.")
    if not can_edit_drafts(actor_for(actor), promise.question):
        raise PermissionDenied("Обещания в ответе правит исполнитель вопроса или руководитель.")
    sentence, due, responsible = _clean_draft(sentence, due_date, responsible, today=timezone.localdate())
    promise.sentence, promise.due_date, promise.first_due_date = sentence, due, due
    promise.responsible = responsible
    if promise.source != PromiseSource.MANUAL:
        promise.source = PromiseSource.MANUAL
    promise.save()
    return promise


@transaction.atomic
def promise_remove_draft(*, promise: Promise, actor: User) -> None:
    promise = Promise.objects.select_for_update(of=("self",)).select_related("question__appeal").get(pk=promise.pk)
    if promise.status != PromiseStatus.DRAFT:
        raise ValidationError("Данное обещание не удаляется: его можно отменить сменой статуса.")
    if not can_edit_drafts(actor_for(actor), promise.question):
        raise PermissionDenied("Обещания в ответе правит исполнитель вопроса или руководитель.")
    promise.delete()


# --- given, status changes, history --------------------------------------------------------


def _event(appeal: Appeal, actor: User | None, question: Question | None, old: str, new: str, note: str = "") -> None:
    AppealEvent.objects.create(
        appeal=appeal,
        question=question,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=EventKind.CHANGED,
        field="обещание",
        old_value=old,
        new_value=new,
        note=note,
    )


def _describe(status: str, due: dt.date | None) -> str:
    label = PromiseStatus(status).label if status else ""
    return f"{label}, срок {due:%d.%m.%Y}" if due else label


def on_extra_control(appeal: Appeal) -> bool:
    """The appeal stays on additional control while any of its promises is open."""
    return appeal.promises.filter(status__in=sorted(OPEN_STATUSES)).exists()


def _change(
    promise: Promise, *, actor: User | None, new_status: str, new_due: dt.date | None, note: str, was_open: bool
) -> PromiseChange:
    old_status, old_due = promise.status, promise.due_date
    now = clock.now()
    promise.status = new_status
    if new_due is not None:
        promise.due_date = new_due
    if new_status in CLOSED_STATUSES:
        promise.closed_at = now
    elif new_status in OPEN_STATUSES:
        promise.closed_at = None
    if new_status == PromiseStatus.GIVEN and promise.given_at is None:
        promise.given_at = now
    promise.save()
    change = PromiseChange.objects.create(
        promise=promise,
        at=now,
        actor=actor if actor is not None and actor.is_authenticated else None,
        old_status=old_status if old_status != PromiseStatus.DRAFT else "",
        new_status=new_status,
        old_due_date=old_due if old_status != PromiseStatus.DRAFT else None,
        new_due_date=promise.due_date,
        note=note,
    )
    _event(
        promise.appeal,
        actor,
        promise.question,
        "" if old_status == PromiseStatus.DRAFT else _describe(old_status, old_due),
        _describe(new_status, promise.due_date),
        note=f"«{promise.sentence[:200]}»" + (f" — {note}" if note else ""),
    )
    applicant_notices_for(promise, change=change, actor=actor)
    now_open = on_extra_control(promise.appeal)
    if now_open and not was_open:
        _event(promise.appeal, actor, None, "", "на дополнительном контроле", note="Даны обещания с контролем срока.")
    elif was_open and not now_open:
        _event(promise.appeal, actor, None, "на дополнительном контроле", "снято с дополнительного контроля",
               note="Все обещания закрыты.")  # fmt: skip
    return change


def promises_record_given(*, question: Question, actor: User | None) -> list[Promise]:
    """The answer is approved: its confirmed promises are given (history, notices, control).
    Runs inside the caller's transaction."""
    drafts = list(
        Promise.objects.select_for_update(of=("self",))
        .filter(question=question, status=PromiseStatus.DRAFT)
        .select_related("appeal", "question")
    )
    if not drafts:
        return []
    was_open = on_extra_control(question.appeal)
    for promise in drafts:
        _change(promise, actor=actor, new_status=PromiseStatus.GIVEN, new_due=None, note="", was_open=was_open)
        was_open = True
    return drafts


@transaction.atomic
def promise_change_status(
    *, promise: Promise, actor: User, status: str, note: str = "", due_date: dt.date | None = None
) -> PromiseChange:
    """Move a given promise on: in progress, kept, broken, moved to a new date, cancelled."""
    promise = Promise.objects.select_for_update(of=("self",)).select_related("appeal", "question").get(pk=promise.pk)
    if not can_change_status(actor_for(actor), promise):
        raise PermissionDenied("Статус обещания меняют исполнитель, руководитель или контролёр.")
    if status not in PromiseStatus.values or status == PromiseStatus.DRAFT:
        raise ValidationError("Неизвестный статус обещания.")
    if status not in TRANSITIONS.get(promise.status, frozenset()):
        raise ValidationError(
            f"Из статуса «{promise.get_status_display()}» нельзя перейти в «{PromiseStatus(status).label}»."
        )
    note = " ".join((note or "").split())
    new_due = None
    if status == PromiseStatus.MOVED:
        if due_date is None:
            raise ValidationError("Укажите новый срок.")
        if due_date <= timezone.localdate():
            raise ValidationError("Новый срок должен быть позже сегодняшнего дня.")
        if due_date == promise.due_date:
            raise ValidationError("Новый срок совпадает с прежним.")
        if not note:
            raise ValidationError("Объясните, почему срок переносится.")
        new_due = due_date
    elif due_date is not None and due_date != promise.due_date:
        raise ValidationError("Срок меняется только переносом.")
    if status in (PromiseStatus.BROKEN, PromiseStatus.CANCELLED) and not note:
        raise ValidationError("Укажите причину.")
    was_open = on_extra_control(promise.appeal)
    return _change(promise, actor=actor, new_status=status, new_due=new_due, note=note, was_open=was_open)


# --- notices to applicants -----------------------------------------------------------------


def notice_text(promise: Promise, change: PromiseChange) -> str:
    """What the applicant is told about a promise after a change (no internal notes on refusal
    reasons beyond what the staff wrote for the applicant)."""
    appeal = promise.appeal
    head = f"По обращению № {appeal.number} от {timezone.localtime(appeal.registered_at):%d.%m.%Y}"
    what = f"«{promise.sentence}»"
    status = change.new_status
    if status == PromiseStatus.GIVEN:
        body = f"{head} дано обещание: {what}. Срок — {promise.due_date:%d.%m.%Y}."
    elif status == PromiseStatus.IN_PROGRESS:
        body = f"{head} начато выполнение обещания {what}. Срок — {promise.due_date:%d.%m.%Y}."
    elif status == PromiseStatus.MOVED:
        old = f" вместо {change.old_due_date:%d.%m.%Y}" if change.old_due_date else ""
        body = f"{head} срок выполнения обещания {what} перенесён на {promise.due_date:%d.%m.%Y}{old}."
    elif status == PromiseStatus.KEPT:
        body = f"{head} обещание {what} выполнено."
    elif status == PromiseStatus.BROKEN:
        body = f"{head} обещание {what} не выполнено в срок {promise.due_date:%d.%m.%Y}."
    else:
        body = f"{head} обещание {what} отменено."
    if change.note and status != PromiseStatus.GIVEN:
        body += f" {change.note.rstrip('.')}."
    if promise.responsible:
        body += f" Ответственный: {promise.responsible}."
    return body


def applicant_notices_for(
    promise: Promise, *, change: PromiseChange | None = None, actor: User | None = None
) -> list[ApplicantNotice]:
    """Prepare, for every applicant who signed the appeal, the notice about the promise's latest
    change (once per change and applicant) and hand it to delivery, by the applicant's channel.

    The promise as first given needs no notice of its own: the answer letter carries it. A notice
    that cannot be sent (no address for any channel) stays «подготовлено» for staff to see."""
    change = change or promise.changes.order_by("-at", "-pk").first()
    if change is None:
        return []
    text = notice_text(promise, change)
    now = clock.now()
    first_given = not change.old_status
    notices = []
    for signatory in promise.appeal.signatories.select_related("applicant"):
        notice, created = ApplicantNotice.objects.get_or_create(
            change=change,
            applicant=signatory.applicant,
            defaults={
                "promise": promise,
                "appeal": promise.appeal,
                "text": text,
                "created_at": now,
                "status": NoticeStatus.CANCELLED if first_given else NoticeStatus.PREPARED,
            },
        )
        if created and not first_given:
            _send_notice(notice, actor)
        notices.append(notice)
    return notices


def _send_notice(notice: ApplicantNotice, actor: User | None) -> bool:
    from delivery.services import outbox_enqueue

    appeal = notice.appeal
    try:
        with transaction.atomic():
            outbox_enqueue(
                appeal=appeal,
                applicant=notice.applicant,
                kind="promise",
                subject=f"Об исполнении обещания по обращению № {appeal.number}",
                text=notice.text,
                actor=actor if actor is not None and actor.is_authenticated else None,
                reference=f"promise-notice:{notice.pk}",
            )
    except ValidationError:
        return False
    notice.status, notice.sent_at = NoticeStatus.SENT, clock.now()
    notice.save(update_fields=["status", "sent_at"])
    return True


# --- reminders and escalation --------------------------------------------------------------


def _heads(question: Question) -> list[User]:
    head = answering_head(question.department)
    return [head] if head is not None else []


def reminders_send(*, today: dt.date | None = None) -> int:
    """Remind the executor before a promise falls due; escalate to the head and controllers once
    it is overdue. Every message has its own key, so running twice sends nothing new."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=max(REMIND_DAYS_BEFORE))
    controllers: list[User] | None = None
    sent = 0
    open_promises = (
        Promise.objects.filter(status__in=sorted(OPEN_STATUSES), due_date__lte=horizon)
        .select_related("appeal", "question__executor__user", "question__department__head")
        .select_related("question__department__parent__head")
    )
    for promise in open_promises.iterator(chunk_size=1000):
        question = promise.question
        executor = [question.executor.user] if question.executor_id else []  # type: ignore[union-attr]
        url = f"{promise.appeal.get_absolute_url()}#promise-{promise.pk}"
        days_left = (promise.due_date - today).days
        if days_left < 0:
            if controllers is None:
                controllers = list(
                    User.objects.filter(is_active=True, staff__roles__code=RoleCode.CONTROLLER).distinct()
                )
            sent += notify(
                [*executor, *_heads(question), *controllers],
                key=f"promise:{promise.pk}:overdue:{promise.due_date.isoformat()}",
                title=f"Обещание просрочено: {promise.appeal.number}",
                body=f"Срок {promise.due_date:%d.%m.%Y} прошёл: «{promise.sentence[:200]}». "
                "Отметьте выполнение, перенос или причину.",
                url=url,
            )
            continue
        for before in sorted(REMIND_DAYS_BEFORE):
            if days_left <= before:
                sent += notify(
                    executor or _heads(question),
                    key=f"promise:{promise.pk}:remind{before}:{promise.due_date.isoformat()}",
                    title=f"Срок обещания {promise.due_date:%d.%m.%Y}: {promise.appeal.number}",
                    body=f"«{promise.sentence[:200]}». Осталось дней: {days_left}.",
                    url=url,
                )
                break
    return sent
