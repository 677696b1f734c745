"""Small text helpers shared by the apps."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")


def normalize_spaces(value: str) -> str:
    """Collapse runs of white space and strip the ends."""
    return _SPACES.sub(" ", value).strip()


def fold(value: str) -> str:
    """Lower-case, ё→е, single spaces: the form used for search and comparison."""
    return normalize_spaces(value).lower().replace("ё", "е")


def shorten(value: str, limit: int = 120) -> str:
    """Cut a text to `limit` characters at a word boundary, with an ellipsis."""
    value = normalize_spaces(value)
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"
