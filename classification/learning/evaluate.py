"""Train on one labelled set, score on another, and score a plain baseline the same way.

The baseline is what anyone would try first: TF-IDF of the words of the text (HTML stripped)
and a logistic regression. The model is Otklik's: lemmas with negation, bigrams, the object
type and the place, a linear SVM with calibrated confidences.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from classification.learning.classifier import ROUTE, TOPIC, TextClassifier, train_classifier
from classification.learning.datasets import Dataset
from classification.learning.features import Record
from nlp.clean import clean_text

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float


@dataclass(frozen=True)
class EvaluationReport:
    """The figures of one evaluation run."""

    n_train: int
    n_test: int
    dropped_seen: int
    classes: int
    model: Scores
    baseline: Scores
    train_seconds: float
    baseline_seconds: float
    predict_p50_ms: float
    predict_p99_ms: float


def scores(truth: Sequence[str], predicted: Sequence[str]) -> Scores:
    from sklearn.metrics import accuracy_score, f1_score

    return Scores(
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, average="macro", zero_division=0)),
    )


def drop_seen(train: Dataset, test: Dataset) -> tuple[Dataset, int]:
    """Test records whose text also occurs in training say nothing about generalisation: drop them."""
    seen = {r.text.strip() for r in train.records}
    kept = [(r, y) for r, y in zip(test.records, test.labels, strict=True) if r.text.strip() not in seen]
    dropped = len(test) - len(kept)
    return Dataset(records=[r for r, _ in kept], labels=[y for _, y in kept], skipped=test.skipped), dropped


def baseline_predict(train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str]) -> list[str]:
    """TF-IDF of words + logistic regression, scikit-learn defaults."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer()
    x = vectorizer.fit_transform([clean_text(t) for t in train_texts])
    if len(set(train_labels)) == 1:
        return [train_labels[0]] * len(test_texts)
    model = LogisticRegression(max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, list(train_labels))
    return [str(p) for p in model.predict(vectorizer.transform([clean_text(t) for t in test_texts]))]


def latency_ms(classifier: TextClassifier, records: Sequence[Record], *, sample: int = 500) -> list[float]:
    """Time to predict one record at a time (the way registration predicts), in milliseconds."""
    rng = random.Random(1)  # noqa: S311 — picks a sample to time, nothing secret
    chosen = list(records) if len(records) <= sample else rng.sample(list(records), sample)
    timings = []
    for record in chosen:
        start = time.perf_counter()
        classifier.predict([record], explain=5)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def evaluate(
    train: Dataset,
    test: Dataset,
    *,
    routing: bool,
    drop_duplicates: bool = True,
    progress: Progress | None = None,
) -> EvaluationReport:
    """Train the model and the baseline on `train`, score both on `test`."""
    report = progress or (lambda share, stage: None)
    dropped = 0
    if not len(train) or not len(test):
        raise ValueError("в файле обучения или проверки нет ни одной строки с меткой")
    if drop_duplicates:
        test, dropped = drop_seen(train, test)
    if not len(test):
        raise ValueError(
            "все тексты проверочного файла есть в обучающем: проверять не на чем (--keep-duplicates оставит их)"
        )
    start = time.perf_counter()
    classifier = train_classifier(
        train.records,
        train.labels,
        preset=ROUTE if routing else TOPIC,
        progress=lambda share, stage: report(0.6 * share, stage),
    )
    train_seconds = time.perf_counter() - start
    report(0.6, "проверка модели")
    model_scores = scores(test.labels, classifier.predict_labels(test.records))
    timings = latency_ms(classifier, test.records)
    report(0.7, "базовая модель (TF-IDF + логистическая регрессия)")
    start = time.perf_counter()
    baseline_labels = baseline_predict([r.text for r in train.records], train.labels, [r.text for r in test.records])
    baseline_seconds = time.perf_counter() - start
    report(1.0, "готово")
    return EvaluationReport(
        n_train=len(train),
        n_test=len(test),
        dropped_seen=dropped,
        classes=len(set(train.labels)),
        model=model_scores,
        baseline=scores(test.labels, baseline_labels),
        train_seconds=train_seconds,
        baseline_seconds=baseline_seconds,
        predict_p50_ms=percentile(timings, 50),
        predict_p99_ms=percentile(timings, 99),
    )
