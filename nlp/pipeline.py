"""Registration step: read the appeal's text before it is classified and routed."""

from __future__ import annotations

from typing import Any

from nlp.models import AppealAnalysis
from nlp.services import appeal_analyse

ANALYSIS_ATTR = "_otklik_analysis"


def analyze_appeal(*, appeal: Any, actor: Any) -> None:
    """Store the text analysis of a newly registered appeal (entities, place, art. 11 signals); idempotent."""
    existing = AppealAnalysis.objects.filter(appeal=appeal).first()
    setattr(appeal, ANALYSIS_ATTR, existing or appeal_analyse(appeal=appeal, replace=False))


def analysis_of(appeal: Any) -> AppealAnalysis | None:
    """The analysis the first step stored (kept on the appeal object; read again only if absent)."""
    found = getattr(appeal, ANALYSIS_ATTR, None)
    if found is None:
        found = AppealAnalysis.objects.filter(appeal=appeal).first()
        setattr(appeal, ANALYSIS_ATTR, found)
    return found
