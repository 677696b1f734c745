"""Training the body's models from its own history: samples, chronological check, the bundle.

For every target with enough labelled questions: train on the older 80 %, measure on the
newer 20 % (accuracy, macro-F1 — what the model would have scored on what came next), then
train the final model on everything. Targets with too little history are skipped with the
reason written into the metrics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from appeals.choices import QuestionStatus
from classification.choices import SuggestionStatus, Target
from classification.learning import bundle
from classification.learning.classifier import ROUTE, TOPIC, TextClassifier, train_classifier
from classification.learning.evaluate import scores
from classification.learning.features import Record
from classification.selectors import record_for

Progress = Callable[[float, str], None]
CHECK_SHARE = 0.2
MIN_CLASS_SAMPLES = 2


@dataclass
class TrainingResult:
    """The trained bundle (serialised) and what was measured."""

    blob: bytes
    metrics: dict[str, Any]
    samples: int
    targets: list[str] = field(default_factory=list)


def _record(row: dict[str, Any]) -> Record:
    return record_for(
        text=row["text"],
        channel=row["appeal__channel"] or "",
        district=row["appeal__analysis__district"] or "",
        address=row["appeal__analysis__place_address"] or "",
        lat=row["appeal__analysis__lat"],
        lon=row["appeal__analysis__lon"],
    )


def labelled(rows: Sequence[dict[str, Any]]) -> dict[str, list[tuple[Record, str]]]:
    """The samples of every target, oldest first."""
    data: dict[str, list[tuple[Record, str]]] = {t.value: [] for t in Target}
    for row in rows:
        record = _record(row)
        auto_unconfirmed = row["suggestion__status"] == SuggestionStatus.APPLIED
        if row["classifier__code"] and row["classifier__is_active"] and not auto_unconfirmed:
            data[Target.CODE].append((record, row["classifier__code"]))
        if row["suggestion__local_assigned__code"]:
            data[Target.LOCAL].append((record, row["suggestion__local_assigned__code"]))
        by_person = row["appeal__registered_by_id"] is not None or row["suggestion__status"] in (
            SuggestionStatus.CONFIRMED,
            SuggestionStatus.CORRECTED,
        )
        if by_person:
            data[Target.QTYPE].append((record, row["qtype"]))
            if row["position"] == 1:
                data[Target.KIND].append((record, row["appeal__kind"]))
        if row["department_id"] and row["status"] != QuestionStatus.NEW:
            data[Target.DEPARTMENT].append((record, str(row["department_id"])))
    return data


def _usable(samples: list[tuple[Record, str]], minimum: int) -> tuple[list[tuple[Record, str]], str]:
    counts = Counter(label for _, label in samples)
    kept = [s for s in samples if counts[s[1]] >= MIN_CLASS_SAMPLES]
    classes = len({label for _, label in kept})
    if len(kept) < minimum:
        return [], f"мало примеров: {len(kept)} (нужно не меньше {minimum})"
    if classes < 2:
        return [], "все примеры одного класса"
    return kept, ""


def _part(report: Progress, start: float, span: float, name: str) -> Progress:
    """Progress of one part of the work mapped onto its share of the whole."""

    def inner(share: float, stage: str) -> None:
        report(start + span * share, name if name.endswith("проверка") else f"{name}: {stage}")

    return inner


def train_bundle(
    rows: Sequence[dict[str, Any]], *, min_samples: int, progress: Progress | None = None
) -> TrainingResult:
    """Train every target that has enough history; measure each on its newest fifth."""
    report = progress or (lambda share, stage: None)
    data = labelled(rows)
    metrics: dict[str, Any] = {}
    models: dict[str, TextClassifier] = {}
    targets = list(data)
    for i, target in enumerate(targets):
        base, span = i / len(targets), 1 / len(targets)
        label = Target(target).label
        samples, problem = _usable(data[target], min_samples)
        if problem:
            metrics[target] = {"skipped": problem}
            continue
        preset = ROUTE if target == Target.DEPARTMENT else TOPIC
        records = [r for r, _ in samples]
        labels = [y for _, y in samples]
        cut = int(len(samples) * (1 - CHECK_SHARE))
        check_model = train_classifier(
            records[:cut], labels[:cut], preset=preset, progress=_part(report, base, span * 0.45, f"{label}: проверка")
        )
        measured = scores(labels[cut:], check_model.predict_labels(records[cut:]))
        final = train_classifier(
            records, labels, preset=preset, progress=_part(report, base + span * 0.5, span * 0.5, label)
        )
        models[target] = final
        metrics[target] = {
            "accuracy": round(measured.accuracy, 4),
            "macro_f1": round(measured.macro_f1, 4),
            "n_train": cut,
            "n_test": len(samples) - cut,
            "classes": len(set(labels)),
        }
    report(1.0, "сохранение")
    return TrainingResult(
        blob=bundle.dumps(models) if models else b"",
        metrics=metrics,
        samples=len(rows),
        targets=sorted(models),
    )
