"""Features of an appeal for the linear models: lemmas, the place, the kind of object.

A `Record` is what a real incoming item carries at registration: its text and, when the
channel knows them, categorical fields (object type, district, channel), an address and
coordinates. `FeatureSpace` turns records into TF-IDF weighted sparse rows; it is learnt on the
training records, and its state is plain data (a vocabulary and weights) so a stored model
needs no pickle.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import scipy.sparse as sp

from classification.similarity import FUNCTION_WORDS
from nlp.addresses import parse_address
from nlp.clean import clean_text
from nlp.text import lemmas


@dataclass(frozen=True)
class Record:
    """One item as it arrives: text plus whatever structured data the channel gives."""

    text: str
    fields: Mapping[str, str] = field(default_factory=dict)
    address: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class FeatureConfig:
    """Which features to build; stored with the model so prediction builds the same ones."""

    bigrams: bool = True
    # Fields whose value is crossed with every lemma: «graffiti» on a house is another
    # category than «graffiti» on a road sign.
    cross_fields: tuple[str, ...] = ()
    # Fields crossed with the place (street, grid cell): who answers depends on where.
    place_fields: tuple[str, ...] = ()
    geo: bool = True
    min_df: int = 2

    def to_dict(self) -> dict[str, Any]:
        return {
            "bigrams": self.bigrams,
            "cross_fields": list(self.cross_fields),
            "place_fields": list(self.place_fields),
            "geo": self.geo,
            "min_df": self.min_df,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureConfig:
        return cls(
            bigrams=bool(data.get("bigrams", True)),
            cross_fields=tuple(data.get("cross_fields", ())),
            place_fields=tuple(data.get("place_fields", ())),
            geo=bool(data.get("geo", True)),
            min_df=int(data.get("min_df", 2)),
        )


def readable(token: str) -> str:
    """A feature token as an operator reads it in an explanation."""
    kind, _, value = token.partition(":")
    if kind == "w":
        return value.replace("не_", "не ")
    if kind == "b":
        return value.replace("|", " ").replace("не_", "не ")
    if kind == "x":
        field_value, _, word = value.partition("|")
        return f"{word.replace('не_', 'не ')} ({field_value.partition('=')[2]})"
    if kind == "f":
        return value.partition("=")[2]
    if kind in {"s", "h", "sp"}:
        return "адрес: " + value.split("|")[-1] if kind != "sp" else "улица: " + value.split("|")[-1]
    if kind.startswith("g"):
        return "место на карте"
    return value


def _geo_cells(lat: float, lon: float) -> list[str]:
    # Three grid sizes, about 2 km, 600 m and 200 m across in St Petersburg's latitudes.
    return [
        f"g1:{math.floor(lat * 50)}_{math.floor(lon * 25)}",
        f"g2:{math.floor(lat * 160)}_{math.floor(lon * 80)}",
        f"g3:{math.floor(lat * 500)}_{math.floor(lon * 250)}",
    ]


def record_tokens(record: Record, config: FeatureConfig) -> list[str]:
    """Feature tokens of one record (a token may repeat: that is its term frequency)."""
    lems = lemmas(clean_text(record.text), keep_negation=True)
    tokens = [f"w:{w}" for w in lems]
    if config.bigrams:
        tokens.extend(f"b:{a}|{b}" for a, b in pairwise(lems))
    content = [w for w in dict.fromkeys(lems) if w not in FUNCTION_WORDS and not w.isdigit()]
    for name, value in record.fields.items():
        if not value:
            continue
        tokens.append(f"f:{name}={value}")
        if name in config.cross_fields:
            tokens.extend(f"x:{name}={value}|{w}" for w in content)
    place: list[str] = []
    if record.address:
        parsed = parse_address(record.address)
        if parsed is not None:
            place.append(f"s:{parsed.street_key}")
            if parsed.house:
                place.append(f"h:{parsed.street_key}|{parsed.house}")
    if config.geo and record.lat is not None and record.lon is not None:
        place.extend(_geo_cells(record.lat, record.lon))
    tokens.extend(place)
    for name in config.place_fields:
        field_value = record.fields.get(name, "")
        if field_value:
            tokens.extend(f"p:{name}={field_value}|{p}" for p in place)
    return tokens


class FeatureSpace:
    """A learnt vocabulary with inverse document frequencies; rows are L2-normalised."""

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray = np.zeros(0, dtype=np.float32)
        self.names: list[str] = []

    def fit_transform(self, token_lists: Sequence[list[str]]) -> sp.csr_matrix:
        df: Counter[str] = Counter()
        for tokens in token_lists:
            df.update(set(tokens))
        n = len(token_lists)
        kept = sorted(t for t, c in df.items() if c >= self.config.min_df)
        self.vocabulary = {t: i for i, t in enumerate(kept)}
        self.names = kept
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
        return self.transform(token_lists)

    def transform(self, token_lists: Iterable[list[str]]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        vocab = self.vocabulary
        for tokens in token_lists:
            counts = Counter(i for i in (vocab.get(t) for t in tokens) if i is not None)
            row = sorted(counts.items())
            values = [(1.0 + math.log(c)) * float(self.idf[i]) for i, c in row]
            norm = math.sqrt(sum(v * v for v in values)) or 1.0
            indices.extend(i for i, _ in row)
            data.extend(v / norm for v in values)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), np.asarray(indptr)),
            shape=(len(indptr) - 1, len(self.names)),
        )

    def state(self) -> dict[str, Any]:
        return {"config": self.config.to_dict(), "names": self.names, "idf": self.idf}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> FeatureSpace:
        space = cls(FeatureConfig.from_dict(state["config"]))
        space.names = list(state["names"])
        space.vocabulary = {t: i for i, t in enumerate(space.names)}
        space.idf = np.asarray(state["idf"], dtype=np.float32)
        return space
