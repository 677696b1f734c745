"""A linear classifier over sparse features with calibrated confidences and explanations.

Training uses scikit-learn's LinearSVC (fast on sparse text, strong on short texts). Its
scores become probabilities through a softmax whose temperature is fitted on held-out
records, so «confidence 0.9» means about nine right out of ten. The weights are stored
sparse (tiny weights dropped): a model of a hundred classes stays a few megabytes.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

TEMPERATURES = np.geomspace(0.02, 3.0, 40)


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that best explains held-out answers (least log-loss)."""
    rows = np.arange(len(truth))
    known = truth >= 0
    if not known.any():
        return 0.3
    best, best_loss = 0.3, np.inf
    for t in TEMPERATURES:
        p = softmax(scores[known], float(t))[rows[: known.sum()], truth[known]]
        loss = -np.log(np.clip(p, 1e-9, 1.0)).mean()
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


@dataclass
class LinearModel:
    """Weights (features × classes), biases, class labels and the calibration temperature."""

    classes: list[str]
    weights: sp.csr_matrix
    bias: np.ndarray
    temperature: float = 0.3

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        return np.asarray((x @ self.weights).toarray()) + self.bias

    def proba(self, x: sp.csr_matrix) -> np.ndarray:
        if len(self.classes) == 1:
            return np.ones((x.shape[0], 1))
        return softmax(self.scores(x), self.temperature)

    def predict(self, x: sp.csr_matrix) -> list[str]:
        if len(self.classes) == 1:
            return [self.classes[0]] * x.shape[0]
        return [self.classes[i] for i in self.scores(x).argmax(axis=1)]

    def contributions(self, x_row: sp.csr_matrix, class_index: int) -> list[tuple[int, float]]:
        """(feature index, contribution) of one record to one class, strongest first."""
        if len(self.classes) == 1:
            return []
        row = x_row.tocsr()
        # Only the rows of the features present: slicing rows of a CSR matrix is cheap, columns are not.
        column = np.asarray(self.weights[row.indices, :][:, class_index].toarray()).ravel()
        pairs = [(int(j), float(v * w)) for j, v, w in zip(row.indices, row.data, column, strict=True)]
        return sorted((p for p in pairs if p[1] > 0), key=lambda p: -p[1])

    def state(self) -> dict[str, Any]:
        w = self.weights.tocsr()
        return {
            "classes": list(self.classes),
            "w_data": w.data.astype(np.float32),
            "w_indices": w.indices.astype(np.int32),
            "w_indptr": w.indptr.astype(np.int64),
            "w_shape": np.asarray(w.shape, dtype=np.int64),
            "bias": self.bias.astype(np.float32),
            "temperature": float(self.temperature),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> LinearModel:
        shape = tuple(int(v) for v in state["w_shape"])
        weights = sp.csr_matrix((state["w_data"], state["w_indices"], state["w_indptr"]), shape=shape)
        return cls(
            classes=list(state["classes"]),
            weights=weights,
            bias=np.asarray(state["bias"], dtype=np.float32),
            temperature=float(state["temperature"]),
        )


def _fit_svc(x: sp.csr_matrix, y: Sequence[str], *, c: float, balanced: bool) -> tuple[list[str], Any, Any]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC

    svc = LinearSVC(C=c, class_weight="balanced" if balanced else None, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        svc.fit(x, list(y))
    classes = [str(c) for c in svc.classes_]
    coef = np.asarray(svc.coef_, dtype=np.float32)
    intercept = np.asarray(svc.intercept_, dtype=np.float32)
    if len(classes) == 2:
        # Binary LinearSVC keeps one row: the second class's score; the first's is its negative.
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
    return classes, coef, intercept


def _sparsify(coef: np.ndarray, keep: float) -> sp.csr_matrix:
    """Drop the smallest weights: keep those above `keep` × the class's largest weight."""
    limit = np.abs(coef).max(axis=1, keepdims=True) * keep
    pruned = np.where(np.abs(coef) >= limit, coef, 0.0).astype(np.float32)
    return sp.csr_matrix(pruned.T)


def train_linear(
    x: sp.csr_matrix,
    y: Sequence[str],
    *,
    c: float = 0.5,
    balanced: bool = True,
    calibration: tuple[sp.csr_matrix, Sequence[str]] | None = None,
    keep: float = 0.02,
) -> LinearModel:
    """Fit on (x, y); with `calibration` records, fit the temperature of the confidences on them."""
    labels = Counter(y)
    if len(labels) == 1:
        only = next(iter(labels))
        return LinearModel(
            classes=[only], weights=sp.csr_matrix((x.shape[1], 1), dtype=np.float32), bias=np.zeros(1, np.float32)
        )
    classes, coef, intercept = _fit_svc(x, y, c=c, balanced=balanced)
    model = LinearModel(classes=classes, weights=_sparsify(coef, keep), bias=intercept)
    if calibration is not None and calibration[0].shape[0]:
        index = {label: i for i, label in enumerate(classes)}
        truth = np.array([index.get(label, -1) for label in calibration[1]])
        model.temperature = fit_temperature(model.scores(calibration[0]), truth)
    return model
