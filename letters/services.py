"""Every write to letters: drafting from a template, editing, registering with a number, cancelling.

The executor drafts each question's paragraph through `appeals.services.question_submit_answer`;
the head approves it (`question_approve` closes approval and signing in the workflow). A letter
assembles those paragraphs with the wording of its template; a final letter can be registered
only when every question is approved, and registering it closes the dispatch stage.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from appeals.choices import EventKind, Outcome, QuestionStatus
from appeals.models import Appeal, AppealEvent, Question
from core import clock
from core.files import removed_on_error
from letters import rules
from letters.choices import FINAL_SITUATIONS, LetterStatus, Situation
from letters.context import build_context, letterhead_of, postal_address, sample_context, settings_for, signer_of
from letters.models import Letter, LetterCounter, LetterSettings, LetterTemplate
from letters.names import applicant_name
from letters.rendering import (
    LetterDocument,
    check_template,
    chunk_size,
    iter_pdf_chunks,
    paragraphs_of,
    render_string,
    to_docx,
    to_html,
    to_pdf,
    to_text,
)
from letters.selection import choose_variant, groups_for, topic_of
from org.models import Body
from org.selectors import actor_for
from people.models import Applicant
from workflow import services as workflow_services
from workflow.choices import StageCode


def _event(appeal: Appeal, actor: User | None, note: str, *, old: str = "", new: str = "") -> None:
    """A line in the appeal's history; a change of the letter's state shows as «было → стало»."""
    AppealEvent.objects.create(
        appeal=appeal,
        at=clock.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=EventKind.CHANGED,
        field="исходящее письмо" if (old or new) else "",
        old_value=old,
        new_value=new,
        note=note,
    )


# --- answer composition ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionPart:
    question: Question
    paragraph: str
    approved: bool


@dataclass(frozen=True)
class Composition:
    """The appeal's answer as its questions' paragraphs, with what still stops it."""

    parts: list[QuestionPart]
    warnings: list[str]

    @property
    def complete(self) -> bool:
        return not self.warnings


def answer_composition(appeal: Appeal) -> Composition:
    """Every question's paragraph in order; a warning for each question without one or not approved."""
    parts: list[QuestionPart] = []
    warnings: list[str] = []
    for q in appeal.questions.select_related("classifier", "executor__user").order_by("position"):
        paragraph = q.answer.strip()
        approved = q.status == QuestionStatus.DONE
        parts.append(QuestionPart(question=q, paragraph=paragraph, approved=approved))
        if not paragraph and q.outcome != Outcome.LEFT_WITHOUT_ANSWER:
            warnings.append(f"Вопрос {q.position}: нет абзаца ответа.")
        elif not approved:
            warnings.append(f"Вопрос {q.position}: ответ ещё не утверждён ({q.get_status_display().lower()}).")
    return Composition(parts=parts, warnings=warnings)


# --- numbering -------------------------------------------------------------------------------


def validate_number_pattern(pattern: str) -> None:
    if "{seq" not in pattern:
        raise ValidationError("Шаблон номера должен содержать {seq} — порядковый номер.")
    try:
        pattern.format(year=2026, seq=1, body="code")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(f"Шаблон номера не разбирается: {exc}") from None


def next_letter_number(*, body: Body, year: int) -> tuple[str, int]:
    """The next outgoing number of the body in the year; call inside the registering transaction."""
    return next_letter_numbers(body=body, year=year, count=1)[0]


def next_letter_numbers(
    *, body: Body, year: int, count: int, settings: LetterSettings | None = None
) -> list[tuple[str, int]]:
    """The next `count` outgoing numbers of the body in the year, taken at once (the counter row
    stays locked until the registering transaction ends)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_letter_numbers() must run inside a transaction")
    LetterCounter.objects.bulk_create([LetterCounter(body=body, year=year)], ignore_conflicts=True)
    counter = LetterCounter.objects.select_for_update(of=("self",)).get(body=body, year=year)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    pattern = (settings or settings_for(body)).number_pattern
    return [(pattern.format(year=year, seq=seq, body=body.code), seq) for seq in range(first, first + count)]


# --- templates -------------------------------------------------------------------------------


def template_validate(*, subject: str, body: str) -> None:
    """An administrator's wording must render against a full sample context with known names only."""
    if not body.strip():
        raise ValidationError("Текст шаблона пуст.")
    context = sample_context()
    check_template(subject, context)
    rendered = check_template(body, context)
    if not rendered.strip():
        raise ValidationError("Шаблон даёт пустое письмо.")


# --- letters ---------------------------------------------------------------------------------


def _primary_applicant(appeal: Appeal) -> Applicant | None:
    row = appeal.signatories.select_related("applicant").order_by("-is_primary", "position", "pk").first()
    return row.applicant if row is not None else None


def suggested_groups(appeal: Appeal, situation: str) -> list[Any]:
    questions = list(appeal.questions.select_related("classifier").order_by("position"))
    codes = [q.classifier.code for q in questions if q.classifier_id and q.classifier]
    outcomes = [q.outcome for q in questions]
    return groups_for(situation, codes=codes, outcomes=outcomes)


def _fallback_text(situation: str) -> str:
    """Used only when no group of the situation exists: the essentials, nothing invented."""
    lines = ["{{ applicant.greeting }}", ""]
    if situation == Situation.ANSWER:
        lines.append("Ваше обращение от {{ appeal.date }} № {{ appeal.number }} рассмотрено.")
        lines.append("")
        lines.append("{% for q in questions %}{{ q.answer }}\n\n{% endfor %}")
    else:
        lines.append(
            f"Сообщаем по Вашему обращению от {{{{ appeal.date }}}} № {{{{ appeal.number }}}}: {Situation(situation).label.lower()}."
        )
    return "\n".join(lines)


@transaction.atomic
def letter_prepare(
    *,
    appeal: Appeal,
    actor: User,
    situation: str,
    template: LetterTemplate | None = None,
    applicant: Applicant | None = None,
    extra: dict[str, Any] | None = None,
) -> Letter:
    """A draft letter: the suggested group and rotated wording unless a template is given."""
    if situation not in Situation.values:
        raise ValidationError("Неизвестный вид письма.")
    if not rules.can_prepare(actor_for(actor), appeal):
        raise PermissionDenied("Готовить письма может исполнитель, руководитель или отдел обращений.")
    if applicant is None:
        applicant = _primary_applicant(appeal)
    elif not appeal.signatories.filter(applicant=applicant).exists():
        raise ValidationError("Адресат должен быть заявителем этого обращения.")
    if situation == Situation.FORWARDING and not (extra or {}).get("forwarded_to"):
        raise ValidationError("Укажите, куда направлено обращение.")
    if situation == Situation.EXTENSION and not (extra or {}).get("new_due_date"):
        raise ValidationError("Укажите новый срок рассмотрения.")
    codes = list(
        appeal.questions.exclude(classifier=None).order_by("position").values_list("classifier__code", flat=True)
    )
    topic = topic_of(codes)
    group = None
    if template is not None:
        if template.group.situation != situation:
            raise ValidationError("Шаблон относится к другому виду письма.")
        group = template.group
    else:
        groups = suggested_groups(appeal, situation)
        if groups:
            group = groups[0]
            template = choose_variant(group, applicant=applicant, topic=topic)
    context = build_context(appeal=appeal, applicant=applicant, extra=extra)
    subject_source = template.subject if template else f"{Situation(situation).label} (№ {{{{ appeal.number }}}})"
    body_source = template.body if template else _fallback_text(situation)
    subject = render_string(subject_source, context).strip()[:300]
    text = render_string(body_source, context).strip()
    if not text:
        raise ValidationError("Шаблон дал пустое письмо: проверьте его в настройке шаблонов.")
    letter = Letter.objects.create(
        body=appeal.body,
        appeal=appeal,
        applicant=applicant,
        situation=situation,
        group=group,
        template=template,
        topic=topic,
        subject=subject or Situation(situation).label,
        text=text,
        extra={k: str(v) for k, v in (extra or {}).items()},
        created_by=actor,
    )
    _event(appeal, actor, f"Подготовлен проект письма: {letter.get_situation_display().lower()}")
    return letter


@transaction.atomic
def letter_edit(*, letter: Letter, actor: User, subject: str, text: str) -> Letter:
    """Correct a draft's subject and text by hand."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("appeal").get(pk=letter.pk)
    if not rules.can_edit(actor_for(actor), letter):
        raise PermissionDenied("Изменить можно только проект письма.")
    subject, text = subject.strip(), text.strip()
    if not subject or not text:
        raise ValidationError("Тема и текст письма не могут быть пустыми.")
    letter.subject, letter.text = subject[:300], text
    letter.save(update_fields=["subject", "text", "updated_at"])
    return letter


def document_for(letter: Letter, settings: LetterSettings | None = None) -> LetterDocument:
    """The letter laid out with the body's letterhead and signature block."""
    body = letter.body
    settings = settings or settings_for(body)
    signer = signer_of(body, settings)
    name = applicant_name(letter.applicant)
    addressee = [name.to]
    address = postal_address(letter.applicant)
    if address:
        addressee.append(address)
    appeal = letter.appeal
    first = appeal.questions.select_related("executor__user").order_by("position").first()
    executor = ""
    if first is not None and first.executor_id and first.executor:
        executor = (
            "Исп. " + first.executor.full_name + (f"\nтел. {first.executor.phone}" if first.executor.phone else "")
        )
    issued = timezone.localtime(letter.issued_at).date() if letter.issued_at else None
    return LetterDocument(
        body_name=body.name,
        letterhead=letterhead_of(body, settings),
        number=letter.number,
        date=issued,
        reply_to=f"На № {appeal.number} от {timezone.localtime(appeal.registered_at):%d.%m.%Y}",
        addressee=addressee,
        subject=letter.subject,
        paragraphs=paragraphs_of(letter.text),
        signer_position=letter.signer_position or signer["position"],
        signer_name=letter.signer_name or signer["name"],
        executor=executor,
        draft=letter.status == LetterStatus.DRAFT,
    )


def _layout(body: Body) -> bytes | None:
    settings = settings_for(body)
    if not settings.docx_layout:
        return None
    with settings.docx_layout.open("rb") as handle:
        data: bytes = handle.read()
        return data


def render_letter(letter: Letter, fmt: str) -> bytes:
    """One form of the letter: «pdf», «docx», «html», «txt»."""
    doc = document_for(letter)
    if fmt == "pdf":
        return to_pdf(doc)
    if fmt == "docx":
        return to_docx(doc, _layout(letter.body))
    if fmt == "html":
        return to_html(doc, for_print=False).encode()
    if fmt == "txt":
        return to_text(doc).encode()
    raise ValidationError("Неизвестный формат письма.")


def letter_issue(*, letter: Letter, actor: User, when: dt.datetime | None = None) -> Letter:
    """Register the letter: outgoing number and date, signature block, stored PDF (the DOCX copy
    follows in a task, `letters_store_docx`). A refusal raises and changes nothing."""
    written: list[str] = []
    with removed_on_error(written), transaction.atomic():
        issued, _refused = _issue_batch([letter], actor=actor, when=when, written=written, isolate=False)
    return issued[0]


def letters_issue(
    *, letters: list[Letter], actor: User, when: dt.datetime | None = None
) -> tuple[list[Letter], list[tuple[Letter, str]]]:
    """Register many letters at once (the answers to a subject group's members): each is checked and
    numbered on its own — a refused one is returned with the reason and the others go on — and
    their PDFs are laid out together on every core (`rendering.to_pdf_chunks`), inside the
    transaction that numbers them, so a letter is never registered without its file."""
    written: list[str] = []
    with removed_on_error(written), transaction.atomic():
        return _issue_batch(letters, actor=actor, when=when, written=written, isolate=True)


def letter_issue_check(letter: Letter, actor: User) -> None:
    """What must hold before a letter is registered; raises with the reason a person reads."""
    if not rules.can_issue(actor_for(actor), letter):
        raise PermissionDenied("Зарегистрировать письмо может отдел обращений или руководитель подразделения.")
    if letter.status != LetterStatus.DRAFT:
        raise ValidationError("Зарегистрировать можно только проект письма.")
    appeal = letter.appeal
    if letter.situation in FINAL_SITUATIONS:
        composition = answer_composition(appeal)
        if letter.situation == Situation.ANSWER and not composition.complete:
            raise ValidationError("Ответ не собран: " + " ".join(composition.warnings))
        if any(not p.approved for p in composition.parts):
            raise ValidationError("Окончательное письмо регистрируется после утверждения ответов по всем вопросам.")
    if letter.applicant is None:
        raise ValidationError("У обращения нет заявителя с адресом: ответ не направляется (ст. 11 ч. 1 59-ФЗ).")


def _issue_batch(
    letters: list[Letter], *, actor: User, when: dt.datetime | None, written: list[str], isolate: bool
) -> tuple[list[Letter], list[tuple[Letter, str]]]:
    when = when or clock.now()
    year = timezone.localtime(when).year
    checked: list[Letter] = []
    refused: list[tuple[Letter, str]] = []
    for draft in letters:
        try:
            with transaction.atomic():  # a savepoint: a refused letter leaves nothing behind
                letter = (
                    Letter.objects.select_for_update(of=("self",))
                    .select_related("appeal", "body", "applicant")
                    .get(pk=draft.pk)
                )
                letter_issue_check(letter, actor)
        except (ValidationError, PermissionDenied) as exc:
            if not isolate:
                raise
            refused.append((draft, " ".join(getattr(exc, "messages", [str(exc)]))))
            continue
        checked.append(letter)
    # Numbers: every body's counter is taken once for all its letters, in the order given.
    body_settings: dict[int, LetterSettings] = {}
    by_body: dict[int, list[Letter]] = {}
    for letter in checked:
        by_body.setdefault(letter.body_id, []).append(letter)
        if letter.body_id not in body_settings:
            body_settings[letter.body_id] = settings_for(letter.body)
    for body_id, group in by_body.items():
        numbers = next_letter_numbers(body=group[0].body, year=year, count=len(group), settings=body_settings[body_id])
        signer = signer_of(group[0].body, body_settings[body_id])
        for letter, (number, seq) in zip(group, numbers, strict=True):
            letter.number, letter.number_year, letter.number_seq = number, year, seq
            letter.issued_at, letter.issued_by, letter.status = when, actor, LetterStatus.ISSUED
            letter.signer_name, letter.signer_position = signer["name"], signer["position"]
    # The documents of a chunk are built while the rendering workers lay out the chunks before it.
    # A chunk's PDFs are stored while the workers lay out the chunks after it.
    size = chunk_size(len(checked))
    parts = [checked[i : i + size] for i in range(0, len(checked), size)]
    rendered = iter_pdf_chunks(
        [document_for(letter, body_settings[letter.body_id]) for letter in part] for part in parts
    )
    for letter, pdf in zip(checked, itertools.chain.from_iterable(rendered), strict=True):
        letter.pdf.save(f"{_file_stem(letter)}.pdf", ContentFile(pdf), save=False)
        written.append(str(letter.pdf.name))
        letter.save()
        appeal = letter.appeal
        _event(
            appeal,
            actor,
            letter.get_situation_display(),
            old="проект",
            new=f"исх. № {letter.number} от {timezone.localtime(when):%d.%m.%Y}",
        )
        if letter.situation in FINAL_SITUATIONS:
            for question in appeal.questions.all():
                workflow_services.stages_progress(question=question, milestone=StageCode.DISPATCH, at=when)
    if checked:
        ids = [letter.pk for letter in checked]
        transaction.on_commit(lambda: _queue_docx(ids))
    return checked, refused


def _file_stem(letter: Letter) -> str:
    return f"{letter.appeal.number}_{letter.number}".replace("/", "-").replace(" ", "_")


def _queue_docx(ids: list[int]) -> None:
    from letters.tasks import store_docx

    store_docx.enqueue(ids)


def letter_docx(letter: Letter) -> bytes:
    """The editable DOCX copy of a registered letter: the stored one, or made now (and stored)."""
    if not letter.docx:
        letters_store_docx(ids=[letter.pk])
        letter.refresh_from_db(fields=["docx"])
    if letter.docx:
        try:
            with letter.docx.open("rb") as handle:
                data: bytes = handle.read()
                return data
        except FileNotFoundError:
            pass
    return render_letter(letter, "docx")


def letters_store_docx(*, ids: list[int]) -> int:
    """Store the DOCX copy of registered letters that have none yet (after registration, in a task;
    on first demand otherwise). Laid out from the letter as registered: number, date, signer, text."""
    done = 0
    for pk in ids:
        written: list[str] = []
        with removed_on_error(written), transaction.atomic():
            letter = (
                Letter.objects.select_for_update(of=("self",))
                .select_related("appeal", "body", "applicant")
                .filter(pk=pk, status=LetterStatus.ISSUED)
                .first()
            )
            if letter is None or letter.docx:
                continue
            letter.docx.save(f"{_file_stem(letter)}.docx", ContentFile(render_letter(letter, "docx")), save=False)
            written.append(str(letter.docx.name))
            letter.save(update_fields=["docx"])
            done += 1
    return done


@transaction.atomic
def letter_cancel(*, letter: Letter, actor: User, reason: str) -> Letter:
    """Withdraw a draft, or an issued letter that was not right (its number stays used)."""
    letter = Letter.objects.select_for_update(of=("self",)).select_related("appeal").get(pk=letter.pk)
    if not rules.can_cancel(actor_for(actor), letter):
        raise PermissionDenied("Недостаточно прав для отмены письма.")
    reason = reason.strip()
    if letter.status == LetterStatus.ISSUED and not reason:
        raise ValidationError("Укажите причину отмены зарегистрированного письма.")
    from delivery.services import outbox_cancel_for

    letter.status = LetterStatus.CANCELLED
    letter.save(update_fields=["status", "updated_at"])
    outbox_cancel_for(f"letter:{letter.pk}")
    _event(
        letter.appeal,
        actor,
        f"{letter.get_situation_display()}" + (f": {reason}" if reason else ""),
        old=f"исх. № {letter.number}" if letter.number else "проект",
        new="отменено",
    )
    return letter


def letters_of(appeal: Appeal) -> models.QuerySet[Letter]:
    return appeal.letters.select_related("applicant", "template", "group").order_by("-created_at", "-pk")


def _short_text(letter: Letter) -> str:
    appeal = letter.appeal
    return (
        f"{letter.body.short_name}: по обращению № {appeal.number} направлено письмо исх. № {letter.number} "
        f"от {timezone.localtime(letter.issued_at or clock.now()):%d.%m.%Y} ({letter.get_situation_display().lower()})."
    )


@transaction.atomic
def letter_send(*, letter: Letter, actor: User, channel: str | None = None, address: str = "") -> Any:
    """Queue a registered letter for delivery: by default back through the channel of receipt."""
    from delivery.choices import DeliveryChannel
    from delivery.services import channel_for, outbox_enqueue

    letter = (
        Letter.objects.select_for_update(of=("self",)).select_related("appeal", "body", "applicant").get(pk=letter.pk)
    )
    if letter.status != LetterStatus.ISSUED:
        raise ValidationError("Отправляется только зарегистрированное письмо.")
    if not rules.can_issue_or_send(actor_for(actor), letter):
        raise PermissionDenied("Отправить письмо может отдел обращений или руководитель подразделения.")
    channel = channel or channel_for(letter.appeal, letter.applicant)
    doc = document_for(letter)
    attachments: list[tuple[str, bytes, str]] = []
    with letter.pdf.open("rb") as handle:
        attachments.append((f"{letter.number}.pdf".replace("/", "-"), handle.read(), "application/pdf"))
    if channel == DeliveryChannel.EXCHANGE:
        attachments.append(
            (
                f"{letter.number}.docx".replace("/", "-"),
                letter_docx(letter),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        )
    message = outbox_enqueue(
        appeal=letter.appeal,
        applicant=letter.applicant,
        kind=f"letter:{letter.situation}",
        subject=letter.subject,
        text=to_text(doc),
        html=to_html(doc, for_print=True),
        attachments=attachments,
        channel=channel,
        actor=actor,
        short_text=_short_text(letter),
        address=address,
        reference=f"letter:{letter.pk}",
    )
    _event(
        letter.appeal, actor, f"Письмо исх. № {letter.number} поставлено в отправку: {message.get_channel_display()}"
    )
    return message
