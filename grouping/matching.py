"""Matching a question against open groups and recent questions: pure functions, no database.

A question is described by a `Signature`: its topic (classifier code, or the model's topic),
its place (a building key and/or coordinates), its time and the content lemmas of its text.
Blocking keeps the work small: only questions with the same topic, in the 100-metre grid cells
around the place (or in the same building) and inside the time window are ever compared — the
database answers that with one index range per cell (`QuestionSignature` indexes), the
in-memory `MemoryIndex` (benchmark, tests) with one dict lookup per cell.

A group is joined only by complete linkage: the new question must be within the radius and the
window of *every* active member, so a group never drifts along a street or a season.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

CELL_M = 100.0  # the grid of the index; a larger radius looks at more rings of cells
METRES_PER_DEGREE = 111_320.0
DAY = 86_400.0

# Weights of the score: the topic is a blocking condition, so every candidate starts at TOPIC.
TOPIC_WEIGHT = 0.5
PLACE_WEIGHT = 0.2
TEXT_WEIGHT = 0.3

_PUNCT = re.compile(r"[^0-9a-zа-я]+")


@dataclass(frozen=True)
class Signature:
    """What matching knows of one question."""

    id: int
    topic: str
    at: float  # seconds since the epoch
    lat: float | None = None
    lon: float | None = None
    building: str = ""
    tokens: frozenset[str] = frozenset()
    group: int | None = None


@dataclass(frozen=True)
class Candidate:
    signature: Signature
    score: float
    distance_m: float | None


@dataclass(frozen=True)
class Decision:
    """The best group to join (with its score), or similar ungrouped questions to found one with."""

    group: int | None = None
    group_score: float = 0.0
    group_members: tuple[int, ...] = ()
    similar: tuple[int, ...] = ()
    similar_score: float = 0.0

    @property
    def score(self) -> float:
        return self.group_score if self.group is not None else self.similar_score

    @property
    def empty(self) -> bool:
        return self.group is None and not self.similar


@dataclass(frozen=True)
class Params:
    radius_m: float = 100.0
    window_days: float = 7.0
    threshold: float = 0.55


def normalized_text(text: str) -> str:
    """Lower case, ё→е, letters and digits only, single spaces: the exact-text baseline's key."""
    return " ".join(_PUNCT.sub(" ", text.lower().replace("ё", "е")).split())


def text_key(text: str) -> str:
    normal = normalized_text(text)
    return hashlib.sha256(normal.encode("utf-8")).hexdigest() if normal else ""


def _row_col(lat: float, lon: float) -> tuple[int, int]:
    row = math.floor(lat * METRES_PER_DEGREE / CELL_M)
    # Columns are measured at the latitude of the row's centre, so a cell is CELL_M wide everywhere.
    centre = (row + 0.5) * CELL_M / METRES_PER_DEGREE
    col = math.floor(lon * METRES_PER_DEGREE * math.cos(math.radians(centre)) / CELL_M)
    return row, col


def cell_of(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    row, col = _row_col(lat, lon)
    return f"{row}:{col}"


def cells_around(lat: float, lon: float, radius_m: float) -> list[str]:
    """Every grid cell that can hold a point within `radius_m` of (lat, lon)."""
    reach = radius_m * 1.01  # a hair more than the radius: the sphere is not the grid's plane
    first = math.floor((lat - reach / METRES_PER_DEGREE) * METRES_PER_DEGREE / CELL_M)
    last = math.floor((lat + reach / METRES_PER_DEGREE) * METRES_PER_DEGREE / CELL_M)
    cells: list[str] = []
    for row in range(first, last + 1):
        centre = (row + 0.5) * CELL_M / METRES_PER_DEGREE
        scale = METRES_PER_DEGREE * math.cos(math.radians(centre)) / CELL_M
        # The radius spans the most longitude where the row's band is farthest from the equator.
        edge = max(abs(row * CELL_M / METRES_PER_DEGREE), abs((row + 1) * CELL_M / METRES_PER_DEGREE))
        d_lon = reach / (METRES_PER_DEGREE * max(0.01, math.cos(math.radians(min(89.0, edge)))))
        low, high = math.floor((lon - d_lon) * scale), math.floor((lon + d_lon) * scale)
        cells.extend(f"{row}:{col}" for col in range(low, high + 1))
    return cells


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance on the sphere (haversine); exact enough for a city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000.0 * math.asin(min(1.0, math.sqrt(a)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def place_distance(a: Signature, b: Signature) -> float | None:
    """Metres between two questions; 0 in the same building; None when the place is unknown."""
    if a.building and a.building == b.building:
        return 0.0
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return distance_m(a.lat, a.lon, b.lat, b.lon)


def compatible(a: Signature, b: Signature, params: Params) -> bool:
    """Same topic, same place (building or radius), inside the window."""
    if a.topic != b.topic or abs(a.at - b.at) > params.window_days * DAY:
        return False
    d = place_distance(a, b)
    return d is not None and d <= params.radius_m


def score(a: Signature, b: Signature, params: Params) -> float | None:
    """How alike two compatible questions are, 0.5…1; None when they are not compatible."""
    if not compatible(a, b, params):
        return None
    d = place_distance(a, b) or 0.0
    closeness = 1.0 - min(1.0, d / max(1.0, params.radius_m))
    return round(TOPIC_WEIGHT + PLACE_WEIGHT * closeness + TEXT_WEIGHT * jaccard(a.tokens, b.tokens), 4)


def decide(
    new: Signature,
    candidates: Iterable[Signature],
    group_sizes: dict[int, int],
    params: Params,
) -> Decision:
    """Pick the group to join, or the similar ungrouped questions, among blocked candidates.

    `group_sizes` holds the number of active members of every group met among the candidates:
    a group qualifies only if all its members are compatible with the new question (complete
    linkage) and their mean score reaches the threshold.
    """
    by_group: dict[int, list[tuple[int, float]]] = defaultdict(list)
    loose: list[tuple[float, Signature]] = []
    for other in candidates:
        if other.id == new.id:
            continue
        s = score(new, other, params)
        if s is None:
            continue
        if other.group is not None:
            by_group[other.group].append((other.id, s))
        else:
            loose.append((s, other))
    best_group: int | None = None
    best_score = 0.0
    best_members: tuple[int, ...] = ()
    for group, members in by_group.items():
        if len(members) < group_sizes.get(group, len(members)):
            continue  # some member is too far or too old: joining would stretch the group
        mean = sum(s for _, s in members) / len(members)
        if mean >= params.threshold and (mean > best_score or (mean == best_score and group < (best_group or 0))):
            best_group, best_score, best_members = group, mean, tuple(sorted(i for i, _ in members))
    if best_group is not None:
        return Decision(group=best_group, group_score=round(best_score, 4), group_members=best_members)
    # Found a group with the ungrouped similar questions that are also compatible with each other.
    chosen: list[Signature] = []
    scores: list[float] = []
    for s, other in sorted(loose, key=lambda p: (-p[0], p[1].id)):
        if s < params.threshold:
            break
        if all(compatible(other, c, params) for c in chosen):
            chosen.append(other)
            scores.append(s)
    if not chosen:
        return Decision()
    return Decision(similar=tuple(c.id for c in chosen), similar_score=round(sum(scores) / len(scores), 4))


@dataclass
class MemoryIndex:
    """Signatures in memory, blocked by (topic, cell) and (topic, building), each list kept in time order."""

    by_cell: dict[tuple[str, str], list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    by_building: dict[tuple[str, str], list[tuple[float, int]]] = field(default_factory=lambda: defaultdict(list))
    items: dict[int, Signature] = field(default_factory=dict)
    group_sizes: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, sig: Signature) -> None:
        self.items[sig.id] = sig
        if sig.lat is not None and sig.lon is not None:
            bisect.insort(self.by_cell[(sig.topic, cell_of(sig.lat, sig.lon))], (sig.at, sig.id))
        if sig.building:
            bisect.insort(self.by_building[(sig.topic, sig.building)], (sig.at, sig.id))
        if sig.group is not None:
            self.group_sizes[sig.group] += 1

    def set_group(self, sig_id: int, group: int) -> None:
        sig = self.items[sig_id]
        if sig.group is not None:
            self.group_sizes[sig.group] -= 1
        self.items[sig_id] = Signature(
            id=sig.id,
            topic=sig.topic,
            at=sig.at,
            lat=sig.lat,
            lon=sig.lon,
            building=sig.building,
            tokens=sig.tokens,
            group=group,
        )
        self.group_sizes[group] += 1

    def candidates(self, sig: Signature, params: Params) -> list[Signature]:
        since, until = sig.at - params.window_days * DAY, sig.at + params.window_days * DAY
        lists: list[list[tuple[float, int]]] = []
        if sig.lat is not None and sig.lon is not None:
            lists.extend(self.by_cell.get((sig.topic, c), []) for c in cells_around(sig.lat, sig.lon, params.radius_m))
        if sig.building:
            lists.append(self.by_building.get((sig.topic, sig.building), []))
        seen: set[int] = set()
        out: list[Signature] = []
        for entries in lists:
            start = bisect.bisect_left(entries, (since, -1))
            for at, sid in entries[start:]:
                if at > until:
                    break
                if sid not in seen:
                    seen.add(sid)
                    out.append(self.items[sid])
        return out

    def match(self, sig: Signature, params: Params) -> Decision:
        found = self.candidates(sig, params)
        sizes = {s.group: self.group_sizes[s.group] for s in found if s.group is not None}
        return decide(sig, found, sizes, params)


def group_sequentially(signatures: Sequence[Signature], params: Params) -> dict[int, int]:
    """Stream questions in time order, each joining what `decide` proposes (as if an operator accepted
    every proposal); return question id → group id (a group is named by its first question)."""
    index = MemoryIndex()
    assignment: dict[int, int] = {}
    for sig in sorted(signatures, key=lambda s: (s.at, s.id)):
        decision = index.match(sig, params)
        index.add(sig)
        if decision.group is not None:
            index.set_group(sig.id, decision.group)
            assignment[sig.id] = decision.group
        elif decision.similar:
            group = min(decision.similar)
            for member in (*decision.similar, sig.id):
                index.set_group(member, group)
                assignment[member] = group
    return assignment
