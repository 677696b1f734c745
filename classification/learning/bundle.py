"""A set of trained classifiers (one per target) stored as one compressed blob without pickle.

Arrays go into an `.npz` archive; vocabularies, classes and settings into a JSON document
inside it. Loading never executes code from the blob, so a model row cannot smuggle a program.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from classification.learning.classifier import TextClassifier

FORMAT_VERSION = 1
_ARRAYS = ("idf", "w_data", "w_indices", "w_indptr", "w_shape", "bias")


class BundleError(ValueError):
    """The stored model cannot be read (damaged, or written by an incompatible version)."""


def dumps(classifiers: Mapping[str, TextClassifier]) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"format": FORMAT_VERSION, "targets": {}}
    for target, classifier in classifiers.items():
        state = classifier.state()
        space, model = state["space"], state["model"]
        arrays[f"{target}.idf"] = np.asarray(space["idf"], dtype=np.float32)
        for key in ("w_data", "w_indices", "w_indptr", "w_shape", "bias"):
            arrays[f"{target}.{key}"] = np.asarray(model[key])
        meta["targets"][target] = {
            "preset": state["preset"],
            "config": space["config"],
            "names": space["names"],
            "classes": model["classes"],
            "temperature": model["temperature"],
        }
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def loads(blob: bytes) -> dict[str, TextClassifier]:
    try:
        archive = np.load(io.BytesIO(blob), allow_pickle=False)
        meta = json.loads(bytes(archive["meta"]).decode("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise BundleError(f"модель не читается: {exc.__class__.__name__}") from None
    if meta.get("format") != FORMAT_VERSION:
        raise BundleError("модель записана несовместимой версией программы")
    result: dict[str, TextClassifier] = {}
    for target, info in meta["targets"].items():
        arrays = {key: archive[f"{target}.{key}"] for key in _ARRAYS}
        state = {
            "preset": info["preset"],
            "space": {"config": info["config"], "names": info["names"], "idf": arrays["idf"]},
            "model": {
                "classes": info["classes"],
                "temperature": info["temperature"],
                **{k: arrays[k] for k in ("w_data", "w_indices", "w_indptr", "w_shape", "bias")},
            },
        }
        result[target] = TextClassifier.from_state(state)
    return result
