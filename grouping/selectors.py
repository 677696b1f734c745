"""Reads of subject groups: matching lookups, what a user may see, the card's panel data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from appeals.models import Question
from appeals.selectors import appeals_visible_to
from grouping.choices import GroupStatus, ProposalState
from grouping.matching import Decision, Params, Signature, cells_around, decide
from grouping.models import GroupMembership, MatchProposal, QuestionSignature, RepeatLink, SubjectGroup
from org.selectors import Actor, actor_for

_FIELDS = ("question_id", "topic", "at", "lat", "lon", "building", "tokens", "group_id", "group__status")


def _signature(row: tuple) -> Signature | None:  # type: ignore[type-arg]
    qid, topic, at, lat, lon, building, tokens, group_id, group_status = row
    if group_status == GroupStatus.CLOSED:
        return None  # a closed group takes nobody, and its members belong to it
    return Signature(
        id=qid,
        topic=topic,
        at=at.timestamp(),
        lat=lat,
        lon=lon,
        building=building,
        tokens=frozenset(tokens.split()),
        group=group_id,
    )


def candidate_signatures(
    *,
    body_id: int,
    topic: str,
    at: dt.datetime,
    lat: float | None,
    lon: float | None,
    building: str,
    params: Params,
) -> list[Signature]:
    """Blocked candidates: same topic, the cells around the place (or the same building), the window."""
    window = dt.timedelta(days=params.window_days)
    base = QuestionSignature.objects.filter(topic=topic, at__gte=at - window, at__lte=at + window, body_id=body_id)
    rows: dict[int, Signature | None] = {}
    if lat is not None and lon is not None:
        for row in base.filter(cell__in=cells_around(lat, lon, params.radius_m)).values_list(*_FIELDS):
            rows[row[0]] = _signature(row)
    if building:
        for row in base.filter(building=building).values_list(*_FIELDS):
            if row[0] not in rows:
                rows[row[0]] = _signature(row)
    return [s for s in rows.values() if s is not None]


def active_group_sizes(group_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(group_ids))
    if not ids:
        return {}
    return dict(
        GroupMembership.objects.filter(group_id__in=ids, left_at__isnull=True)
        .values("group_id")
        .annotate(n=Count("pk"))
        .values_list("group_id", "n")
    )


def match_signature(
    *,
    body_id: int,
    topic: str,
    at: dt.datetime,
    lat: float | None,
    lon: float | None,
    building: str,
    tokens: frozenset[str],
    params: Params,
    question_id: int = 0,
) -> tuple[Decision, list[Signature]]:
    """Match one question (described by its parts) against the index: the decision and the candidates."""
    found = candidate_signatures(
        body_id=body_id, topic=topic, at=at, lat=lat, lon=lon, building=building, params=params
    )
    new = Signature(id=question_id, topic=topic, at=at.timestamp(), lat=lat, lon=lon, building=building, tokens=tokens)
    sizes = active_group_sizes(s.group for s in found if s.group is not None)
    return decide(new, found, sizes, params), found


# --- access ------------------------------------------------------------------------------------


def _sees_group(actor: Actor, group: SubjectGroup, visible_member: bool) -> bool:
    if actor.sees_everything:
        return True
    if group.lead_id is not None and group.lead_id in actor.acting_for_staff_ids:
        return True
    if group.department_id is not None and group.department_id in actor.headed_department_ids:
        return True
    return visible_member


def groups_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[SubjectGroup]:
    """Groups a user may open: everything for operators, controllers and administrators; otherwise
    groups they lead (or their unit leads) and groups with a member question they can see."""
    actor = actor_for(user)
    if not actor.is_staff_member:
        return SubjectGroup.objects.none()
    if actor.sees_everything:
        return SubjectGroup.objects.all()
    visible_questions = Question.objects.filter(appeal__in=appeals_visible_to(user))
    member_groups = GroupMembership.objects.filter(question__in=visible_questions, left_at__isnull=True).values(
        "group_id"
    )
    scope = Q(pk__in=member_groups)
    if actor.acting_for_staff_ids:
        scope |= Q(lead_id__in=actor.acting_for_staff_ids)
    if actor.headed_department_ids:
        scope |= Q(department_id__in=actor.headed_department_ids)
    return SubjectGroup.objects.filter(scope)


def group_for_user(user: AbstractBaseUser | AnonymousUser, group_id: int) -> SubjectGroup:
    if not actor_for(user).is_staff_member:
        raise PermissionDenied("Доступ только для сотрудников.")
    group = groups_visible_to(user).select_related("lead__user", "department", "classifier").filter(pk=group_id).first()
    if group is None:
        raise Http404("Группа не найдена")
    return group


@dataclass(frozen=True)
class MemberRow:
    membership: GroupMembership
    question: Question
    visible: bool


def members(group: SubjectGroup, user: AbstractBaseUser | AnonymousUser) -> list[MemberRow]:
    """Active members in joining order; questions of appeals the user may not see are marked so."""
    rows = list(
        group.memberships.filter(left_at__isnull=True)
        .select_related("question__appeal", "question__executor__user", "question__department")
        .order_by("joined_at", "pk")
    )
    visible = set(
        appeals_visible_to(user).filter(pk__in=[m.question.appeal_id for m in rows]).values_list("pk", flat=True)
    )
    return [MemberRow(m, m.question, m.question.appeal_id in visible) for m in rows]


def active_membership(question: Question) -> GroupMembership | None:
    return (
        GroupMembership.objects.filter(question=question, left_at__isnull=True)
        .select_related("group", "group__lead__user")
        .first()
    )


@dataclass
class QuestionPanel:
    membership: GroupMembership | None
    proposals: list[MatchProposal]
    repeat: RepeatLink | None


def panels_for(question_ids: list[int]) -> dict[int, QuestionPanel]:
    """Group, open proposals and repeat link of each question, in three queries."""
    panels = {qid: QuestionPanel(None, [], None) for qid in question_ids}
    for m in GroupMembership.objects.filter(question_id__in=question_ids, left_at__isnull=True).select_related(
        "group", "group__lead__user"
    ):
        panels[m.question_id].membership = m
    for p in MatchProposal.objects.filter(question_id__in=question_ids, state=ProposalState.PROPOSED).select_related(
        "group"
    ):
        panels[p.question_id].proposals.append(p)
    for r in RepeatLink.objects.filter(question_id__in=question_ids).select_related("earlier__appeal"):
        panels[r.question_id].repeat = r
    return panels
