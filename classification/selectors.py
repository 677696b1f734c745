"""Reads of the classifier."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from classification.models import ClassifierEntry


def question_codes() -> QuerySet[ClassifierEntry]:
    """Active codes a question can carry (вопрос and уточнение levels)."""
    return ClassifierEntry.objects.filter(is_active=True, level__gte=4).order_by("code")


def search_codes(term: str, limit: int = 20) -> list[ClassifierEntry]:
    term = term.strip()
    if not term:
        return list(question_codes()[:limit])
    return list(question_codes().filter(Q(code__startswith=term) | Q(name__icontains=term))[:limit])
