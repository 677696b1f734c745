"""Cold start without history: which classifier entry reads most like the question.

Each entry is described by its own name, the names of its theme and topic above it and its
description; the question and the descriptions are compared as TF-IDF vectors of lemmas
(function words dropped). The score is a cosine: 0.3 is already a good match for a short
question, which is why these suggestions are never applied without an operator.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nlp.text import lemmas

# Function words: no topic in them (also kept out of the learned model's word pairs).
FUNCTION_WORDS = frozenset(
    [
        "и",
        "в",
        "во",
        "на",
        "с",
        "со",
        "по",
        "к",
        "ко",
        "у",
        "о",
        "об",
        "от",
        "до",
        "из",
        "за",
        "для",
        "не",
        "что",
        "это",
        "как",
        "а",
        "но",
        "же",
        "бы",
        "ли",
        "то",
        "так",
        "я",
        "мы",
        "вы",
        "он",
        "она",
        "они",
        "его",
        "ее",
        "их",
        "мой",
        "наш",
        "ваш",
        "весь",
        "этот",
        "тот",
        "который",
        "быть",
        "прошу",
        "просить",
        "пожалуйста",
    ]
)
# ...and the words every appeal uses, which say nothing about its topic either.
STOP = FUNCTION_WORDS | frozenset(
    [
        "ни",
        "или",
        "при",
        "под",
        "над",
        "оно",
        "свой",
        "иной",
        "другой",
        "исключение",
        "вопрос",
        "вопросы",
        "также",
        "том",
        "числе",
        "числе",
        "связи",
        "связь",
        "том",
    ]
)


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    shared: tuple[str, ...]


def content_lemmas(text: str) -> list[str]:
    return [w for w in lemmas(text) if w not in STOP and len(w) > 2 and not w.isdigit()]


class SimilarityIndex:
    """Entries (key, description text) as L2-normalised TF-IDF vectors of lemmas."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        docs = [(key, Counter(content_lemmas(text))) for key, text in entries]
        docs = [(k, c) for k, c in docs if c]
        df: Counter[str] = Counter()
        for _, counts in docs:
            df.update(counts.keys())
        n = len(docs)
        self.idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
        self.vectors: list[tuple[str, dict[str, float]]] = []
        self.postings: dict[str, list[int]] = {}
        for i, (key, counts) in enumerate(docs):
            vector = {w: (1 + math.log(c)) * self.idf[w] for w, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
            self.vectors.append((key, {w: v / norm for w, v in vector.items()}))
            for w in vector:
                self.postings.setdefault(w, []).append(i)

    def __len__(self) -> int:
        return len(self.vectors)

    def query(self, text: str, *, top: int = 3) -> list[Match]:
        counts = Counter(w for w in content_lemmas(text) if w in self.idf)
        if not counts:
            return []
        q = {w: (1 + math.log(c)) * self.idf[w] for w, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in q.values())) or 1.0
        q = {w: v / norm for w, v in q.items()}
        scores: dict[int, float] = {}
        for w, weight in q.items():
            for i in self.postings.get(w, ()):
                scores[i] = scores.get(i, 0.0) + weight * self.vectors[i][1][w]
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
        result = []
        for i, score in best:
            key, vector = self.vectors[i]
            shared = tuple(sorted((w for w in q if w in vector), key=lambda w: -q[w] * vector[w]))
            result.append(Match(key=key, score=round(score, 4), shared=shared))
        return result


def entry_description(name: str, ancestors: Sequence[str], description: str = "") -> str:
    """The text an entry is known by: its name counts twice, its theme and topic once."""
    return " ".join([name, name, *ancestors, description])
