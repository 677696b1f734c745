"""Administrator rules as a pure matcher: keywords (any word form), phrases, regular expressions.

A rule scores `weight` for every keyword found, twice that for a phrase or a pattern. Scores of
the rules that point to the same answer add up. The confidence of a rule answer is
score / (score + 1): one keyword of weight 1 gives 0.5, a phrase of weight 4 gives 0.89.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from nlp.text import contains_phrase, lemma, lemma_sets, words


@dataclass(frozen=True)
class RuleSpec:
    """A rule as plain data: what it points to and what it looks for."""

    name: str
    code: str = ""
    local: str = ""
    qtype: str = ""
    keywords: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass
class RuleAnswer:
    """One answer the rules give, with the evidence and the rules that gave it."""

    value: str
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        return self.score / (self.score + 1.0)


def split_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@dataclass(frozen=True)
class _Compiled:
    spec: RuleSpec
    keywords: tuple[tuple[str, str], ...]  # (lemma, as written)
    phrases: tuple[tuple[tuple[str, ...], str], ...]
    patterns: tuple[tuple[re.Pattern[str], str], ...]


class RuleSet:
    """Compiled rules; `match(text)` gives the answers for codes, local categories and types."""

    def __init__(self, specs: Iterable[RuleSpec]) -> None:
        compiled = []
        for spec in specs:
            keywords = []
            phrases = []
            for k in spec.keywords:
                parts = tuple(lemma(w) for w in words(k))
                if len(parts) == 1:
                    keywords.append((parts[0], k))
                elif parts:
                    phrases.append((parts, k))
            phrases.extend((tuple(lemma(w) for w in words(p)), p) for p in spec.phrases if words(p))
            patterns = []
            for p in spec.patterns:
                try:
                    patterns.append((re.compile(p, re.IGNORECASE), p))
                except re.error:
                    continue  # the admin form refuses bad patterns; an old bad one is skipped, not fatal
            compiled.append(_Compiled(spec, tuple(keywords), tuple(phrases), tuple(patterns)))
        self.rules = compiled

    def __len__(self) -> int:
        return len(self.rules)

    def match(self, text: str) -> dict[str, list[RuleAnswer]]:
        """{"code": [...], "local": [...], "qtype": [...]}, each sorted by score, best first."""
        if not self.rules:
            return {"code": [], "local": [], "qtype": []}
        readings = lemma_sets(text)
        present = set().union(*readings) if readings else set()
        answers: dict[str, dict[str, RuleAnswer]] = {"code": {}, "local": {}, "qtype": {}}
        for rule in self.rules:
            score = 0.0
            evidence: list[str] = []
            for lem, written in rule.keywords:
                if lem in present:
                    score += rule.spec.weight
                    evidence.append(written)
            for parts, written in rule.phrases:
                if contains_phrase(readings, parts):
                    score += 2 * rule.spec.weight
                    evidence.append(written)
            for pattern, _ in rule.patterns:
                found = pattern.search(text)
                if found:
                    score += 2 * rule.spec.weight
                    evidence.append(found.group(0))
            if not score:
                continue
            for target, value in (("code", rule.spec.code), ("local", rule.spec.local), ("qtype", rule.spec.qtype)):
                if not value:
                    continue
                answer = answers[target].setdefault(value, RuleAnswer(value=value))
                answer.score += score
                answer.evidence.extend(e for e in evidence if e not in answer.evidence)
                answer.rules.append(rule.spec.name)
        return {target: sorted(found.values(), key=lambda a: -a.score) for target, found in answers.items()}
