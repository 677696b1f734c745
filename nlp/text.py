"""Tokens and lemmas of Russian text: the shared ground of cleaning, entities and classification."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

WORD_RE = re.compile(r"[А-Яа-яЁёA-Za-z]+(?:-[А-Яа-яЁёA-Za-z]+)*|\d+")
NEGATIONS = frozenset({"не", "нет", "ни"})

_morph: Any = None


def morph() -> Any:
    """The process-wide pymorphy3 analyser (loading it takes a tenth of a second)."""
    global _morph
    if _morph is None:
        import logging

        import pymorphy3

        # Its «Loading dictionaries» lines are noise in every command's output.
        logging.getLogger("pymorphy3").setLevel(logging.WARNING)
        _morph = pymorphy3.MorphAnalyzer()
    return _morph


def fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Words and numbers in reading order, folded (lower case, ё→е)."""
    return [fold(w) for w in WORD_RE.findall(text)]


@lru_cache(maxsize=300_000)
def lemma(word: str) -> str:
    """The dictionary form of a folded word; numbers and Latin words stay as they are."""
    if word.isdigit() or not ("а" <= word[0] <= "я"):
        return word
    return fold(morph().parse(word)[0].normal_form)


@lru_cache(maxsize=300_000)
def lemma_set(word: str) -> frozenset[str]:
    """Every dictionary form the word may have: «ямы» is «яма» or (more often, says the dictionary) «ям».

    Matching a keyword against all readings finds what a person would; the single best reading
    (`lemma`) stays the feature of the models, where consistency matters more.
    """
    if word.isdigit() or not ("а" <= word[0] <= "я"):
        return frozenset({word})
    return frozenset(fold(p.normal_form) for p in morph().parse(word))


def lemma_sets(text: str) -> list[frozenset[str]]:
    return [lemma_set(w) for w in words(text)]


def contains_phrase(readings: list[frozenset[str]], phrase: tuple[str, ...]) -> bool:
    """The phrase's lemmas appear in a row, each among the readings of its word."""
    n = len(phrase)
    return any(all(phrase[k] in readings[i + k] for k in range(n)) for i in range(len(readings) - n + 1))


def lemmas(text: str, *, keep_negation: bool = False) -> list[str]:
    """Lemmas of the text; with `keep_negation`, «не работает» becomes one token «не_работать».

    Negation matters for appeals: «не устранено» is the opposite of «устранено».
    """
    out: list[str] = []
    negate = False
    for w in words(text):
        if keep_negation and w in NEGATIONS:
            negate = True
            continue
        lem = lemma(w)
        out.append(f"не_{lem}" if negate else lem)
        negate = False
    return out
