"""Understanding one question: the official code, the local category, the type, the kind — with reasons.

The engine combines, for each target, the answers of three sources and keeps the most confident:

1. the body's trained model (when `otklik train` has produced one);
2. the administrator's rules (keywords, phrases, regular expressions);
3. similarity to the classifier's own names and descriptions (cold start, never applied alone).

A local category mapped to an official code gives that code when nothing better is known. The
engine is pure: `classification.selectors.engine()` builds it from the database and caches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from classification.choices import SuggestionSource, Target
from classification.heuristics import item_kind, question_type
from classification.learning.classifier import Prediction, TextClassifier
from classification.learning.features import Record
from classification.rules import RuleAnswer, RuleSet
from classification.similarity import SimilarityIndex

# A similarity score is a cosine, not a probability: shown, never trusted on its own.
SIMILARITY_CAP = 0.6
EXPLAIN_WORDS = 6


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    confidence: float


@dataclass(frozen=True)
class TargetSuggestion:
    """The suggested value of one target, where it came from, the alternatives and the deciding words."""

    value: str
    label: str
    confidence: float
    source: str
    alternatives: list[Choice] = field(default_factory=list)
    explanation: list[tuple[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Understanding:
    code: TargetSuggestion | None
    local: TargetSuggestion | None
    qtype: TargetSuggestion
    kind: TargetSuggestion
    department: TargetSuggestion | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Names of what can be suggested: active codes, local categories and their mapping."""

    codes: Mapping[str, str] = field(default_factory=dict)
    locals: Mapping[str, str] = field(default_factory=dict)
    code_ids: Mapping[str, int] = field(default_factory=dict)
    local_ids: Mapping[str, int] = field(default_factory=dict)
    local_to_code: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    qtypes: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)


def _from_model(prediction: Prediction, names: Mapping[str, str]) -> TargetSuggestion | None:
    if prediction.label not in names:
        return None  # a code deactivated since training
    return TargetSuggestion(
        value=prediction.label,
        label=names[prediction.label],
        confidence=round(prediction.confidence, 4),
        source=SuggestionSource.MODEL,
        alternatives=[Choice(v, names[v], round(c, 4)) for v, c in prediction.alternatives if v in names],
        explanation=prediction.explanation,
    )


def _from_rules(answers: list[RuleAnswer], names: Mapping[str, str]) -> TargetSuggestion | None:
    known = [a for a in answers if a.value in names]
    if not known:
        return None
    best = known[0]
    return TargetSuggestion(
        value=best.value,
        label=names[best.value],
        confidence=round(best.confidence, 4),
        source=SuggestionSource.RULES,
        alternatives=[Choice(a.value, names[a.value], round(a.confidence, 4)) for a in known[:3]],
        explanation=[(word, round(best.score, 2)) for word in best.evidence[:EXPLAIN_WORDS]],
    )


def _from_similarity(index: SimilarityIndex | None, text: str, names: Mapping[str, str]) -> TargetSuggestion | None:
    if index is None or not len(index):
        return None
    matches = [m for m in index.query(text, top=3) if m.key in names]
    if not matches:
        return None
    best = matches[0]
    return TargetSuggestion(
        value=best.key,
        label=names[best.key],
        confidence=round(min(best.score, SIMILARITY_CAP), 4),
        source=SuggestionSource.SIMILARITY,
        alternatives=[Choice(m.key, names[m.key], round(min(m.score, SIMILARITY_CAP), 4)) for m in matches],
        explanation=[(w, best.score) for w in best.shared[:EXPLAIN_WORDS]],
    )


def _merge(primary: TargetSuggestion, *others: TargetSuggestion | None) -> TargetSuggestion:
    """Keep the primary answer; fill its alternatives (top three) from every source."""
    seen: dict[str, Choice] = {c.value: c for c in primary.alternatives}
    seen.setdefault(primary.value, Choice(primary.value, primary.label, primary.confidence))
    for other in others:
        if other is None:
            continue
        for c in [Choice(other.value, other.label, other.confidence), *other.alternatives]:
            if c.value not in seen:
                seen[c.value] = c
    ordered = sorted(seen.values(), key=lambda c: (c.value != primary.value, -c.confidence))
    return TargetSuggestion(
        value=primary.value,
        label=primary.label,
        confidence=primary.confidence,
        source=primary.source,
        alternatives=ordered[:3],
        explanation=primary.explanation,
    )


def _best(*candidates: TargetSuggestion | None) -> TargetSuggestion | None:
    present = [c for c in candidates if c is not None]
    if not present:
        return None
    winner = max(present, key=lambda c: c.confidence)
    return _merge(winner, *(c for c in present if c is not winner))


class Engine:
    """A snapshot of everything that suggests: models, rules, similarity indexes, names."""

    def __init__(
        self,
        *,
        vocabulary: Vocabulary,
        models: Mapping[str, TextClassifier] | None = None,
        rules: RuleSet | None = None,
        code_index: SimilarityIndex | None = None,
        local_index: SimilarityIndex | None = None,
        model_version_id: int | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.models = dict(models or {})
        self.rules = rules or RuleSet([])
        self.code_index = code_index
        self.local_index = local_index
        self.model_version_id = model_version_id

    def _predict(self, target: str, record: Record, names: Mapping[str, str]) -> TargetSuggestion | None:
        model = self.models.get(target)
        if model is None:
            return None
        return _from_model(model.predict([record], explain=EXPLAIN_WORDS)[0], names)

    def predict_department(self, record: Record) -> TargetSuggestion | None:
        """The unit that handled similar questions, from the trained model (None without one)."""
        return self._predict(Target.DEPARTMENT, record, self.vocabulary.departments)

    def understand(self, record: Record, *, channel: str = "", signal_codes: set[str] | None = None) -> Understanding:
        signal_codes = signal_codes or set()
        vocab = self.vocabulary
        text = record.text
        ruled = self.rules.match(text)

        local = _best(self._predict(Target.LOCAL, record, vocab.locals), _from_rules(ruled["local"], vocab.locals))
        code = _best(self._predict(Target.CODE, record, vocab.codes), _from_rules(ruled["code"], vocab.codes))
        mapped = None
        if local is not None and vocab.local_to_code.get(local.value) in vocab.codes:
            mapped_code = vocab.local_to_code[local.value]
            mapped = TargetSuggestion(
                value=mapped_code,
                label=vocab.codes[mapped_code],
                confidence=local.confidence,
                source=SuggestionSource.MAPPING,
                explanation=local.explanation,
            )
        if code is None:
            code = _best(mapped) if mapped is not None else None
        elif mapped is not None:
            code = _merge(code, mapped)
        if code is None:
            code = _from_similarity(self.code_index, text, vocab.codes)
        if local is None:
            local = _from_similarity(self.local_index, text, vocab.locals)

        heuristic_type = question_type(text, signal_codes)
        qtype = _best(
            self._predict(Target.QTYPE, record, vocab.qtypes),
            _from_rules(ruled["qtype"], vocab.qtypes),
            TargetSuggestion(
                value=heuristic_type.value,
                label=vocab.qtypes.get(heuristic_type.value, heuristic_type.value),
                confidence=heuristic_type.confidence,
                source=SuggestionSource.RULES,
                explanation=[(heuristic_type.evidence, 1.0)] if heuristic_type.evidence else [],
            ),
        )
        heuristic_kind = item_kind(text, channel, signal_codes)
        kind = _best(
            self._predict(Target.KIND, record, vocab.kinds),
            TargetSuggestion(
                value=heuristic_kind.value,
                label=vocab.kinds.get(heuristic_kind.value, heuristic_kind.value),
                confidence=heuristic_kind.confidence,
                source=SuggestionSource.RULES,
                explanation=[(heuristic_kind.evidence, 1.0)] if heuristic_kind.evidence else [],
            ),
        )
        assert qtype is not None and kind is not None
        return Understanding(
            code=code,
            local=local,
            qtype=qtype,
            kind=kind,
            department=self.predict_department(record),
        )
