"""Splitting an appeal's text into questions: sentences, then runs of adjacent sentences on one topic.

Pure functions. `propose()` takes a `classify` callable (text → topic and confidence) so the
registration uses the body's classification engine and the tests a plain function.

1. `sentences()` cuts at . ! ? … and line breaks, except after abbreviations met in addresses and
   letters («ул.», «д.», «кв.», «т. д.») and initials («А. С. Пушкина»).
2. Each sentence with enough content words is classified; short or topic-less sentences
   («Здравствуйте.», «Прошу разобраться.») are neutral and stay with their neighbours.
3. A new question starts where a confident topic differs from the current question's and the
   words hardly overlap, or where the writer says so («Также…», «Кроме того…», «Во-вторых…»).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grouping.matching import jaccard

Classify = Callable[[str], tuple[str, float]]

ABBREVIATIONS = frozenset({
    "ул", "д", "кв", "г", "пр", "пер", "просп", "наб", "пл", "ш", "корп", "к", "стр", "лит", "пос", "мкр",
    "р-н", "обл", "им", "т", "е", "п", "др", "см", "тел", "руб", "коп", "ст", "ч", "гр", "ср", "напр", "св",
    "тыс", "млн", "млрд",
})  # fmt: skip
_END = re.compile(r"[.!?…]+[»\")]*(?=\s+)|\n\s*\n|\n(?=\s*(?:\d+[.)]|[-–—•*])\s)")
_START_OK = re.compile(r"\s*(?:[«\"(]?[А-ЯЁA-Z0-9]|[-–—•*]\s)")
_MARKERS = re.compile(
    r"^\s*(?:\d+[.)]\s|[-–—•*]\s|также\b|кроме того\b|ещё\b|еще\b|помимо этого\b|помимо того\b|"
    r"во-вторых\b|в-третьих\b|в-четв[её]ртых\b|второй вопрос\b|другой вопрос\b|отдельно\b|и ещё\b|и еще\b|"
    r"а также\b)",
    re.IGNORECASE,
)
MIN_TOKENS = 3
MIN_CONFIDENCE = 0.25
MAX_OVERLAP = 0.2
MAX_QUESTIONS = 20


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A proposed question: sentence indices, its text and the topic the classifier gave it."""

    indices: tuple[int, ...]
    text: str
    topic: str = ""
    confidence: float = 0.0


def _abbreviation_before(text: str, dot: int) -> bool:
    word = re.search(r"([А-ЯЁа-яёA-Za-z-]+)$", text[:dot])
    if word is None:
        return False
    w = word.group(1)
    if len(w) == 1 and w.isupper():
        return True  # an initial
    return w.lower() in ABBREVIATIONS


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        mark = match.group(0)
        if mark.startswith(".") and _abbreviation_before(text, match.start()):
            continue
        if mark.strip() and not _START_OK.match(text, end):
            continue  # «… 5 ул. и т.п. дальше строчная»: not a sentence start
        _add(out, text, start, end)
        start = end
    _add(out, text, start, len(text))
    return out


def _add(out: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if not stripped or not re.search(r"[А-ЯЁа-яёA-Za-z0-9]", stripped):
        return
    offset = start + (len(chunk) - len(chunk.lstrip()))
    out.append(Sentence(text=stripped, start=offset, end=offset + len(stripped)))


def propose(items: Sequence[Sentence], classify: Classify, tokens: Callable[[str], frozenset[str]]) -> list[Segment]:
    """Runs of adjacent sentences about one thing; every sentence belongs to exactly one segment."""
    if not items:
        return []
    words = [tokens(s.text) for s in items]
    topics: list[tuple[str, float]] = [
        classify(s.text) if len(w) >= MIN_TOKENS else ("", 0.0) for s, w in zip(items, words, strict=True)
    ]
    runs: list[list[int]] = []
    run_topic: list[str] = []
    run_words: list[set[str]] = []
    for i, (topic, confidence) in enumerate(topics):
        topical = bool(topic) and confidence >= MIN_CONFIDENCE
        marker = bool(_MARKERS.match(items[i].text)) and len(words[i]) >= MIN_TOKENS
        if not runs:
            runs.append([i])
            run_topic.append(topic if topical else "")
            run_words.append(set(words[i]))
            continue
        current_topic = run_topic[-1]
        has_content = bool(run_words[-1]) and len(run_words[-1]) >= MIN_TOKENS
        shift = (
            topical
            and current_topic
            and topic != current_topic
            and jaccard(frozenset(run_words[-1]), words[i]) < MAX_OVERLAP
        )
        if has_content and (shift or marker) and len(runs) < MAX_QUESTIONS:
            runs.append([i])
            run_topic.append(topic if topical else "")
            run_words.append(set(words[i]))
        else:
            runs[-1].append(i)
            if not current_topic and topical:
                run_topic[-1] = topic
            run_words[-1] |= words[i]
    # A leading run without content (a greeting) belongs to the first real question.
    if len(runs) > 1 and len(run_words[0]) < MIN_TOKENS:
        runs[1] = runs[0] + runs[1]
        runs.pop(0)
        run_topic.pop(0)
    segments = []
    for run in runs:
        text = " ".join(items[i].text for i in run)
        topic, confidence = classify(text)
        segments.append(Segment(indices=tuple(run), text=text, topic=topic, confidence=confidence))
    return segments


def assignment_of(segments: Sequence[Segment], count: int) -> list[int]:
    """Sentence index → question number (1-based) of a proposal."""
    result = [1] * count
    for number, segment in enumerate(segments, start=1):
        for i in segment.indices:
            result[i] = number
    return result


def segments_from(assignment: Sequence[int], items: Sequence[Sentence]) -> list[tuple[int, ...]]:
    """Question numbers per sentence → sentence indices per question, in the order questions first appear.

    Raises ValueError on a number below 1 or a length that does not match the sentences.
    """
    if len(assignment) != len(items):
        raise ValueError("Разбивка не соответствует тексту обращения: обновите страницу.")
    if any(n < 1 for n in assignment):
        raise ValueError("Номер вопроса должен быть не меньше 1.")
    order: dict[int, list[int]] = {}
    for i, n in enumerate(assignment):
        order.setdefault(n, []).append(i)
    if len(order) > MAX_QUESTIONS:
        raise ValueError(f"Не больше {MAX_QUESTIONS} вопросов в одном обращении.")
    return [tuple(v) for v in order.values()]
