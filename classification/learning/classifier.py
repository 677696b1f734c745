"""A trained text classifier: features + linear model + how it was built; predicts with explanations.

Two presets cover what a body predicts:

- `TOPIC` (classifier code, local category, question type): lemmas with bigrams, lemmas crossed
  with the object type; classes balanced, so rare topics are not drowned by frequent ones
  (macro-F1 matters);
- `ROUTE` (department, organisation): lemmas crossed with the district — who answers depends on
  the place; classes not balanced, the big executors really are the likely ones (accuracy matters).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from classification.learning.features import FeatureConfig, FeatureSpace, Record, readable, record_tokens
from classification.learning.linear import LinearModel, train_linear

Progress = Callable[[float, str], None]
CALIBRATION_SHARE = 0.1
CALIBRATION_WINDOW = 10_000
MIN_FOR_CALIBRATION = 100


@dataclass(frozen=True)
class Preset:
    """How to train a target: features, regularisation, class balance."""

    name: str
    bigrams: bool
    c: float
    balanced: bool
    cross: str  # "object": lemmas × object type; "place": lemmas × object type and × district
    geo: bool


TOPIC = Preset(name="topic", bigrams=True, c=1.0, balanced=True, cross="object", geo=True)
ROUTE = Preset(name="route", bigrams=False, c=0.3, balanced=False, cross="place", geo=False)
PRESETS = {p.name: p for p in (TOPIC, ROUTE)}

OBJECT_FIELDS = ("object",)
PLACE_FIELDS = ("object", "district")


def config_for(preset: Preset) -> FeatureConfig:
    return FeatureConfig(
        bigrams=preset.bigrams,
        cross_fields=OBJECT_FIELDS if preset.cross == "object" else PLACE_FIELDS,
        geo=preset.geo,
    )


@dataclass(frozen=True)
class Prediction:
    """The best label, its confidence, the next ones and the words that decided."""

    label: str
    confidence: float
    alternatives: list[tuple[str, float]]  # the top three, best first (the label included)
    explanation: list[tuple[str, float]]  # readable feature, contribution


class TextClassifier:
    """Features and model for one target."""

    def __init__(self, space: FeatureSpace, model: LinearModel, preset: Preset) -> None:
        self.space = space
        self.model = model
        self.preset = preset

    @property
    def classes(self) -> list[str]:
        return self.model.classes

    def predict_labels(self, records: Sequence[Record]) -> list[str]:
        x = self.space.transform([record_tokens(r, self.space.config) for r in records])
        return self.model.predict(x)

    def predict(self, records: Sequence[Record], *, top: int = 3, explain: int = 0) -> list[Prediction]:
        x = self.space.transform([record_tokens(r, self.space.config) for r in records])
        proba = self.model.proba(x)
        out: list[Prediction] = []
        for i in range(x.shape[0]):
            order = np.argsort(-proba[i])[:top]
            alternatives = [(self.classes[j], float(proba[i, j])) for j in order]
            explanation: list[tuple[str, float]] = []
            if explain:
                seen: set[str] = set()
                for j, weight in self.model.contributions(x[i], int(order[0])):
                    word = readable(self.space.names[j])
                    if word in seen:
                        continue
                    seen.add(word)
                    explanation.append((word, round(weight, 4)))
                    if len(explanation) >= explain:
                        break
            out.append(
                Prediction(
                    label=alternatives[0][0],
                    confidence=alternatives[0][1],
                    alternatives=alternatives,
                    explanation=explanation,
                )
            )
        return out

    def state(self) -> dict[str, Any]:
        return {"preset": self.preset.name, "space": self.space.state(), "model": self.model.state()}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TextClassifier:
        return cls(
            FeatureSpace.from_state(state["space"]),
            LinearModel.from_state(state["model"]),
            PRESETS[state["preset"]],
        )


def train_classifier(
    records: Sequence[Record],
    labels: Sequence[str],
    *,
    preset: Preset = TOPIC,
    progress: Progress | None = None,
    token_lists: Sequence[list[str]] | None = None,
) -> TextClassifier:
    """Train on records in time order; confidences are calibrated on records the model did not see.

    A first model learns the records just before the newest tenth (at most CALIBRATION_WINDOW of
    them: the temperature it gives is the same as with all, measured on the SPb data, at a
    fraction of the time), the newest tenth fits the temperature; the final model learns all.
    """
    if len(records) != len(labels):
        raise ValueError("records and labels differ in length")
    if not records:
        raise ValueError("nothing to train on")
    config = config_for(preset)
    report = progress or (lambda share, stage: None)
    if token_lists is None:
        token_lists = []
        step = max(1, len(records) // 20)
        for i, record in enumerate(records):
            token_lists.append(record_tokens(record, config))
            if i % step == 0:
                report(0.4 * i / len(records), "разбор текстов")
    labels = list(labels)
    n = len(records)
    temperature = None
    if n >= MIN_FOR_CALIBRATION and len(set(labels)) > 1:
        report(0.4, "калибровка уверенности")
        head = int(n * (1 - CALIBRATION_SHARE))
        start = max(0, head - CALIBRATION_WINDOW)
        first_space = FeatureSpace(config)
        first = train_linear(
            first_space.fit_transform(token_lists[start:head]),
            labels[start:head],
            c=preset.c,
            balanced=preset.balanced,
            calibration=(first_space.transform(token_lists[head:]), labels[head:]),
        )
        temperature = first.temperature
    report(0.55, "обучение")
    space = FeatureSpace(config)
    model = train_linear(space.fit_transform(token_lists), labels, c=preset.c, balanced=preset.balanced)
    if temperature is not None:
        model.temperature = temperature
    report(1.0, "готово")
    return TextClassifier(space, model, preset)
