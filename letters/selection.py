"""Which group and which wording a letter gets.

The suggested group follows the questions: the group whose classifier prefix matches a question's
code most specifically wins, an outcome that matches adds to it, a group with neither serves every
letter of its situation. Inside the group the wording is rotated: a variant this applicant received
within OTKLIK_LETTER_ROTATION_DAYS is avoided; among the rest, the one given least often recently
to letters of the same subject (classifier тематика) goes first, then the least used overall.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q

from core import clock
from letters.choices import LetterStatus
from letters.models import Letter, LetterTemplate, TemplateGroup
from people.models import Applicant


def topic_of(codes: Iterable[str]) -> str:
    """The subject group letters are compared by: the тематика (first two parts) of the first code."""
    for code in codes:
        if code:
            return ".".join(code.split(".")[:2])
    return ""


@dataclass(frozen=True)
class GroupScore:
    group: TemplateGroup
    score: int


def _score(group: TemplateGroup, codes: list[str], outcomes: list[str]) -> int | None:
    score = 0
    if group.classifier_prefix:
        prefix = group.classifier_prefix.strip()
        if not any(c.startswith(prefix) for c in codes):
            return None
        score += 10 * len(prefix)
    if group.outcome:
        if group.outcome not in outcomes:
            return None
        score += 5
    return score


def groups_for(situation: str, *, codes: list[str], outcomes: list[str]) -> list[TemplateGroup]:
    """Active groups of the situation that fit the questions and have a wording, best first."""
    groups = (
        TemplateGroup.objects.filter(situation=situation, is_active=True)
        .annotate(n=Count("variants", filter=Q(variants__is_active=True)))
        .filter(n__gt=0)
        .order_by("pk")
    )
    scored = [(s, g) for g in groups if (s := _score(g, codes, outcomes)) is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].pk))
    return [g for _, g in scored]


def choose_variant(
    group: TemplateGroup, *, applicant: Applicant | None, topic: str, now: dt.datetime | None = None
) -> LetterTemplate | None:
    """The wording to use: not one this applicant got recently, rarest on this subject, rarest overall."""
    variants = list(group.variants.filter(is_active=True).order_by("pk"))
    if not variants:
        return None
    now = now or clock.now()
    since = now - dt.timedelta(days=settings.OTKLIK_LETTER_ROTATION_DAYS)
    letters = Letter.objects.filter(template__in=variants).exclude(status=LetterStatus.CANCELLED)
    last_for_applicant: dict[int, dt.datetime] = {}
    if applicant is not None:
        rows = (
            letters.filter(applicant=applicant, created_at__gte=since)
            .values("template_id")
            .annotate(last=Max("created_at"))
        )
        last_for_applicant = {r["template_id"]: r["last"] for r in rows}
    on_topic: Counter[int] = Counter()
    if topic:
        on_topic.update(
            {
                r["template_id"]: r["n"]
                for r in letters.filter(topic=topic, created_at__gte=since)
                .values("template_id")
                .annotate(n=Count("pk"))
            }
        )
    overall: Counter[int] = Counter(
        {r["template_id"]: r["n"] for r in letters.values("template_id").annotate(n=Count("pk"))}
    )
    fresh = [v for v in variants if v.pk not in last_for_applicant]
    if fresh:
        return min(fresh, key=lambda v: (on_topic[v.pk], overall[v.pk], v.pk))
    # Every wording was used for this applicant: the one they got longest ago.
    return min(variants, key=lambda v: (last_for_applicant[v.pk], v.pk))


@dataclass(frozen=True)
class VariantUsage:
    template: LetterTemplate
    total: int
    recent: int
    last: dt.datetime | None


def usage(days: int = 30) -> list[VariantUsage]:
    """How often each wording was used: in all, in the last `days`, and when last."""
    since = clock.now() - dt.timedelta(days=days)
    live = ~Q(letters__status=LetterStatus.CANCELLED)
    rows = (
        LetterTemplate.objects.select_related("group")
        .annotate(
            total=Count("letters", filter=live),
            recent=Count("letters", filter=live & Q(letters__created_at__gte=since)),
            last=Max("letters__created_at", filter=live),
        )
        .order_by("group__situation", "group__name", "name")
    )
    return [VariantUsage(template=r, total=r.total, recent=r.recent, last=r.last) for r in rows]
