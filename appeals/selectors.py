"""Reads of appeals and questions; every read for a user goes through `appeals_visible_to`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from appeals.choices import AppealStatus, QuestionStatus
from appeals.models import Appeal, AppealApplicant, AppealEvent, Question
from core.calendar import ProductionCalendar, current_calendar
from core.text import fold
from org.selectors import Actor, actor_for
from workflow.deadlines import deadline_state


def appeals_by_external(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Appeal]:
    """Appeals registered under these (external source, external id) pairs, one query per
    source; pairs without an id are never registered under it and are skipped."""
    by_source: dict[str, list[str]] = {}
    for source, external_id in pairs:
        if external_id:
            by_source.setdefault(source, []).append(external_id)
    found: dict[tuple[str, str], Appeal] = {}
    for source, ids in by_source.items():
        for appeal in Appeal.objects.filter(external_source=source, external_id__in=ids):
            found[(appeal.external_source, appeal.external_id)] = appeal
    return found


def _question_scope(actor: Actor) -> Q:
    """Questions a non-global actor may see: those they execute (or substitute) and their units'."""
    scope = Q(pk__in=[])
    if actor.acting_for_staff_ids:
        scope |= Q(executor_id__in=actor.acting_for_staff_ids)
    if actor.headed_department_ids:
        scope |= Q(department_id__in=actor.headed_department_ids)
    return scope


def appeals_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Appeal]:
    """THE access rule for appeals. Operators, controllers and administrators see all;
    heads see their units' appeals; executors see the appeals where they execute a question."""
    actor = actor_for(user)
    if not actor.is_staff_member:
        return Appeal.objects.none()
    if actor.sees_everything:
        return Appeal.objects.all()
    visible_questions = Question.objects.filter(_question_scope(actor), appeal_id=OuterRef("pk"))
    return Appeal.objects.filter(Exists(visible_questions))


def appeal_for_user(user: AbstractBaseUser | AnonymousUser, appeal_id: int) -> Appeal:
    """One appeal for a user, or 404 when it does not exist or is not theirs to see."""
    if not actor_for(user).is_staff_member:
        raise PermissionDenied("Доступ только для сотрудников.")
    appeal = (
        appeals_visible_to(user).select_related("body", "registered_by", "previous_appeal").filter(pk=appeal_id).first()
    )
    if appeal is None:
        raise Http404("Обращение не найдено")
    return appeal


def question_for_user(user: AbstractBaseUser | AnonymousUser, question_id: int) -> Question:
    question = Question.objects.select_related("appeal").filter(pk=question_id).first()
    if question is None:
        raise Http404("Вопрос не найден")
    appeal_for_user(user, question.appeal_id)
    return question


def with_list_relations(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """Everything a registry row shows, in a fixed number of queries."""
    return qs.select_related("body").prefetch_related(
        Prefetch("signatories", queryset=AppealApplicant.objects.select_related("applicant")),
        Prefetch(
            "questions",
            queryset=Question.objects.select_related("executor__user", "department", "classifier").order_by("position"),
        ),
    )


@dataclass(frozen=True)
class RegistryFilter:
    """The registry's filters as plain values (parsed from the query string by the form)."""

    q: str = ""
    status: str = ""
    channel: str = ""
    kind: str = ""
    department_id: int | None = None
    executor_id: int | None = None
    section: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    overdue: bool = False
    extra_control: bool = False  # open promises keep the appeal on additional control (promises app)
    sort: str = "-registered_at"


SORTS = {
    "-registered_at": ("-registered_at", "-pk"),
    "registered_at": ("registered_at", "pk"),
    "due_date": ("due_date", "pk"),
    "-due_date": ("-due_date", "-pk"),
    "number": ("number_year", "number_seq"),
    "-number": ("-number_year", "-number_seq"),
}


def registry(
    user: AbstractBaseUser | AnonymousUser, f: RegistryFilter, *, today: dt.date | None = None
) -> QuerySet[Appeal]:
    """The registry list for a user with filters applied."""
    today = today or timezone.localdate()
    qs = appeals_visible_to(user)
    if f.q:
        for term in fold(f.q).split()[:8]:
            qs = qs.filter(search_document__contains=term)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    question_filter = Q()
    if f.department_id:
        question_filter &= Q(department_id=f.department_id)
    if f.executor_id:
        question_filter &= Q(executor_id=f.executor_id)
    if f.section:
        question_filter &= Q(classifier__section=f.section)
    if question_filter:
        qs = qs.filter(Exists(Question.objects.filter(question_filter, appeal_id=OuterRef("pk"))))
    if f.date_from:
        qs = qs.filter(registered_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(registered_at__date__lte=f.date_to)
    if f.overdue:
        qs = qs.filter(
            Exists(
                Question.objects.filter(appeal_id=OuterRef("pk"), due_date__lt=today).exclude(
                    status=QuestionStatus.DONE
                )
            )
        )
    if f.extra_control:
        from promises.choices import OPEN_STATUSES
        from promises.models import Promise

        qs = qs.filter(Exists(Promise.objects.filter(appeal_id=OuterRef("pk"), status__in=sorted(OPEN_STATUSES))))
    return qs.order_by(*SORTS.get(f.sort, SORTS["-registered_at"]))


def my_questions(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Question]:
    """Open questions the user executes (or substitutes for) or has to approve, earliest deadline first."""
    actor = actor_for(user)
    if not actor.is_staff_member:
        return Question.objects.none()
    mine = Q(executor_id__in=actor.acting_for_staff_ids) if actor.acting_for_staff_ids else Q(pk__in=[])
    if actor.headed_department_ids:
        # A head's tasks: unassigned questions of their units and answers waiting for approval.
        mine |= Q(
            department_id__in=actor.headed_department_ids, status__in=[QuestionStatus.NEW, QuestionStatus.ON_APPROVAL]
        )
    return (
        Question.objects.filter(mine)
        .exclude(status=QuestionStatus.DONE)
        .exclude(appeal__status=AppealStatus.CLOSED)
        .select_related("appeal", "executor__user", "department", "classifier")
        .order_by("due_date", "appeal__registered_at", "position")
    )


def unassigned_questions() -> QuerySet[Question]:
    return (
        Question.objects.filter(status=QuestionStatus.NEW)
        .exclude(appeal__status=AppealStatus.CLOSED)
        .select_related("appeal", "department", "classifier")
        .order_by("due_date", "pk")
    )


class DeadlineMarker:
    """Labels questions and appeals as overdue / at risk with one calendar per request."""

    def __init__(self, *, today: dt.date | None = None, calendar: ProductionCalendar | None = None) -> None:
        self.today = today or timezone.localdate()
        self.calendar = calendar or current_calendar()
        self.at_risk_days = settings.OTKLIK_AT_RISK_DAYS

    def question(self, question: Question) -> str:
        return deadline_state(
            question.due_date,
            self.today,
            done=not question.is_open,
            at_risk_days=self.at_risk_days,
            calendar=self.calendar,
        )

    def appeal(self, appeal: Appeal) -> str:
        return deadline_state(
            appeal.due_date,
            self.today,
            done=not appeal.is_open,
            at_risk_days=self.at_risk_days,
            calendar=self.calendar,
        )


@dataclass
class TimelineEntry:
    """One user action on the timeline: the events it wrote, folded together."""

    first: AppealEvent
    changes: list[tuple[str, str, str]]
    notes: list[str]


def timeline(appeal: Appeal) -> list[TimelineEntry]:
    """The appeal's history, newest first; field changes made by one action share an entry."""
    events = AppealEvent.objects.filter(appeal=appeal).select_related("actor", "question").order_by("at", "pk")
    entries: list[TimelineEntry] = []
    for e in events:
        last = entries[-1].first if entries else None
        same_action = (
            last is not None
            and (last.kind, last.actor_id, last.question_id) == (e.kind, e.actor_id, e.question_id)
            and abs((e.at - last.at).total_seconds()) < 2
        )
        if not same_action:
            entries.append(TimelineEntry(first=e, changes=[], notes=[]))
        entry = entries[-1]
        if e.field:
            entry.changes.append((e.field, e.old_value, e.new_value))
        if e.note and e.note not in entry.notes:
            entry.notes.append(e.note)
    entries.reverse()
    return entries
