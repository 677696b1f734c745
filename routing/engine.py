"""Routing as pure functions: rules by priority, learned routing, competence, load balancing.

Every function returns the decision together with the sentences that explain it; the services
store both, so every routing decision records why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.text import contains_phrase, lemma, lemma_sets, words


def _lemma_phrases(lines: Sequence[str]) -> list[tuple[tuple[str, ...], str]]:
    out = []
    for line in lines:
        parts = tuple(lemma(w) for w in words(line))
        if parts:
            out.append((parts, line.strip()))
    return out


def _found(readings: list[frozenset[str]], phrase: tuple[str, ...]) -> bool:
    return contains_phrase(readings, phrase)


def _code_matches(code: str, prefix: str) -> bool:
    """«0003.0009.0097» covers «0003.0009.0097.0690»; trailing zero groups are no restriction."""
    prefix = prefix.strip().strip(".")
    while prefix.endswith(".0000"):
        prefix = prefix[: -len(".0000")]
    return bool(code) and bool(prefix) and (code == prefix or code.startswith(prefix + "."))


@dataclass(frozen=True)
class RuleSpec:
    id: int
    name: str
    priority: int
    code_prefix: str = ""
    local_code: str = ""
    district: str = ""
    keywords: tuple[str, ...] = ()
    kind: str = ""
    department_id: int | None = None
    executor_id: int | None = None
    balance: bool = False


@dataclass(frozen=True)
class Context:
    """What is known about a question when it is routed."""

    text: str
    code: str = ""
    code_name: str = ""
    local_code: str = ""
    local_name: str = ""
    district: str = ""
    kind: str = ""
    # The unit history predicts, with its name and confidence.
    predicted_department_id: int | None = None
    predicted_department: str = ""
    predicted_confidence: float = 0.0


@dataclass(frozen=True)
class Decision:
    source: str  # "rule" | "model" | "none"
    department_id: int | None = None
    executor_id: int | None = None
    balance: bool = False
    rule_id: int | None = None
    confidence: float = 0.0
    apply: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def rule_matches(rule: RuleSpec, context: Context, sequence: list[frozenset[str]]) -> list[str] | None:
    """The reasons a rule fits the question, or None when one of its conditions fails."""
    reasons: list[str] = []
    if rule.code_prefix:
        if not _code_matches(context.code, rule.code_prefix):
            return None
        reasons.append(f"код {context.code} входит в {rule.code_prefix.strip()}")
    if rule.local_code:
        if context.local_code != rule.local_code:
            return None
        reasons.append(f"категория «{context.local_name or context.local_code}»")
    if rule.district:
        if context.district.casefold() != rule.district.strip().casefold():
            return None
        reasons.append(f"район «{context.district}»")
    if rule.kind:
        if context.kind != rule.kind:
            return None
        reasons.append("вид совпадает")
    if rule.keywords:
        hits = [written for phrase, written in _lemma_phrases(rule.keywords) if _found(sequence, phrase)]
        if not hits:
            return None
        reasons.append("слова: " + ", ".join(hits[:5]))
    if not reasons:
        reasons.append("правило без условий (маршрут по умолчанию)")
    return reasons


def decide(context: Context, rules: Sequence[RuleSpec], *, auto_threshold: float) -> Decision:
    """The first fitting rule by priority; else the unit learned from history; else nothing."""
    sequence = lemma_sets(context.text)
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        reasons = rule_matches(rule, context, sequence)
        if reasons is None:
            continue
        return Decision(
            source="rule",
            department_id=rule.department_id,
            executor_id=rule.executor_id,
            balance=rule.balance,
            rule_id=rule.id,
            confidence=1.0,
            apply=True,
            reasons=[f"правило «{rule.name}» (приоритет {rule.priority}): " + ", ".join(reasons)],
        )
    if context.predicted_department_id is not None:
        percent = round(context.predicted_confidence * 100)
        sure = context.predicted_confidence >= auto_threshold
        why = f"по истории похожие вопросы рассматривало «{context.predicted_department}» (уверенность {percent} %)"
        if not sure:
            why += f" — ниже порога {round(auto_threshold * 100)} %, решает оператор"
        return Decision(
            source="model",
            department_id=context.predicted_department_id,
            confidence=context.predicted_confidence,
            apply=sure,
            reasons=[why],
        )
    return Decision(source="none", reasons=["ни одно правило не подошло, обученной модели маршрутизации нет"])


# --- competence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BodySpec:
    """An external body of the competence directory."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    code_prefixes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompetenceResult:
    in_competence: bool
    body_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    blocked: bool = False  # the only competent body is the one complained about

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


_COMPLAINT_WORDS = frozenset(
    {"жалоба", "жаловаться", "обжаловать", "бездействие", "незаконный", "нарушение", "отказ", "отказать", "халатность"}
)


def _named(body: BodySpec, sequence: list[frozenset[str]]) -> str:
    for phrase, written in _lemma_phrases([body.name, *body.aliases]):
        if _found(sequence, phrase):
            return written
    return ""


def competence(
    context: Context,
    *,
    own_prefixes: Sequence[str],
    bodies: Sequence[BodySpec],
    is_complaint: bool,
) -> CompetenceResult:
    """Is the question ours? If not, which body is competent (never the one complained about)?"""
    in_own: bool | None = None
    if own_prefixes and context.code:
        in_own = any(_code_matches(context.code, p) for p in own_prefixes)
    if in_own:
        return CompetenceResult(in_competence=True)
    sequence = lemma_sets(context.text)
    present = set().union(*sequence) if sequence else set()
    complaint = is_complaint or bool(present & _COMPLAINT_WORDS)
    candidates: list[tuple[int, BodySpec, str]] = []
    for body in bodies:
        best = max((len(p) for p in body.code_prefixes if _code_matches(context.code, p)), default=0)
        if best:
            candidates.append((100 + best, body, f"код {context.code} в компетенции «{body.name}»"))
            continue
        hits = [written for phrase, written in _lemma_phrases(body.keywords) if _found(sequence, phrase)]
        if hits:
            candidates.append((len(hits), body, f"«{body.name}»: " + ", ".join(hits[:4])))
    if in_own is None and not candidates:
        return CompetenceResult(in_competence=True)
    if in_own is False and not candidates:
        return CompetenceResult(
            in_competence=False,
            reasons=[f"код {context.code} не входит в компетенцию органа; компетентный орган в справочнике не найден"],
        )
    candidates.sort(key=lambda c: -c[0])
    excluded: list[str] = []
    for _, body, why in candidates:
        named = _named(body, sequence) if complaint else ""
        if named:
            excluded.append(f"«{body.name}»: жалоба на его действия («{named}»), ст. 8 ч. 6 59-ФЗ")
            continue
        reasons = [why]
        if in_own is False:
            reasons.insert(0, f"код {context.code} не входит в компетенцию органа")
        return CompetenceResult(in_competence=False, body_id=body.id, reasons=reasons, excluded=excluded)
    return CompetenceResult(
        in_competence=False,
        reasons=[
            "компетентен только орган, на действия которого жалоба: вернуть заявителю с разъяснением "
            "права обжаловать действия в суде (ст. 8 ч. 6–7 59-ФЗ)"
        ],
        excluded=excluded,
        blocked=True,
    )


# --- load balancing -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExecutorLoad:
    staff_id: int
    name: str
    open_questions: int
    absent: bool = False
    substitute_id: int | None = None
    substitute_name: str = ""


def pick_executor(candidates: Sequence[ExecutorLoad], *, preferred: int | None = None) -> tuple[int | None, str]:
    """The named executor if present (else whoever substitutes them), else the least loaded present one."""
    by_id = {c.staff_id: c for c in candidates}
    if preferred is not None and preferred in by_id:
        chosen = by_id[preferred]
        if not chosen.absent:
            return chosen.staff_id, f"исполнитель по правилу: {chosen.name}"
        if chosen.substitute_id is not None:
            return chosen.substitute_id, f"{chosen.name} отсутствует, замещает {chosen.substitute_name}"
        reason = f"{chosen.name} отсутствует, замещающего нет; "
    else:
        reason = ""
    present = [c for c in candidates if not c.absent]
    if not present:
        return None, reason + "в подразделении нет присутствующих исполнителей: назначит руководитель"
    best = min(present, key=lambda c: (c.open_questions, c.name, c.staff_id))
    others = sorted(c.open_questions for c in present if c is not best)
    tail = f" (у остальных: {', '.join(str(n) for n in others[:5])})" if others else ""
    return best.staff_id, reason + f"наименьшая загрузка: {best.name}, открытых вопросов {best.open_questions}{tail}"
