"""Reads of applicants: who may see a card, the card's whole history, the review queue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from rapidfuzz import fuzz

from appeals.models import Appeal, AppealApplicant, Question
from appeals.selectors import appeals_visible_to
from core.text import fold
from org.selectors import actor_for
from people import rules
from people.choices import SuspicionStatus
from people.matching import Candidate
from people.models import Applicant, ApplicantMerge, DedupRun, DuplicateSuspicion


def applicants_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Applicant]:
    """Live (not merged) cards a user may see: operators, controllers and administrators see every
    card; other staff see the applicants of the appeals they can see."""
    actor = actor_for(user)
    if not actor.is_staff_member:
        return Applicant.objects.none()
    live = Applicant.objects.filter(merged_into__isnull=True)
    if rules.sees_all_applicants(actor):
        return live
    return live.filter(appeals__in=appeals_visible_to(user)).distinct()


def applicant_for_user(user: AbstractBaseUser | AnonymousUser, applicant_id: int) -> Applicant:
    """One card for a user — for a merged card, the card it was merged into — or 404 when it
    does not exist or is not theirs to see."""
    if not actor_for(user).is_staff_member:
        raise PermissionDenied("Доступ только для сотрудников.")
    merged = Applicant.objects.filter(pk=applicant_id, merged_into__isnull=False).first()
    if merged is not None:
        applicant_id = surviving_card(merged).pk
    applicant = applicants_visible_to(user).filter(pk=applicant_id).first()
    if applicant is None:
        raise Http404("Заявитель не найден")
    return applicant


def surviving_card(applicant: Applicant) -> Applicant:
    """The card a merged card ended up in (merges may chain)."""
    seen = {applicant.pk}
    while applicant.merged_into_id is not None and applicant.merged_into_id not in seen:
        seen.add(applicant.merged_into_id)
        applicant = Applicant.objects.get(pk=applicant.merged_into_id)
    return applicant


@dataclass
class QuestionRow:
    question: Question
    repeated_of: Question | None = None  # an earlier question of the same applicant on the same matter
    repeated_why: str = ""


@dataclass
class AppealRow:
    appeal: Appeal
    questions: list[QuestionRow] = field(default_factory=list)
    state: str = ""  # deadline state, set by the page


@dataclass
class ApplicantHistory:
    """Everything the card shows, read in a fixed number of queries."""

    applicant: Applicant
    appeals: list[AppealRow]
    channels: list[tuple[str, int]]
    repeated_questions: int
    answers: list[Question]
    merges: list[ApplicantMerge]
    hidden_appeals: bool


REPEAT_TEXT_SIMILARITY = 80


def _repeats(rows: list[AppealRow]) -> int:
    """Mark questions that repeat an earlier one of the same applicant: the same classifier code,
    or a text that says nearly the same."""
    earlier: list[tuple[Question, str]] = []
    count = 0
    for row in sorted(rows, key=lambda r: (r.appeal.registered_at, r.appeal.pk)):
        for qrow in row.questions:
            q = qrow.question
            text = fold(q.text)[:600]
            for previous, previous_text in earlier:
                if previous.appeal_id == q.appeal_id:
                    continue
                if q.classifier_id and q.classifier_id == previous.classifier_id:
                    qrow.repeated_of, qrow.repeated_why = previous, "тот же код классификатора"
                elif fuzz.token_set_ratio(text, previous_text) >= REPEAT_TEXT_SIMILARITY:
                    qrow.repeated_of, qrow.repeated_why = previous, "похожий текст"
                if qrow.repeated_of is not None:
                    count += 1
                    break
            earlier.append((q, text))
    return count


def applicant_history(user: AbstractBaseUser | AnonymousUser, applicant: Applicant) -> ApplicantHistory:
    """The card's appeals the user may see, with their questions, answers, outcomes and channels;
    repeated questions marked; the card's merges."""
    visible = appeals_visible_to(user).filter(signatories__applicant=applicant)
    appeals = list(
        visible.select_related("body")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=Question.objects.select_related("classifier", "department", "executor__user").order_by(
                    "position"
                ),
            ),
            Prefetch("signatories", queryset=AppealApplicant.objects.select_related("applicant")),
        )
        .order_by("-registered_at", "-pk")[:500]
    )
    rows = [AppealRow(a, [QuestionRow(q) for q in a.questions.all()]) for a in appeals]
    repeated = _repeats(rows)
    channels = Counter(a.get_channel_display() for a in appeals)
    answers = [q.question for r in rows for q in r.questions if q.question.answer]
    merges = list(
        ApplicantMerge.objects.filter(Q(target=applicant) | Q(merged=applicant))
        .distinct()
        .select_related("actor", "undone_by")
        .prefetch_related("merged")
        .order_by("-at")[:50]
    )
    total = Appeal.objects.filter(signatories__applicant=applicant).count()
    return ApplicantHistory(
        applicant=applicant,
        appeals=rows,
        channels=channels.most_common(),
        repeated_questions=repeated,
        answers=answers,
        merges=merges,
        hidden_appeals=total > len(appeals),
    )


@dataclass
class CandidateRow:
    """A proposed card as the registration form and the card page show it."""

    candidate: Candidate
    applicant: Applicant
    appeals: int


def candidate_rows(candidates: list[Candidate]) -> list[CandidateRow]:
    """Candidates with their contacts and number of appeals, in two queries."""
    cards = (
        Applicant.objects.filter(pk__in=[c.applicant.pk for c in candidates])
        .prefetch_related("contacts")
        .annotate(appeal_count=Count("signed", distinct=True))
        .in_bulk()
    )
    return [
        CandidateRow(c, cards[c.applicant.pk], cards[c.applicant.pk].appeal_count)  # type: ignore[attr-defined]
        for c in candidates
        if c.applicant.pk in cards
    ]


def review_queue() -> QuerySet[DuplicateSuspicion]:
    """Pairs waiting for an operator, the most likely first; pairs with a merged card drop out."""
    return (
        DuplicateSuspicion.objects.filter(
            status=SuspicionStatus.PENDING,
            first__merged_into__isnull=True,
            second__merged_into__isnull=True,
            first__anonymised_at__isnull=True,
            second__anonymised_at__isnull=True,
        )
        .select_related("first", "second")
        .order_by("-probability", "pk")
    )


def merge_history() -> QuerySet[ApplicantMerge]:
    return ApplicantMerge.objects.select_related("target", "actor", "undone_by").prefetch_related("merged")


def dedup_runs() -> QuerySet[DedupRun]:
    return DedupRun.objects.select_related("started_by").order_by("-created_at", "-pk")
