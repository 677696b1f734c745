"""Registration step: read the appeal's text before it is classified and routed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlp.models import AppealAnalysis
from nlp.services import appeals_analyse_new

ANALYSIS_ATTR = "_otklik_analysis"


def analyze_appeals(*, appeals: Sequence[Any], actor: Any) -> None:
    """Store the text analysis of newly registered appeals (entities, place, art. 11 signals); idempotent."""
    existing = {a.appeal_id: a for a in AppealAnalysis.objects.filter(appeal__in=[a.pk for a in appeals])}
    fresh = [appeal for appeal in appeals if appeal.pk not in existing]
    existing.update({a.appeal_id: a for a in appeals_analyse_new(fresh)} if fresh else {})
    for appeal in appeals:
        setattr(appeal, ANALYSIS_ATTR, existing[appeal.pk])


def analyze_appeal(*, appeal: Any, actor: Any) -> None:
    analyze_appeals(appeals=[appeal], actor=actor)


def analysis_of(appeal: Any) -> AppealAnalysis | None:
    """The analysis the first step stored (kept on the appeal object; read again only if absent)."""
    found = getattr(appeal, ANALYSIS_ATTR, None)
    if found is None:
        found = AppealAnalysis.objects.filter(appeal=appeal).first()
        setattr(appeal, ANALYSIS_ATTR, found)
    return found
