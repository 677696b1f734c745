"""Writes of subject groups: the matching index, proposals, joining and leaving, the joint answer,
publication, resonance alerts and repeated questions. Every change of a question is recorded in its
appeal's history through the appeals services' helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from appeals.choices import FINAL_OUTCOMES, AppealStatus, EventKind, Kind, Outcome, QuestionStatus
from appeals.models import Appeal, AppealApplicant, Question
from appeals.services import apply_changes, character_of, record_event, sync_appeal_status
from classification.models import Suggestion
from core import clock
from core.text import fold, shorten
from grouping import rules
from grouping.choices import AnswerKind, GroupStatus, JoinedBy, ProposalState
from grouping.decompose import MAX_QUESTIONS, Segment, Sentence, assignment_of, propose, segments_from, sentences
from grouping.matching import Decision, Params, cell_of, cells_around, jaccard, text_key
from grouping.models import (
    GroupingSettings,
    GroupMembership,
    MatchProposal,
    MemberAnswer,
    QuestionSignature,
    RepeatLink,
    SubjectGroup,
)
from grouping.place import building_key
from grouping.selectors import match_signature
from grouping.text import content_tokens
from nlp.addresses import find_addresses
from nlp.entities import find_emails, find_persons, find_phones
from nlp.gazetteer import GazetteerIndex
from nlp.models import AppealAnalysis
from nlp.selectors import gazetteer_index
from org.choices import RoleCode
from org.models import StaffMember
from org.selectors import actor_for, answering_head
from people.models import Applicant
from workflow import services as workflow_services
from workflow.choices import StageCode
from workflow.notify import notify

GROUP_FIELD = "тематическая группа"
PUBLISH_LINK_DAYS = 7  # 59-FZ art. 11 p. 5.1: the link to a published answer within 7 days of registration
RESONANCE_RADIUS_FACTOR = 5  # resonance looks at the neighbourhood, not one building
RESONANCE_HISTORY_DAYS = 28
REPEAT_MIN_SIMILARITY = 0.5


def params(current: GroupingSettings | None = None, *, threshold: float | None = None) -> Params:
    s = current or GroupingSettings.current()
    return Params(
        radius_m=float(s.radius_m),
        window_days=float(s.window_days),
        threshold=s.propose_score if threshold is None else threshold,
    )


# --- the index ---------------------------------------------------------------------------------


def _topic(question: Question) -> tuple[str, Any]:
    """The question's topic: its code, else the suggested code (None when nothing is known)."""
    return _topics([question])[question.pk]


def _topics(questions: Sequence[Question]) -> dict[int, tuple[str, Any]]:
    """`_topic` of many questions: the suggestions of those without a code in one query."""
    found: dict[int, tuple[str, Any]] = {}
    uncoded = []
    for question in questions:
        if question.classifier_id:
            found[question.pk] = (question.classifier.code, question.classifier)  # type: ignore[union-attr]
        else:
            uncoded.append(question.pk)
    suggested = {
        s.question_id: s.classifier
        for s in Suggestion.objects.filter(question_id__in=uncoded, classifier__isnull=False).select_related(
            "classifier"
        )
    }
    for pk in uncoded:
        entry = suggested.get(pk)
        found[pk] = (entry.code, entry) if entry is not None else ("", None)
    return found


def _place(
    question: Question, analysis: AppealAnalysis | None, index: GazetteerIndex
) -> tuple[float | None, float | None, str, str]:
    """Coordinates, building key and label: an address in the question's own text first, then the
    place the text analysis (of the whole appeal) found."""
    if len(index):
        found = index.find_in_text(question.text)
        if found is not None and found.precision == "house":
            return found.lat, found.lon, building_key(found.address), found.address
    mentions = [m for m in find_addresses(question.text) if m.address.house]
    own_building = building_key(mentions[0].text) if mentions else ""
    if not own_building and analysis is not None and analysis.place_precision == "house":
        return analysis.lat, analysis.lon, building_key(analysis.place_address), analysis.place_address
    if own_building:
        return None, None, own_building, mentions[0].address.display
    return None, None, "", ""


def _applicant_ids(appeal_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each appeal's applicants' current cards (a merged card stands for its survivor)."""
    pairs = list(AppealApplicant.objects.filter(appeal_id__in=appeal_ids).values_list("appeal_id", "applicant_id"))
    survivors = dict(Applicant.objects.filter(pk__in={a for _, a in pairs}).values_list("pk", "merged_into_id"))
    found: dict[int, set[int]] = {pk: set() for pk in appeal_ids}
    for appeal_id, applicant_id in pairs:
        found[appeal_id].add(survivors.get(applicant_id) or applicant_id)
    return {pk: sorted(ids) for pk, ids in found.items()}


def signature_refresh(*, question: Question) -> QuestionSignature:
    """Write what matching needs of a question (idempotent; called after every change of its text or code)."""
    question = Question.objects.select_related("appeal", "classifier").get(pk=question.pk)
    values = _signature_values([question])[question.pk]
    signature, _ = QuestionSignature.objects.update_or_create(question=question, defaults=values)
    return signature


def _signature_values(questions: Sequence[Question]) -> dict[int, dict[str, Any]]:
    """What matching needs of each question (loaded with its appeal and code), read together."""
    topics = _topics(questions)
    appeal_ids = sorted({q.appeal_id for q in questions})
    analyses = {a.appeal_id: a for a in AppealAnalysis.objects.filter(appeal_id__in=appeal_ids)}
    applicants = _applicant_ids(appeal_ids)
    groups = dict(
        GroupMembership.objects.filter(question__in=[q.pk for q in questions], left_at__isnull=True).values_list(
            "question_id", "group_id"
        )
    )
    now = clock.now()
    index = gazetteer_index()  # checked once for the batch
    values: dict[int, dict[str, Any]] = {}
    for question in questions:
        lat, lon, building, label = _place(question, analyses.get(question.appeal_id), index)
        values[question.pk] = {
            "body_id": question.appeal.body_id,
            "topic": topics[question.pk][0][:60],
            "cell": cell_of(lat, lon),
            "building": building,
            "place_label": label[:500],
            "lat": lat,
            "lon": lon,
            "at": question.appeal.received_at,
            "tokens": " ".join(sorted(content_tokens(question.text))),
            "text_key": text_key(question.text),
            "applicant_ids": ",".join(str(i) for i in applicants[question.appeal_id])[:200],
            "group_id": groups.get(question.pk),
            "indexed_at": now,
        }
    return values


def rematch_changed(*, limit: int = 5000) -> int:
    """Open questions changed since they were indexed (text, code, place) are indexed and matched again."""
    stale = (
        Question.objects.exclude(status=QuestionStatus.DONE)
        .filter(Q(signature__isnull=True) | Q(updated_at__gt=F("signature__indexed_at")))
        .order_by("pk")[:limit]
    )
    count = 0
    for question in stale:
        question_match(question=question, actor=None)
        count += 1
    return count


# --- matching and proposals --------------------------------------------------------------------


def _summary(count: int, signature: QuestionSignature, question: Question, found_ids: Sequence[int]) -> str:
    """«47 похожих вопросов: нет отопления, Мебельная ул., д. 47, за 6 часов»."""
    first = QuestionSignature.objects.filter(question_id__in=found_ids).order_by("at").values_list("at", flat=True)
    span = ""
    earliest = first.first()
    if earliest is not None:
        hours = max(1, round((signature.at - earliest).total_seconds() / 3600))
        span = f"за {hours} ч" if hours < 48 else f"за {round(hours / 24)} дн."
    _, entry = _topic(question)
    what = entry.name if entry is not None else shorten(question.text, 60)
    word = _plural(count, "похожий вопрос", "похожих вопроса", "похожих вопросов")
    parts = [f"{count} {word}: {what}", signature.place_label or "место не указано", span]
    return shorten(", ".join(p for p in parts if p), 500)


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def question_match(*, question: Question, actor: User | None = None) -> MatchProposal | None:
    """Index the question, then join a clear group automatically (if allowed) or propose what fits.

    Also checks whether the same applicant asked this before (repeated) and whether similar
    questions arrive faster than usual here (resonance). Idempotent.
    """
    return questions_match([question], actor=actor)[0]


@transaction.atomic
def questions_match(questions: Sequence[Question], *, actor: User | None = None) -> list[MatchProposal | None]:
    """`question_match` for many questions, one after another in the given order (each is
    indexed just before it is matched, so it sees the ones before it and not those after);
    what can be read for all of them at once is read once."""
    settings_row = GroupingSettings.current()
    loaded = Question.objects.select_related("appeal", "classifier").in_bulk([q.pk for q in questions])
    ordered = [loaded[q.pk] for q in questions]
    values = _signature_values(ordered)
    indexed = set(QuestionSignature.objects.filter(question__in=list(loaded)).values_list("question_id", flat=True))
    hints = _BatchHints.read(ordered, values, settings_row)
    outcomes = []
    for question in ordered:
        if question.pk in indexed:
            signature, _ = QuestionSignature.objects.update_or_create(question=question, defaults=values[question.pk])
        else:
            signature = QuestionSignature.objects.create(question=question, **values[question.pk])
        outcomes.append(_match_indexed(question, signature, settings_row, hints))
    return outcomes


@dataclass(frozen=True)
class _BatchHints:
    """What a batch's questions may need, read for all of them at once, so that the checks
    that cannot find anything skip their query: which questions have a repeat link or an open
    proposal already, and which applicants have an answered question in the repeat window."""

    linked: frozenset[int]
    proposed: frozenset[int]
    answered_applicants: frozenset[int]

    @classmethod
    def read(
        cls, questions: Sequence[Question], values: dict[int, dict[str, Any]], settings_row: GroupingSettings
    ) -> _BatchHints:
        pks = [q.pk for q in questions]
        applicant_ids = {int(i) for v in values.values() for i in v["applicant_ids"].split(",") if i}
        answered: set[int] = set()
        if applicant_ids and questions:
            since = min(q.appeal.received_at for q in questions) - dt.timedelta(days=settings_row.repeat_days)
            latest = max(q.appeal.received_at for q in questions)
            answered = set(
                Question.objects.filter(
                    appeal__signatories__applicant_id__in=applicant_ids,
                    appeal__received_at__gte=since,
                    appeal__received_at__lt=latest,
                    status=QuestionStatus.DONE,
                )
                .exclude(outcome=Outcome.LEFT_WITHOUT_ANSWER)
                .values_list("appeal__signatories__applicant_id", flat=True)
                .distinct()
            )
        return cls(
            linked=frozenset(RepeatLink.objects.filter(question__in=pks).values_list("question_id", flat=True)),
            proposed=frozenset(
                MatchProposal.objects.filter(question__in=pks, state=ProposalState.PROPOSED).values_list(
                    "question_id", flat=True
                )
            ),
            answered_applicants=frozenset(answered),
        )


def _match_indexed(
    question: Question,
    signature: QuestionSignature,
    settings_row: GroupingSettings,
    hints: _BatchHints,
) -> MatchProposal | None:
    if question.appeal.kind == Kind.NOT_APPEAL:
        return None  # closed without a reply: indexed, never grouped, repeated or counted as resonance
    applicants = {int(i) for i in signature.applicant_ids.split(",") if i}
    if question.pk in hints.linked or applicants & hints.answered_applicants:
        repeat_check(question=question, signature=signature, settings_row=settings_row)
    resonance_check(question=question, signature=signature, settings_row=settings_row)
    if signature.group_id is not None or question.status == QuestionStatus.DONE:
        return None
    decision, _ = match_signature(
        body_id=signature.body_id,
        topic=signature.topic,
        at=signature.at,
        lat=signature.lat,
        lon=signature.lon,
        building=signature.building,
        tokens=frozenset(signature.tokens.split()),
        params=params(settings_row),
        question_id=question.pk,
    )
    if question.pk in hints.proposed:
        MatchProposal.objects.filter(question=question, state=ProposalState.PROPOSED).delete()
    if decision.empty or _dismissed_before(question, decision):
        return None
    if decision.group is not None and settings_row.auto_join and decision.score >= settings_row.auto_join_score:
        group = SubjectGroup.objects.get(pk=decision.group)
        group_join(group=group, question=question, actor=None, how=JoinedBy.AUTOMATIC, score=decision.score)
        return None
    return _propose(question, signature, decision)


def _dismissed_before(question: Question, decision: Decision) -> bool:
    """The operator already said «не то» to this group (or to these similar questions)."""
    dismissed = MatchProposal.objects.filter(question=question, state=ProposalState.DISMISSED)
    if decision.group is not None:
        return dismissed.filter(group_id=decision.group).exists()
    wanted = set(decision.similar)
    return any(wanted <= set(p.similar_ids) for p in dismissed.filter(group__isnull=True))


def _propose(question: Question, signature: QuestionSignature, decision: Decision) -> MatchProposal:
    found = list(decision.group_members) if decision.group is not None else list(decision.similar)
    return MatchProposal.objects.create(
        question=question,
        group_id=decision.group,
        similar_ids=found,
        score=decision.score,
        summary=_summary(len(found), signature, question, found),
        created_at=clock.now(),
    )


def _decide_proposal(proposal: MatchProposal, actor: User, state: str) -> None:
    proposal.state = state
    proposal.decided_at = clock.now()
    proposal.decided_by = actor
    proposal.save(update_fields=["state", "decided_at", "decided_by"])


@transaction.atomic
def proposal_accept(*, proposal: MatchProposal, actor: User) -> SubjectGroup:
    """One click: join the proposed group, or found a group with the similar questions."""
    proposal = (
        MatchProposal.objects.select_for_update(of=("self",)).select_related("question__appeal").get(pk=proposal.pk)
    )
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationError("Предложение уже рассмотрено.")
    question = proposal.question
    if not rules.can_change_membership(actor_for(actor), question):
        raise PermissionDenied("Включать вопрос в группу может оператор или руководитель подразделения.")
    _decide_proposal(proposal, actor, ProposalState.ACCEPTED)
    if proposal.group is not None:
        group = proposal.group
        group_join(group=group, question=question, actor=actor, how=JoinedBy.OPERATOR, score=proposal.score)
    else:
        others = list(
            Question.objects.filter(pk__in=proposal.similar_ids)
            .exclude(status=QuestionStatus.DONE)
            .exclude(pk__in=GroupMembership.objects.filter(left_at__isnull=True).values("question_id"))
            .select_related("appeal")
        )
        group = group_create(questions=[question, *others], actor=actor, score=proposal.score)
    return group


@transaction.atomic
def proposal_dismiss(*, proposal: MatchProposal, actor: User) -> None:
    if not rules.can_change_membership(actor_for(actor), proposal.question):
        raise PermissionDenied("Недостаточно прав.")
    if proposal.state != ProposalState.PROPOSED:
        raise ValidationError("Предложение уже рассмотрено.")
    _decide_proposal(proposal, actor, ProposalState.DISMISSED)


# --- groups and members -----------------------------------------------------------------------


def _title(question: Question, label: str) -> str:
    _, entry = _topic(question)
    what = entry.name if entry is not None else shorten(question.text, 80)
    return shorten(f"{what}, {label}" if label else what, 300)


@transaction.atomic
def group_create(
    *, questions: Sequence[Question], actor: User, title: str = "", score: float | None = None
) -> SubjectGroup:
    """A new group with these questions; the first question gives the topic, the place and the unit."""
    if not questions:
        raise ValidationError("В группе должен быть хотя бы один вопрос.")
    first = questions[0]
    actor_info = actor_for(actor)
    if not rules.can_change_membership(actor_info, first):
        raise PermissionDenied("Создать группу может оператор или руководитель подразделения.")
    signature = signature_refresh(question=first)
    topic, entry = _topic(first)
    group = SubjectGroup.objects.create(
        body_id=first.appeal.body_id,
        title=(title.strip() or _title(first, signature.place_label))[:300],
        topic=topic,
        classifier=entry,
        place_label=signature.place_label,
        lat=signature.lat,
        lon=signature.lon,
        department=first.department,
        lead=first.executor,
        created_by=actor,
    )
    for i, question in enumerate(questions):
        group_join(
            group=group,
            question=question,
            actor=actor,
            how=JoinedBy.FOUNDER if i == 0 else JoinedBy.OPERATOR,
            score=None if i == 0 else score,
        )
    return group


def _assign_to_lead(group: SubjectGroup, question: Question, actor: User | None) -> None:
    if group.lead is None or question.status not in (QuestionStatus.NEW, QuestionStatus.ASSIGNED):
        return
    changed = apply_changes(
        question,
        {"department": group.lead.department, "executor": group.lead, "status": QuestionStatus.ASSIGNED},
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.ASSIGNED,
        note=f"Ведущий исполнитель группы «{shorten(group.title, 80)}»",
    )
    if changed:
        workflow_services.stages_progress(question=question, milestone=StageCode.RESOLUTION)


@transaction.atomic
def group_join(
    *,
    group: SubjectGroup,
    question: Question,
    actor: User | None,
    how: str = JoinedBy.OPERATOR,
    score: float | None = None,
) -> GroupMembership:
    """Put a question into a group: it takes the group's lead, status and — if given — its answer."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).select_related("lead__department").get(pk=group.pk)
    question = Question.objects.select_for_update(of=("self",)).select_related("appeal").get(pk=question.pk)
    if actor is not None and not rules.can_change_membership(actor_for(actor), question):
        raise PermissionDenied("Включать вопрос в группу может оператор или руководитель подразделения.")
    if group.status == GroupStatus.CLOSED:
        raise ValidationError("Группа закрыта: новые вопросы в неё не включаются.")
    if question.status == QuestionStatus.DONE:
        raise ValidationError("Вопрос уже рассмотрен.")
    if question.appeal.body_id != group.body_id:
        raise ValidationError("Вопрос другого органа.")
    current = GroupMembership.objects.filter(question=question, left_at__isnull=True).select_related("group").first()
    if current is not None:
        if current.group_id == group.pk:
            return current
        raise ValidationError(f"Вопрос уже в группе «{current.group.title}». Сначала исключите его оттуда.")
    now = clock.now()
    membership = GroupMembership.objects.create(
        group=group, question=question, joined_at=now, joined_by=how, actor=actor, score=score
    )
    QuestionSignature.objects.filter(question=question).update(group=group)
    if not QuestionSignature.objects.filter(question=question).exists():
        signature_refresh(question=question)
    notes: dict[str, str] = {JoinedBy.AUTOMATIC: "Присоединён автоматически", JoinedBy.FOUNDER: "Группа создана"}
    note = notes.get(how, "")
    if score is not None:
        note = f"{note or 'Присоединён'}: сходство {round(score * 100)} %"
    record_event(
        question.appeal,
        EventKind.CHANGED,
        actor,
        question=question,
        field=GROUP_FIELD,
        old="—",
        new=group.title,
        note=note,
    )
    MatchProposal.objects.filter(question=question, state=ProposalState.PROPOSED).delete()
    _assign_to_lead(group, question, actor)
    if group.status == GroupStatus.ON_APPROVAL:
        _submit_member(group, question, actor)
    elif group.is_answered:
        # A late joiner gets the answer already given (and, once published, the link within 7 days).
        _submit_member(group, question, actor)
        _answer_member(group, question, actor)
        if group.published_at is not None:
            _link_member(group, question)
    sync_appeal_status(question.appeal, actor)
    return membership


@transaction.atomic
def group_leave(*, question: Question, actor: User, reason: str = "") -> GroupMembership:
    """Take a question out of its group; it keeps its executor and goes back to work on its own."""
    question = Question.objects.select_for_update(of=("self",)).select_related("appeal").get(pk=question.pk)
    if not rules.can_change_membership(actor_for(actor), question):
        raise PermissionDenied("Исключить вопрос из группы может оператор или руководитель подразделения.")
    membership = GroupMembership.objects.filter(question=question, left_at__isnull=True).select_related("group").first()
    if membership is None:
        raise ValidationError("Вопрос не входит в группу.")
    membership.left_at = clock.now()
    membership.save(update_fields=["left_at"])
    QuestionSignature.objects.filter(question=question).update(group=None)
    record_event(
        question.appeal,
        EventKind.CHANGED,
        actor,
        question=question,
        field=GROUP_FIELD,
        old=membership.group.title,
        new="—",
        note=reason.strip()[:1000],
    )
    if question.status == QuestionStatus.ON_APPROVAL:
        # The group's draft is not this question's any more.
        apply_changes(
            question,
            {"answer": "", "outcome": Outcome.ON_CONSIDERATION, "status": QuestionStatus.ASSIGNED},
            appeal=question.appeal,
            actor=actor,
            question=question,
            kind=EventKind.RETURNED,
            note="Исключён из группы: ответ готовится отдельно",
        )
        workflow_services.stages_reopen(question=question, code=StageCode.DRAFT)
    return membership


def _group_event_members(group: SubjectGroup) -> list[Question]:
    return list(
        Question.objects.filter(group_memberships__group=group, group_memberships__left_at__isnull=True)
        .select_related("appeal", "executor__user", "department")
        .order_by("appeal__registered_at", "pk")
    )


@transaction.atomic
def group_set_lead(*, group: SubjectGroup, actor: User, lead: StaffMember) -> None:
    """Name the lead executor; every open member question is assigned to them."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    info = actor_for(actor)
    if not rules.can_set_lead(info, group):
        raise PermissionDenied("Назначить ведущего исполнителя может оператор или руководитель подразделения.")
    if not info.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR) and lead.department_id not in info.headed_department_ids:
        raise PermissionDenied("Руководитель назначает ведущим сотрудника своего подразделения.")
    if not lead.user.is_active:
        raise ValidationError("Исполнитель отключён.")
    if lead.body_id != group.body_id:
        raise ValidationError("Исполнитель другого органа.")
    group.lead = lead
    group.department = lead.department
    group.save(update_fields=["lead", "department", "updated_at"])
    for question in _group_event_members(group):
        _assign_to_lead(group, question, actor)
        sync_appeal_status(question.appeal, actor)


@transaction.atomic
def group_rename(*, group: SubjectGroup, actor: User, title: str) -> None:
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_rename(actor_for(actor), group):
        raise PermissionDenied("Недостаточно прав.")
    title = title.strip()
    if not title:
        raise ValidationError("Название группы не может быть пустым.")
    SubjectGroup.objects.filter(pk=group.pk).update(title=title[:300], updated_at=clock.now())
    group.title = title[:300]


def _submit_member(group: SubjectGroup, question: Question, actor: User | None) -> None:
    if question.status not in (QuestionStatus.NEW, QuestionStatus.ASSIGNED):
        return
    apply_changes(
        question,
        {
            "answer": group.answer,
            "outcome": group.outcome,
            "measures_taken": group.measures_taken,
            "status": QuestionStatus.ON_APPROVAL,
        },
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.ANSWER_SUBMITTED,
        note=f"Общий ответ группы «{shorten(group.title, 80)}»",
    )
    workflow_services.stages_progress(question=question, milestone=StageCode.DRAFT)


@transaction.atomic
def group_submit_answer(
    *, group: SubjectGroup, actor: User, answer: str, outcome: str, measures_taken: bool = False
) -> None:
    """The lead's joint answer goes for approval; every member question goes with it."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_answer(actor_for(actor), group):
        raise PermissionDenied("Общий ответ готовит ведущий исполнитель группы.")
    answer = answer.strip()
    if not answer:
        raise ValidationError("Напишите текст общего ответа.")
    if outcome not in FINAL_OUTCOMES or outcome == Outcome.LEFT_WITHOUT_ANSWER:
        raise ValidationError("Выберите итог рассмотрения.")
    if measures_taken and outcome != Outcome.SUPPORTED:
        raise ValidationError("Отметка «меры приняты» ставится только к поддержанному вопросу.")
    members = _group_event_members(group)
    if not members:
        raise ValidationError("В группе нет вопросов.")
    group.answer, group.outcome, group.measures_taken = answer, outcome, measures_taken
    group.status = GroupStatus.ON_APPROVAL
    group.save(update_fields=["answer", "outcome", "measures_taken", "status", "updated_at"])
    for question in members:
        _submit_member(group, question, actor)


@transaction.atomic
def group_return(*, group: SubjectGroup, actor: User, note: str) -> None:
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_approve(actor_for(actor), group):
        raise PermissionDenied("Вернуть ответ может руководитель подразделения.")
    if not note.strip():
        raise ValidationError("Укажите, что нужно доработать.")
    group.status = GroupStatus.OPEN
    group.save(update_fields=["status", "updated_at"])
    for question in _group_event_members(group):
        if question.status != QuestionStatus.ON_APPROVAL:
            continue
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


def _salutation(applicants: Sequence[Applicant]) -> tuple[str, str]:
    """(addressee line, greeting) for the primary signatory; several signatories are greeted together."""
    if not applicants:
        return "", "Уважаемый заявитель!"
    main = applicants[0]
    if main.kind == "organisation" or (main.organisation_name and not main.surname):
        who = main.organisation_name or main.display_name
        return who, "Уважаемые коллеги!"
    name = " ".join(p for p in (main.first_name, main.patronymic) if p)
    addressee = main.display_name
    if len(applicants) > 1:
        return f"{addressee} и другие заявители", "Уважаемые заявители!"
    if not name:
        return addressee, "Уважаемый заявитель!"
    word = {"m": "Уважаемый", "f": "Уважаемая"}.get(main.gender or "", "Уважаемый(ая)")
    return addressee, f"{word} {name}!"


def personalised_answer(group: SubjectGroup, question: Question) -> tuple[str, str]:
    """The joint answer addressed to one member: their name, their appeal's number and date."""
    appeal = question.appeal
    applicants = [s.applicant for s in appeal.signatories.select_related("applicant").order_by("position", "pk")]
    addressee, greeting = _salutation(applicants)
    received = timezone.localtime(appeal.received_at).strftime("%d.%m.%Y")
    text = f"{greeting}\n\nНа Ваше обращение от {received} № {appeal.number} сообщаем.\n\n{group.answer.strip()}"
    return addressee, text


def _answer_member(group: SubjectGroup, question: Question, actor: User | None) -> None:
    """The member question is answered with the joint paragraph; its appeal's letter (the letters
    app) addresses it to the applicant by name with their number and date, as recorded here."""
    addressee, text = personalised_answer(group, question)
    now = clock.now()
    apply_changes(
        question,
        {"answer": group.answer.strip(), "status": QuestionStatus.DONE, "answered_at": now},
        appeal=question.appeal,
        actor=actor,
        question=question,
        kind=EventKind.APPROVED,
        note=f"Общий ответ группы «{shorten(group.title, 80)}»",
    )
    MemberAnswer.objects.update_or_create(
        group=group,
        question=question,
        kind=AnswerKind.LETTER,
        defaults={"addressee": addressee[:500], "text": text, "created_at": now},
    )
    workflow_services.stages_progress(question=question, milestone=StageCode.SIGNING)
    sync_appeal_status(question.appeal, actor)


@transaction.atomic
def group_approve(*, group: SubjectGroup, actor: User, note: str = "") -> int:
    """Approve the joint answer: every member question is answered with its personalised text."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_approve(actor_for(actor), group):
        raise PermissionDenied("Утверждает общий ответ руководитель подразделения.")
    group.status = GroupStatus.ANSWERED
    group.answered_at = clock.now()
    group.save(update_fields=["status", "answered_at", "updated_at"])
    members = _group_event_members(group)
    for question in members:
        _submit_member(group, question, actor)  # a member that joined after the submission
        _answer_member(group, question, actor)
    return len(members)


def group_send_letters(*, group: SubjectGroup, actor: User) -> tuple[int, list[str]]:
    """Answer every member appeal at once: prepare its letter (its applicant by name, its number and
    date), register it and hand it to delivery by the applicant's channel. An appeal that already has
    an answer letter, or still waits for another of its own questions, is left with the reason."""
    from delivery.services import destination
    from letters.choices import LetterStatus, Situation
    from letters.services import answer_composition, letter_issue_check, letter_prepare, letter_send, letters_issue

    group = SubjectGroup.objects.get(pk=group.pk)
    if not group.is_answered:
        raise ValidationError("Сначала утвердите общий ответ группы.")
    if not rules.can_publish(actor_for(actor), group):
        raise PermissionDenied(
            "Отправить ответ участникам может руководитель подразделения, контролёр или администратор."
        )
    skipped: list[str] = []
    appeals = list(dict.fromkeys(q.appeal for q in _group_event_members(group)))
    with transaction.atomic():
        drafts = []
        for appeal in appeals:
            if appeal.letters.filter(situation=Situation.ANSWER).exclude(status=LetterStatus.CANCELLED).exists():
                skipped.append(f"№ {appeal.number}: письмо с ответом уже есть")
                continue
            composition = answer_composition(appeal)
            if not composition.complete:
                skipped.append(f"№ {appeal.number}: {composition.warnings[0]}")
                continue
            try:
                with transaction.atomic():  # a draft that could not be registered is not left behind
                    letter = letter_prepare(appeal=appeal, actor=actor, situation=Situation.ANSWER)
                    letter_issue_check(letter, actor)
                    destination(appeal, letter.applicant)  # a letter that cannot be sent is not registered
            except (ValidationError, PermissionDenied) as exc:
                skipped.append(f"№ {appeal.number}: {_reason(exc)}")
                continue
            drafts.append(letter)
        # Registered together: the PDFs are laid out on every core while the numbers are held.
        issued, refused = letters_issue(letters=drafts, actor=actor)
        skipped += [f"№ {letter.appeal.number}: {reason}" for letter, reason in refused]
        if not issued and skipped:  # nothing registered: the drafts go too
            raise ValidationError("Ни одно письмо не отправлено. " + "; ".join(skipped[:5]))
        sent = 0
        for letter in issued:
            try:
                with transaction.atomic():
                    letter_send(letter=letter, actor=actor)
            except (ValidationError, PermissionDenied) as exc:
                skipped.append(f"№ {letter.appeal.number}: письмо зарегистрировано, но не отправлено — {_reason(exc)}")
                continue
            sent += 1
    return sent, skipped


def _reason(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(getattr(exc, "messages", [str(exc)]))


def personal_data_in(text: str, names: Sequence[str] = ()) -> list[str]:
    """What in a text looks like personal data: names, phones, e-mails, flats, the members' surnames."""
    found: list[str] = []
    found += [p.display for p in find_persons(text)]
    found += [p.text for p in find_phones(text)]
    found += [e.text for e in find_emails(text)]
    found += [m.text for m in find_addresses(text) if m.address.flat]
    folded = f" {fold(text)} "
    found += [n for n in names if n and len(n) > 2 and f" {fold(n)} " in folded]
    return list(dict.fromkeys(found))


def _member_surnames(group: SubjectGroup) -> list[str]:
    rows = Applicant.objects.filter(signed__appeal__questions__group_memberships__group=group).values_list(
        "surname", "organisation_name"
    )
    return sorted({v for pair in rows for v in pair if v})


def _link_member(group: SubjectGroup, question: Question) -> None:
    registered = timezone.localtime(question.appeal.registered_at).date()
    base = settings.OTKLIK_PUBLIC_BASE_URL.rstrip("/")
    link = f"{base}{group.get_public_url()}"
    addressee, greeting = _salutation(
        [s.applicant for s in question.appeal.signatories.select_related("applicant").order_by("position", "pk")]
    )
    received = timezone.localtime(question.appeal.received_at).strftime("%d.%m.%Y")
    text = (
        f"{greeting}\n\nОтвет на вопрос, поставленный в Вашем обращении от {received} № {question.appeal.number}, "
        f"размещён на официальном сайте: {link}"
    )
    member, created = MemberAnswer.objects.get_or_create(
        group=group,
        question=question,
        kind=AnswerKind.LINK,
        defaults={
            "addressee": addressee[:500],
            "text": text,
            "created_at": clock.now(),
            "send_by": registered + dt.timedelta(days=PUBLISH_LINK_DAYS),
        },
    )
    if created:
        _send_link(member)


def _send_link(member: MemberAnswer) -> None:
    """The link to the published answer goes to the applicant at once, by their channel; without
    any address it waits on the group's page with its «отправить до» date."""
    from delivery.services import outbox_enqueue

    appeal = member.question.appeal
    signatory = appeal.signatories.select_related("applicant").order_by("-is_primary", "position", "pk").first()
    if signatory is None:
        return
    try:
        with transaction.atomic():
            outbox_enqueue(
                appeal=appeal,
                applicant=signatory.applicant,
                kind="group-link",
                subject=f"Ответ на обращение № {appeal.number}",
                text=member.text,
                reference=f"group-link:{member.pk}",
            )
    except ValidationError:
        return
    member.sent_at = clock.now()
    member.save(update_fields=["sent_at"])


@transaction.atomic
def group_publish(*, group: SubjectGroup, actor: User) -> None:
    """Publish the joint answer on the public page (59-FZ art. 10 p. 4) — refused if it carries personal data."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_publish(actor_for(actor), group):
        raise PermissionDenied("Опубликовать ответ может руководитель подразделения, контролёр или администратор.")
    surnames = _member_surnames(group)
    found = personal_data_in(f"{group.title}\n{group.answer}", surnames) + personal_data_in(group.place_label, surnames)
    if found:
        raise ValidationError(
            "В тексте есть персональные данные, публикация невозможна: " + ", ".join(found[:5]) + ". "
            "Исправьте название группы или общий ответ."
        )
    group.published_at = clock.now()
    group.save(update_fields=["published_at", "updated_at"])
    for question in _group_event_members(group):
        record_event(
            question.appeal, EventKind.COMMENT, actor, question=question, note="Ответ группы опубликован на сайте"
        )


@transaction.atomic
def group_unpublish(*, group: SubjectGroup, actor: User) -> None:
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_publish(actor_for(actor), group):
        raise PermissionDenied("Недостаточно прав.")
    SubjectGroup.objects.filter(pk=group.pk).update(published_at=None, updated_at=clock.now())
    group.published_at = None


@transaction.atomic
def group_close(*, group: SubjectGroup, actor: User) -> None:
    """An answered group stops taking late joiners."""
    group = SubjectGroup.objects.select_for_update(of=("self",)).get(pk=group.pk)
    if not rules.can_close(actor_for(actor), group):
        raise PermissionDenied("Закрыть группу может контролёр или администратор после ответа.")
    SubjectGroup.objects.filter(pk=group.pk).update(status=GroupStatus.CLOSED, updated_at=clock.now())
    group.status = GroupStatus.CLOSED


# --- resonance ---------------------------------------------------------------------------------


def _controllers_and_heads(question: Question) -> list[User]:
    users: list[User] = [
        s.user
        for s in StaffMember.objects.filter(body_id=question.appeal.body_id, roles__code=RoleCode.CONTROLLER)
        .select_related("user")
        .distinct()
    ]
    head = answering_head(question.department)
    if head is not None:
        users.append(head)
    if question.department is None:
        users += [
            s.user
            for s in StaffMember.objects.filter(body_id=question.appeal.body_id, roles__code=RoleCode.HEAD)
            .select_related("user")
            .distinct()
        ]
    return users


def resonance_check(*, question: Question, signature: QuestionSignature, settings_row: GroupingSettings) -> int:
    """Alert the head and the controllers when similar questions arrive faster than usual here."""
    if not signature.topic or signature.lat is None or signature.lon is None:
        return 0
    hours = settings_row.resonance_hours
    now = signature.at
    near = cells_around(signature.lat, signature.lon, settings_row.radius_m * RESONANCE_RADIUS_FACTOR)
    same = QuestionSignature.objects.filter(body_id=signature.body_id, topic=signature.topic, cell__in=near)
    recent = same.filter(at__gt=now - dt.timedelta(hours=hours), at__lte=now).count()
    if recent < settings_row.resonance_min:
        return 0
    history_start = now - dt.timedelta(hours=hours) - dt.timedelta(days=RESONANCE_HISTORY_DAYS)
    before = same.filter(at__gt=history_start, at__lte=now - dt.timedelta(hours=hours)).count()
    usual = before / (RESONANCE_HISTORY_DAYS * 24 / hours)
    if recent < settings_row.resonance_factor * max(usual, 1.0):
        return 0
    _, entry = _topic(question)
    what = entry.name if entry is not None else signature.topic
    place = signature.place_label or "один район"
    day = timezone.localtime(now).date().isoformat()
    membership = GroupMembership.objects.filter(question=question, left_at__isnull=True).select_related("group").first()
    url = (
        membership.group.get_absolute_url()
        if membership
        else f"{question.appeal.get_absolute_url()}#question-{question.pk}"
    )
    return notify(
        _controllers_and_heads(question),
        key=f"resonance:{signature.topic}:{signature.cell}:{day}",
        title=shorten(f"Резонанс: {recent} вопросов «{what}» за {hours} ч — {place}", 300),
        body=f"Обычно здесь около {usual:.1f} таких вопросов за {hours} ч. Последний: {question.appeal.number}.",
        url=url,
    )


# --- repeated appeals ---------------------------------------------------------------------------


def repeat_check(
    *, question: Question, signature: QuestionSignature, settings_row: GroupingSettings
) -> RepeatLink | None:
    """The same applicant asked the same question and got an answer: mark repeated, link the answer."""
    if RepeatLink.objects.filter(question=question).exists():
        return RepeatLink.objects.get(question=question)
    ids = [int(i) for i in signature.applicant_ids.split(",") if i]
    if not ids:
        return None
    appeal = question.appeal
    since = appeal.received_at - dt.timedelta(days=settings_row.repeat_days)
    earlier = (
        Question.objects.filter(
            appeal__signatories__applicant_id__in=ids,
            appeal__received_at__gte=since,
            appeal__received_at__lt=appeal.received_at,
            status=QuestionStatus.DONE,
        )
        .exclude(appeal=appeal)
        .exclude(outcome=Outcome.LEFT_WITHOUT_ANSWER)
        .select_related("appeal", "signature")
        .distinct()
        .order_by("-appeal__received_at")[:50]
    )
    tokens = frozenset(signature.tokens.split())
    best: tuple[float, Question] | None = None
    for other in earlier:
        other_sig = getattr(other, "signature", None)
        other_tokens = frozenset(other_sig.tokens.split()) if other_sig else content_tokens(other.text)
        similarity = jaccard(tokens, other_tokens)
        same_text = bool(signature.text_key) and other_sig is not None and other_sig.text_key == signature.text_key
        same_topic = bool(signature.topic) and other_sig is not None and other_sig.topic == signature.topic
        if same_text:
            similarity = 1.0
        elif same_topic and similarity >= 0.25:
            similarity = max(similarity, 0.6)  # the same code and some shared words: the same question
        if similarity >= REPEAT_MIN_SIMILARITY and (best is None or similarity > best[0]):
            best = (similarity, other)
    if best is None:
        return None
    similarity, other = best
    link = RepeatLink.objects.create(
        question=question, earlier=other, score=round(similarity, 4), created_at=clock.now()
    )
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    changes: dict[str, Any] = {"character": character_of(appeal.signatories.count(), True)}
    if appeal.previous_appeal_id is None:
        changes["previous_appeal"] = other.appeal
    answered = timezone.localtime(other.answered_at).strftime("%d.%m.%Y") if other.answered_at else ""
    apply_changes(
        appeal,
        changes,
        appeal=appeal,
        actor=None,
        note=f"Повторное: тот же заявитель, тот же вопрос; ответ дан {answered} по № {other.appeal.number}",
    )
    return link


def appeal_is_open(appeal: Appeal) -> bool:
    return appeal.status in (AppealStatus.REGISTERED, AppealStatus.IN_WORK)


# --- decomposition: one appeal, several questions -----------------------------------------------


def _classify_text() -> Any:
    from classification.selectors import engine, record_for

    current = engine()

    def classify(text: str) -> tuple[str, float]:
        understanding = current.understand(record_for(text=text))
        code = understanding.code
        return (code.value, code.confidence) if code is not None else ("", 0.0)

    return classify


@dataclass(frozen=True)
class SplitProposal:
    """The appeal's sentences, the proposed questions, and how the current questions cover the sentences."""

    sentences: list[Sentence]
    segments: list[Segment]
    proposed: list[int]
    current: list[int]

    @property
    def differs(self) -> bool:
        return self.proposed != self.current


def split_propose(*, appeal: Appeal) -> SplitProposal:
    """Propose questions for the appeal's text (nothing is written)."""
    items = sentences(appeal.text)
    segments = propose(items, _classify_text(), content_tokens)
    proposed = assignment_of(segments, len(items))
    questions = list(appeal.questions.order_by("position"))
    current: list[int] = []
    for s in items:
        needle = fold(s.text)
        number = next((n for n, q in enumerate(questions, start=1) if needle in fold(q.text)), 0)
        current.append(number or (current[-1] if current else 1))
    return SplitProposal(sentences=items, segments=segments, proposed=proposed, current=current)


def _require_split(actor: User, appeal: Appeal, questions: list[Question]) -> None:
    if not rules.can_split(actor_for(actor), appeal_is_open(appeal), questions):
        raise PermissionDenied(
            "Разбивку на вопросы меняет оператор или администратор, пока по вопросам не готовятся ответы."
        )


def _after_texts_changed(appeal: Appeal, actor: User | None, changed: list[Question]) -> None:
    """New and re-cut questions get a code suggestion, a route, a stage plan and a place in the index."""
    from classification.pipeline import classify_appeal
    from routing.pipeline import route_appeal

    Suggestion.objects.filter(question__in=[q for q in changed if q.classifier_id is None]).delete()
    classify_appeal(appeal=appeal, actor=actor)
    route_appeal(appeal=appeal, actor=actor)
    for question in Question.objects.filter(appeal=appeal).select_related("appeal", "classifier"):
        workflow_services.plan_question(question=question)
    for question in changed:
        question_match(question=question, actor=actor)
    sync_appeal_status(appeal, actor)


@transaction.atomic
def questions_recut(*, appeal: Appeal, actor: User, texts: Sequence[str], note: str = "") -> list[Question]:
    """Make the appeal's questions these texts, in this order, keeping each existing question (its
    executor, plan and history) where its text best overlaps a new one; surplus questions are removed."""
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    questions = list(appeal.questions.select_for_update(of=("self",)).order_by("position"))
    _require_split(actor, appeal, questions)
    texts = [t.strip() for t in texts]
    if not texts or any(not t for t in texts):
        raise ValidationError("У каждого вопроса должен быть текст.")
    if len(texts) > MAX_QUESTIONS:
        raise ValidationError(f"Не больше {MAX_QUESTIONS} вопросов в одном обращении.")
    words = [content_tokens(t) for t in texts]
    old_words = {q.pk: content_tokens(q.text) for q in questions}
    pairs = sorted(
        ((jaccard(words[i], old_words[q.pk]), -i, q.position, i, q) for i in range(len(texts)) for q in questions),
        key=lambda p: (-p[0], -p[1], p[2]),
    )
    keep: dict[int, Question] = {}
    used: set[int] = set()
    for similarity, _, _, i, q in pairs:
        if i in keep or q.pk in used or (similarity == 0 and texts[i] != q.text):
            continue
        keep[i] = q
        used.add(q.pk)
    for i in range(len(texts)):
        if i not in keep:
            unused = [q for q in questions if q.pk not in used]
            if unused:
                keep[i] = unused[0]
                used.add(unused[0].pk)
    removed = [q for q in questions if q.pk not in used]
    for q in removed:
        record_event(
            appeal,
            EventKind.CHANGED,
            actor,
            field="вопросы",
            old=f"вопрос {q.position}: {shorten(q.text, 150)}",
            new="—",
            note=note or "Вопрос объединён с другим",
        )
        q.delete()
    # Positions are unique per appeal: park the kept questions out of the way, then number them.
    for offset, q in enumerate(keep.values(), start=1):
        Question.objects.filter(pk=q.pk).update(position=1000 + offset)
    changed: list[Question] = []
    result: list[Question] = []
    for position, text in enumerate(texts, start=1):
        if position - 1 in keep:
            q = keep[position - 1]
            old_position = q.position
            Question.objects.filter(pk=q.pk).update(position=position)
            q.position = position
            if old_position != position:
                record_event(
                    appeal, EventKind.CHANGED, actor, question=q, field="№", old=old_position, new=position, note=note
                )
            if apply_changes(q, {"text": text}, appeal=appeal, actor=actor, question=q, note=note):
                changed.append(q)
            result.append(q)
        else:
            q = Question(
                appeal=appeal,
                position=position,
                text=text,
                due_date=appeal.due_date,
                status=QuestionStatus.NEW,
            )
            q.full_clean()
            q.save()
            record_event(appeal, EventKind.QUESTION_ADDED, actor, question=q, note=note or shorten(text, 200))
            changed.append(q)
            result.append(q)
    _after_texts_changed(appeal, actor, changed)
    return result


@transaction.atomic
def split_apply(*, appeal: Appeal, actor: User, assignment: Sequence[int]) -> list[Question]:
    """Accept or edit the split: `assignment` gives each sentence of the appeal's text its question number."""
    items = sentences(appeal.text)
    try:
        runs = segments_from(list(assignment), items)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    texts = [" ".join(items[i].text for i in run) for run in runs]
    return questions_recut(appeal=appeal, actor=actor, texts=texts, note="Разбивка обращения на вопросы")


@transaction.atomic
def questions_merge(*, question: Question, into: Question, actor: User) -> Question:
    """Merge a question into another of the same appeal; its text is appended."""
    if question.appeal_id != into.appeal_id or question.pk == into.pk:
        raise ValidationError("Объединяются два разных вопроса одного обращения.")
    questions = list(into.appeal.questions.order_by("position"))
    texts = [
        f"{q.text.strip()} {question.text.strip()}" if q.pk == into.pk else q.text
        for q in questions
        if q.pk != question.pk
    ]
    result = questions_recut(
        appeal=into.appeal,
        actor=actor,
        texts=texts,
        note=f"Вопрос {question.position} объединён с вопросом {into.position}",
    )
    return next(q for q in result if q.pk == into.pk)


@transaction.atomic
def question_split(*, question: Question, actor: User, at: int) -> list[Question]:
    """Split a question before its sentence number `at` (0-based, at least 1): the tail becomes a new question."""
    items = sentences(question.text)
    if not 1 <= at < len(items):
        raise ValidationError("Выберите предложение, с которого начнётся новый вопрос.")
    head = " ".join(s.text for s in items[:at])
    tail = " ".join(s.text for s in items[at:])
    texts: list[str] = []
    for q in question.appeal.questions.order_by("position"):
        texts += [head, tail] if q.pk == question.pk else [q.text]
    return questions_recut(
        appeal=question.appeal, actor=actor, texts=texts, note=f"Вопрос {question.position} разделён"
    )


@transaction.atomic
def sentence_move(*, question: Question, index: int, target: Question, actor: User) -> list[Question]:
    """Move one sentence of a question to another question of the same appeal (appended at its end)."""
    if question.appeal_id != target.appeal_id or question.pk == target.pk:
        raise ValidationError("Предложение переносится в другой вопрос того же обращения.")
    items = sentences(question.text)
    if not 0 <= index < len(items):
        raise ValidationError("Нет такого предложения.")
    moved = items[index].text
    rest = " ".join(s.text for i, s in enumerate(items) if i != index)
    texts: list[str] = []
    for q in question.appeal.questions.order_by("position"):
        if q.pk == question.pk:
            if rest:
                texts.append(rest)
        elif q.pk == target.pk:
            texts.append(f"{q.text.strip()} {moved}")
        else:
            texts.append(q.text)
    return questions_recut(
        appeal=question.appeal,
        actor=actor,
        texts=texts,
        note=f"Предложение перенесено из вопроса {question.position} в вопрос {target.position}",
    )
