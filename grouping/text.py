"""The words that make two questions alike: content lemmas without function words."""

from __future__ import annotations

from classification.similarity import content_lemmas


def content_tokens(text: str) -> frozenset[str]:
    return frozenset(content_lemmas(text))
