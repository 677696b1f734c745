"""Every write to appeals and questions: registration, routing, answers, closing, history."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone

from appeals import rules
from appeals.choices import (
    CHANNEL_FORM,
    FINAL_OUTCOMES,
    AppealStatus,
    Channel,
    Character,
    EventKind,
    Kind,
    Outcome,
    QuestionStatus,
    QuestionType,
)
from appeals.models import Appeal, AppealApplicant, AppealEvent, Attachment, Question
from appeals.numbering import next_numbers
from appeals.pipeline import after_registration
from appeals.selectors import appeals_by_external
from classification.models import ClassifierEntry
from core import clock
from core.bulk import insert_rows
from core.calendar import current_calendar
from core.files import removed_on_error
from core.text import fold, shorten
from org.models import Body, Department, StaffMember
from org.selectors import actor_for
from people.models import Applicant
from workflow import services as workflow_services
from workflow.choices import StageCode
from workflow.deadlines import Shift, legal_due_date


class AlreadyRegistered(ValidationError):
    """The item with this external id was registered before; `appeal` is that registration."""

    def __init__(self, appeal: Appeal) -> None:
        super().__init__(f"Уже зарегистрировано под № {appeal.number}.")
        self.appeal = appeal


@dataclass(frozen=True)
class QuestionDraft:
    """A question as the registering operator (or a channel) describes it."""

    text: str
    qtype: str = QuestionType.STATEMENT
    classifier: ClassifierEntry | None = None
    department: Department | None = None
    executor: StaffMember | None = None


def record_event(
    appeal: Appeal,
    kind: str,
    actor: User | None,
    *,
    question: Question | None = None,
    field: str = "",
    old: Any = "",
    new: Any = "",
    note: str = "",
) -> AppealEvent:
    """One entry of the appeal's history (used by every app that changes an appeal)."""
    return AppealEvent.objects.create(
        appeal=appeal,
        at=clock.now(),
        question=question,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        note=note,
    )


def _display(instance: models.Model, field_name: str) -> str:
    """A field's value as a person reads it: choice labels and related objects' names."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field_name)
    if value is None or value == "":
        return "—"
    if getattr(field, "choices", None):
        return str(getattr(instance, f"get_{field_name}_display")())
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def apply_changes(
    instance: models.Model,
    changes: dict[str, Any],
    *,
    appeal: Appeal,
    actor: User | None,
    question: Question | None = None,
    kind: str = EventKind.CHANGED,
    note: str = "",
) -> list[str]:
    """Set the fields that really change, record each in the timeline, return their names."""
    changed: list[str] = []
    for name, value in changes.items():
        if getattr(instance, name) == value:
            continue
        old = _display(instance, name)
        setattr(instance, name, value)
        field = instance._meta.get_field(name)
        record_event(
            appeal,
            kind,
            actor,
            question=question,
            field=str(getattr(field, "verbose_name", name)),
            old=old,
            new=_display(instance, name),
            note=note,
        )
        changed.append(name)
    if changed:
        # Validate only what changed: choices and lengths of plain fields. Related objects
        # arrive as instances the caller already holds, so no lookup query is needed.
        plain = [n for n in changed if not instance._meta.get_field(n).is_relation]
        others = [f.name for f in instance._meta.fields if f.name not in plain]
        instance.clean_fields(exclude=others)
        update = list(changed)  # update_fields accepts field names, foreign keys included
        if any(f.name == "updated_at" for f in instance._meta.fields):
            update.append("updated_at")
        instance.save(update_fields=update)
    return changed


def refresh_search_document(appeal: Appeal) -> None:
    """Rebuild the folded text used by the registry's search."""
    names = [a.search_name for a in appeal.applicants.all()]
    document = fold(" ".join([appeal.number, appeal.summary, appeal.text, *names]))
    Appeal.objects.filter(pk=appeal.pk).update(search_document=document)
    appeal.search_document = document


def appeal_signatories_changed(*, appeal: Appeal, actor: User | None, note: str) -> None:
    """The cards behind an appeal's signatures changed (merged or separated): search, character, history."""
    refresh_search_document(appeal)
    repeated = appeal.character in (Character.REPEATED, Character.COLLECTIVE_REPEATED)
    character = character_of(appeal.signatories.count(), repeated)
    if character != appeal.character:
        old = appeal.get_character_display()
        Appeal.objects.filter(pk=appeal.pk).update(character=character)
        appeal.character = character
        record_event(appeal, EventKind.CHANGED, actor, field="Характер", old=old, new=appeal.get_character_display())
    record_event(appeal, EventKind.CHANGED, actor, field="Заявители", note=note)


def character_of(applicant_count: int, repeated: bool) -> str:
    """Individual or collective, repeated or not (DOMAIN.md: the character of an appeal)."""
    if applicant_count > 1:
        return Character.COLLECTIVE_REPEATED if repeated else Character.COLLECTIVE
    return Character.REPEATED if repeated else Character.INDIVIDUAL


def _check_attachments(files: Sequence[UploadedFile]) -> None:
    limit = settings.OTKLIK_MAX_ATTACHMENT_MB * 1024 * 1024
    if len(files) > settings.OTKLIK_MAX_ATTACHMENTS:
        raise ValidationError(f"Не более {settings.OTKLIK_MAX_ATTACHMENTS} вложений к одному обращению.")
    for f in files:
        if f.size is None or f.size > limit:
            raise ValidationError(
                f"Файл «{f.name}» больше {settings.OTKLIK_MAX_ATTACHMENT_MB} МБ и не может быть принят."
            )
        if f.size == 0:
            raise ValidationError(f"Файл «{f.name}» пустой.")


def _store_attachment(appeal: Appeal, upload: UploadedFile, actor: User | None, written: list[str]) -> Attachment:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").rsplit("/", 1)[-1][:255]
    attachment = Attachment(
        appeal=appeal,
        original_name=name,
        content_type=(upload.content_type or "")[:100],
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    attachment.file.save(name, upload, save=False)
    written.append(str(attachment.file.name))
    attachment.save()
    return attachment


@dataclass(frozen=True)
class AppealDraft:
    """One item to register, as a channel or an operator describes it (see `appeals_register`)."""

    body: Body
    channel: str
    text: str
    applicants: Sequence[Applicant] = ()
    received_at: dt.datetime | None = None
    kind: str = Kind.APPEAL
    form: str | None = None
    addressee: str = ""
    summary: str = ""
    questions: Sequence[QuestionDraft] = ()
    attachments: Sequence[UploadedFile] = ()
    previous_appeal: Appeal | None = None
    external_source: str = ""
    external_id: str = ""
    registered_at: dt.datetime | None = None


def appeal_register(
    *,
    body: Body,
    actor: User | None,
    channel: str,
    text: str,
    applicants: Sequence[Applicant],
    received_at: dt.datetime | None = None,
    kind: str = Kind.APPEAL,
    form: str | None = None,
    addressee: str = "",
    summary: str = "",
    questions: Sequence[QuestionDraft] = (),
    attachments: Sequence[UploadedFile] = (),
    previous_appeal: Appeal | None = None,
    external_source: str = "",
    external_id: str = "",
    registered_at: dt.datetime | None = None,
) -> Appeal:
    """Register an item: number, legal deadline, applicants, questions, attachments, history.

    The batch registration with one element: every rule lives in `appeals_register`."""
    draft = AppealDraft(
        body=body,
        channel=channel,
        text=text,
        applicants=applicants,
        received_at=received_at,
        kind=kind,
        form=form,
        addressee=addressee,
        summary=summary,
        questions=questions,
        attachments=attachments,
        previous_appeal=previous_appeal,
        external_source=external_source,
        external_id=external_id,
        registered_at=registered_at,
    )
    outcome = appeals_register([draft], actor=actor)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def appeals_register(drafts: Sequence[AppealDraft], *, actor: User | None) -> list[Appeal | Exception]:
    """Register many items together; the outcome of each, in order, is its appeal or its error.

    Every draft is validated first; the valid ones are numbered, inserted in bulk and passed
    through the registration steps together (`appeals.pipeline`), in one savepoint. When
    anything in that fails, each valid draft is registered again on its own, in its own
    savepoint, so one bad item never costs the others their registration. A draft that fails
    leaves nothing behind: no number is used up, no row or file is kept.
    """
    outcomes: list[Appeal | Exception | None] = [None] * len(drafts)
    now = clock.now()
    checked: list[tuple[int, AppealDraft, dt.datetime]] = []
    existing = appeals_by_external((d.external_source, d.external_id) for d in drafts)
    seen: set[tuple[str, str]] = set()
    for index, draft in enumerate(drafts):
        try:
            key = (draft.external_source, draft.external_id)
            if draft.external_id and key in existing:
                raise AlreadyRegistered(existing[key])
            if draft.external_id and key in seen:
                raise ValidationError("Это внешнее обращение уже есть в той же пачке регистрации.")
            checked.append((index, draft, _validate(draft, now)))
            seen.add(key)
        except ValidationError as exc:
            outcomes[index] = exc
    if len(checked) == 1 or not checked:
        for index, draft, registered_at in checked:
            outcomes[index] = _register_isolated([(draft, registered_at)], actor)[0]
    else:
        together = _register_isolated([(d, r) for _, d, r in checked], actor)
        if all(isinstance(o, Appeal) for o in together):
            for (index, _, _), outcome in zip(checked, together, strict=True):
                outcomes[index] = outcome
        else:
            for index, draft, registered_at in checked:
                outcomes[index] = _register_isolated([(draft, registered_at)], actor)[0]
    return [o if o is not None else RuntimeError("not registered") for o in outcomes]


def _register_isolated(
    batch: Sequence[tuple[AppealDraft, dt.datetime]], actor: User | None
) -> list[Appeal | Exception]:
    """All of `batch` in one savepoint, or (on any error) none of it: the error for each."""
    written: list[str] = []
    try:
        with removed_on_error(written), transaction.atomic():
            return list(_register_batch(batch, actor, written))
    except Exception as exc:  # the caller decides: retry one by one, or report this item's error
        return [exc] * len(batch)


def _validate(draft: AppealDraft, now: dt.datetime) -> dt.datetime:
    """Check a draft without writing anything; return its registration moment."""
    if not draft.text.strip():
        raise ValidationError("Текст обращения не может быть пустым.")
    if bool(draft.external_source) != bool(draft.external_id):
        raise ValidationError("Внешняя система и номер в ней указываются вместе.")
    _check_attachments(draft.attachments)
    registered_at = draft.registered_at or now
    if (draft.received_at or registered_at) > registered_at:
        raise ValidationError("Дата поступления не может быть позже даты регистрации.")
    for position, question in enumerate(draft.questions, start=1):
        if not question.text.strip():
            raise ValidationError(f"Вопрос {position}: текст не может быть пустым.")
    return registered_at


def _register_batch(
    batch: Sequence[tuple[AppealDraft, dt.datetime]], actor: User | None, written: list[str]
) -> list[Appeal]:
    """Insert the validated drafts with their numbers, signatories, questions and history,
    then run the registration steps over all of them. Runs inside one savepoint."""
    registered_by = actor if actor is not None and actor.is_authenticated else None
    calendar = current_calendar()
    numbers = next_numbers(
        [(draft.body, draft.kind, timezone.localtime(registered_at).year) for draft, registered_at in batch]
    )
    appeals: list[Appeal] = []
    signatories: list[list[Applicant]] = []
    for (draft, registered_at), (number, seq) in zip(batch, numbers, strict=True):
        text = draft.text.strip()
        local_registered = timezone.localtime(registered_at)
        unique_applicants = list(dict.fromkeys(draft.applicants))
        appeal = Appeal(
            body=draft.body,
            number=number,
            number_year=local_registered.year,
            number_seq=seq,
            received_at=draft.received_at or registered_at,
            registered_at=registered_at,
            registered_by=registered_by,
            channel=draft.channel,
            kind=draft.kind,
            form=draft.form or CHANNEL_FORM[Channel(draft.channel)],
            character=character_of(len(unique_applicants), draft.previous_appeal is not None),
            addressee=draft.addressee.strip(),
            summary=(draft.summary.strip() or shorten(text, 200)),
            text=text,
            due_date=legal_due_date(
                local_registered.date(),
                draft.kind,
                calendar,
                message_days=settings.OTKLIK_MESSAGE_DAYS,
                shift=Shift(settings.OTKLIK_DEADLINE_SHIFT),
            ),
            previous_appeal=draft.previous_appeal,
            external_source=draft.external_source,
            external_id=draft.external_id,
            status=AppealStatus.REGISTERED,
        )
        # The related objects are instances the caller holds: no lookup query per foreign key.
        appeal.full_clean(
            exclude=["number_year", "number_seq", "body", "registered_by", "previous_appeal"],
            validate_constraints=False,
        )
        appeal.search_document = _search_document(appeal, unique_applicants)
        appeals.append(appeal)
        signatories.append(unique_applicants)
    Appeal.objects.bulk_create(appeals)
    insert_rows(
        AppealApplicant,
        [
            AppealApplicant(appeal=appeal, applicant=a, is_primary=i == 0, position=i)
            for appeal, applicants in zip(appeals, signatories, strict=True)
            for i, a in enumerate(applicants)
        ],
    )
    questions = [
        _question_new(appeal=appeal, draft=question, position=position)
        for appeal, (draft, _) in zip(appeals, batch, strict=True)
        for position, question in enumerate(list(draft.questions) or [QuestionDraft(text=appeal.text)], start=1)
    ]
    Question.objects.bulk_create(questions)
    for appeal, (draft, _) in zip(appeals, batch, strict=True):
        for upload in draft.attachments:
            _store_attachment(appeal, upload, actor, written)
    at = clock.now()
    insert_rows(
        AppealEvent,
        [
            AppealEvent(
                appeal=appeal,
                at=at,
                actor=registered_by,
                kind=EventKind.REGISTERED,
                note=f"Зарегистрировано под № {appeal.number}",
            )
            for appeal in appeals
        ],
    )
    after_registration(appeals=appeals, actor=actor)
    sync_appeals_status(appeals, actor)
    return appeals


def _search_document(appeal: Appeal, applicants: Sequence[Applicant]) -> str:
    names = [a.search_name for a in applicants]
    return fold(" ".join([appeal.number, appeal.summary, appeal.text, *names]))


def _question_new(*, appeal: Appeal, draft: QuestionDraft, position: int) -> Question:
    """A validated, unsaved question of `appeal` (the caller saves it, alone or in bulk)."""
    text = draft.text.strip()
    if not text:
        raise ValidationError(f"Вопрос {position}: текст не может быть пустым.")
    department = draft.department or (draft.executor.department if draft.executor else None)
    question = Question(
        appeal=appeal,
        position=position,
        text=text,
        qtype=draft.qtype,
        classifier=draft.classifier,
        department=department,
        executor=draft.executor,
        status=QuestionStatus.ASSIGNED if draft.executor else QuestionStatus.NEW,
        due_date=appeal.due_date,
    )
    # Related objects arrive as instances (or are the appeal being saved): no lookups.
    question.full_clean(exclude=["appeal", "classifier", "department", "executor"], validate_constraints=False)
    return question


def _question_create(*, appeal: Appeal, draft: QuestionDraft, position: int) -> Question:
    question = _question_new(appeal=appeal, draft=draft, position=position)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_add(*, appeal: Appeal, actor: User, draft: QuestionDraft) -> Question:
    """Add one more question to an open appeal."""
    if not rules.can_edit_appeal(actor_for(actor), appeal):
        raise PermissionDenied("Добавлять вопросы может оператор или администратор.")
    position = (appeal.questions.aggregate(m=models.Max("position"))["m"] or 0) + 1
    question = _question_create(appeal=appeal, draft=draft, position=position)
    record_event(appeal, EventKind.QUESTION_ADDED, actor, question=question, note=shorten(question.text, 200))
    workflow_services.plan_question(question=question)
    sync_appeal_status(appeal, actor)
    return question


@transaction.atomic
def appeal_update(*, appeal: Appeal, actor: User, **changes: Any) -> list[str]:
    """Correct registration data; every changed field goes to the timeline."""
    allowed = {"kind", "form", "channel", "addressee", "summary", "text", "previous_appeal"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"fields cannot be changed here: {', '.join(sorted(unknown))}")
    if not rules.can_edit_appeal(actor_for(actor), appeal):
        raise PermissionDenied("Изменять регистрационные данные может оператор или администратор.")
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    changed = apply_changes(appeal, changes, appeal=appeal, actor=actor)
    if "previous_appeal" in changed:
        apply_changes(
            appeal,
            {"character": character_of(appeal.signatories.count(), appeal.previous_appeal_id is not None)},
            appeal=appeal,
            actor=actor,
        )
    if changed:
        refresh_search_document(appeal)
    return changed


@transaction.atomic
def question_update(*, question: Question, actor: User, **changes: Any) -> list[str]:
    """Correct a question's text, type or classifier code."""
    allowed = {"text", "qtype", "classifier"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"fields cannot be changed here: {', '.join(sorted(unknown))}")
    actor_info = actor_for(actor)
    if not (rules.can_edit_appeal(actor_info, question.appeal) or rules.can_assign(actor_info, question)):
        raise PermissionDenied("Недостаточно прав для изменения вопроса.")
    return apply_changes(question, changes, appeal=question.appeal, actor=actor, question=question)


@transaction.atomic
def question_assign(
    *,
    question: Question,
    actor: User,
    department: Department | None,
    executor: StaffMember | None,
    due_date: dt.date | None = None,
    note: str = "",
) -> list[str]:
    """Route a question to a unit and/or an executor (a head's resolution)."""
    question = Question.objects.select_for_update().select_related("appeal").get(pk=question.pk)
    if not rules.can_assign(actor_for(actor), question):
        raise PermissionDenied("Недостаточно прав для назначения исполнителя.")
    if executor is not None and not executor.user.is_active:
        raise ValidationError("Исполнитель отключён.")
    if department is None and executor is not None:
        department = executor.department
    if due_date is not None and due_date > question.appeal.due_date:
        raise ValidationError("Срок вопроса не может быть позже срока рассмотрения обращения.")
    changes: dict[str, Any] = {"department": department, "executor": executor}
    if due_date is not None:
        changes["due_date"] = due_date
    changes["status"] = QuestionStatus.ASSIGNED if executor else QuestionStatus.NEW
    changed = apply_changes(
        question, changes, appeal=question.appeal, actor=actor, question=question, kind=EventKind.ASSIGNED, note=note
    )
    if executor is not None:
        workflow_services.stages_progress(question=question, milestone=StageCode.RESOLUTION)
    sync_appeal_status(question.appeal, actor)
    return changed


@transaction.atomic
def question_route_automatically(
    *,
    question: Question,
    department: Department | None,
    executor: StaffMember | None,
    reason: str,
) -> list[str]:
    """Routing decided by the system (a routing rule, learned routing): no person acts, the history says why."""
    question = Question.objects.select_for_update().select_related("appeal").get(pk=question.pk)
    if question.status == QuestionStatus.DONE:
        return []
    if department is None and executor is not None:
        department = executor.department
    changes: dict[str, Any] = {
        "department": department,
        "executor": executor,
        "status": QuestionStatus.ASSIGNED if executor else QuestionStatus.NEW,
    }
    changed = apply_changes(
        question, changes, appeal=question.appeal, actor=None, question=question, kind=EventKind.ASSIGNED, note=reason
    )
    if executor is not None:
        workflow_services.stages_progress(question=question, milestone=StageCode.RESOLUTION)
    sync_appeal_status(question.appeal, None)
    return changed


@transaction.atomic
def question_submit_answer(
    *, question: Question, actor: User, answer: str, outcome: str, measures_taken: bool = False
) -> None:
    """The executor's draft answer with the proposed outcome goes for the head's approval."""
    question = Question.objects.select_for_update().select_related("appeal").get(pk=question.pk)
    if not rules.can_answer(actor_for(actor), question):
        raise PermissionDenied("Ответ готовит исполнитель вопроса.")
    answer = answer.strip()
    if not answer and outcome != Outcome.LEFT_WITHOUT_ANSWER:
        raise ValidationError("Напишите текст ответа.")
    if outcome not in FINAL_OUTCOMES:
        raise ValidationError("Выберите итог рассмотрения вопроса.")
    if measures_taken and outcome != Outcome.SUPPORTED:
        raise ValidationError("Отметка «меры приняты» ставится только к поддержанному вопросу.")
    apply_changes(
        question,
        {"answer": answer, "outcome": outcome, "measures_taken": measures_taken, "status": QuestionStatus.ON_APPROVAL},
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.ANSWER_SUBMITTED,
    )
    workflow_services.stages_progress(question=question, milestone=StageCode.DRAFT)


@transaction.atomic
def question_approve(*, question: Question, actor: User, note: str = "") -> None:
    """The head approves the answer: the question is considered."""
    question = Question.objects.select_for_update().select_related("appeal").get(pk=question.pk)
    if not rules.can_approve(actor_for(actor), question):
        raise PermissionDenied("Утверждает ответ руководитель подразделения.")
    apply_changes(
        question,
        {"status": QuestionStatus.DONE, "answered_at": clock.now()},
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.APPROVED,
        note=note,
    )
    workflow_services.stages_progress(question=question, milestone=StageCode.SIGNING)
    # The answer's confirmed promises count as given from this moment (promises/services.py).
    from promises.services import promises_record_given

    promises_record_given(question=question, actor=actor)
    sync_appeal_status(question.appeal, actor)


@transaction.atomic
def question_return(*, question: Question, actor: User, note: str) -> None:
    """The head returns the draft to the executor with a reason."""
    question = Question.objects.select_for_update().select_related("appeal").get(pk=question.pk)
    if not rules.can_approve(actor_for(actor), question):
        raise PermissionDenied("Вернуть ответ может руководитель подразделения.")
    if not note.strip():
        raise ValidationError("Укажите, что нужно доработать.")
    apply_changes(
        question,
        {"status": QuestionStatus.ASSIGNED, "outcome": Outcome.ON_CONSIDERATION},
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.RETURNED,
        note=note.strip(),
    )
    workflow_services.stages_reopen(question=question, code=StageCode.DRAFT)


@transaction.atomic
def appeal_close(*, appeal: Appeal, actor: User, note: str = "") -> None:
    """Take an appeal off control; only when every question is considered, or it is not an appeal."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if not rules.can_close(actor_for(actor), appeal):
        raise PermissionDenied("Снять с контроля может контролёр или администратор.")
    open_questions = list(appeal.questions.exclude(status=QuestionStatus.DONE))
    if open_questions and appeal.kind != Kind.NOT_APPEAL:
        raise ValidationError("Не все вопросы рассмотрены.")
    for question in open_questions:
        # A non-appeal is closed without a reply (DOMAIN.md section 1); its questions say so.
        apply_changes(
            question,
            {"status": QuestionStatus.DONE, "outcome": Outcome.LEFT_WITHOUT_ANSWER, "answered_at": clock.now()},
            appeal=appeal,
            actor=actor,
            question=question,
            kind=EventKind.CLOSED,
            note="Не обращение: закрыто без ответа",
        )
    apply_changes(
        appeal,
        {"status": AppealStatus.CLOSED, "closed_at": clock.now()},
        appeal=appeal,
        actor=actor,
        kind=EventKind.CLOSED,
        note=note,
    )
    workflow_services.closed_appeal_stages(appeal)


@transaction.atomic
def appeal_comment(*, appeal: Appeal, actor: User, text: str) -> AppealEvent:
    if not rules.can_comment(actor_for(actor), appeal):
        raise PermissionDenied("Недостаточно прав.")
    text = text.strip()
    if not text:
        raise ValidationError("Комментарий пуст.")
    return record_event(appeal, EventKind.COMMENT, actor, note=text[:5000])


@transaction.atomic
def attachments_add(*, appeal: Appeal, actor: User, files: Sequence[UploadedFile]) -> list[Attachment]:
    """Attach files to an open appeal."""
    if not rules.can_edit_appeal(actor_for(actor), appeal):
        raise PermissionDenied("Добавлять вложения может оператор или администратор.")
    if appeal.attachments.count() + len(files) > settings.OTKLIK_MAX_ATTACHMENTS:
        raise ValidationError(f"Не более {settings.OTKLIK_MAX_ATTACHMENTS} вложений к одному обращению.")
    _check_attachments(files)
    written: list[str] = []
    with removed_on_error(written):
        stored = [_store_attachment(appeal, f, actor, written) for f in files]
    for a in stored:
        record_event(appeal, EventKind.ATTACHMENT, actor, note=a.original_name)
    return stored


def sync_appeal_status(appeal: Appeal, actor: User | None) -> None:
    """The appeal's status follows its questions until it is taken off control."""
    sync_appeals_status([appeal], actor)


def sync_appeals_status(appeals: Sequence[Appeal], actor: User | None) -> None:
    """`sync_appeal_status` for many appeals, reading their questions' statuses in one query."""
    open_appeals = [a for a in appeals if a.status != AppealStatus.CLOSED]
    if not open_appeals:
        return
    statuses: dict[int, list[str]] = {a.pk: [] for a in open_appeals}
    rows: Iterable[tuple[int, str]] = Question.objects.filter(appeal__in=open_appeals).values_list(
        "appeal_id", "status"
    )
    for appeal_id, status in rows:
        statuses[appeal_id].append(status)
    for appeal in open_appeals:
        target = _status_of(statuses[appeal.pk])
        if appeal.status != target:
            apply_changes(appeal, {"status": target}, appeal=appeal, actor=actor)


def _status_of(statuses: Sequence[str]) -> str:
    if statuses and all(s == QuestionStatus.DONE for s in statuses):
        return AppealStatus.ANSWERED
    if any(s != QuestionStatus.NEW for s in statuses):
        return AppealStatus.IN_WORK
    return AppealStatus.REGISTERED
