"""Matching: the grid covers the radius, complete linkage, windows, and the index finds what brute force finds."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from grouping.matching import (
    DAY,
    MemoryIndex,
    Params,
    Signature,
    cell_of,
    cells_around,
    decide,
    distance_m,
    group_sequentially,
    normalized_text,
    score,
    text_key,
)

P = Params(radius_m=100, window_days=7, threshold=0.5)
LAT, LON = 59.93, 30.31


def offset(lat: float, lon: float, north_m: float, east_m: float) -> tuple[float, float]:
    return lat + north_m / 111_320, lon + east_m / (111_320 * math.cos(math.radians(lat)))


def sig(
    i: int,
    *,
    north: float = 0,
    east: float = 0,
    days: float = 0,
    topic: str = "t",
    group: int | None = None,
    building: str = "",
    tokens: tuple[str, ...] = (),
    coords: bool = True,
) -> Signature:
    lat, lon = offset(LAT, LON, north, east)
    return Signature(
        id=i,
        topic=topic,
        at=1_600_000_000 + days * DAY,
        lat=lat if coords else None,
        lon=lon if coords else None,
        building=building,
        tokens=frozenset(tokens),
        group=group,
    )


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-60, max_value=70),
    st.floats(min_value=-170, max_value=170),
    st.floats(min_value=0, max_value=2 * math.pi),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([50, 100, 250]),
)
def test_cells_around_cover_every_point_within_the_radius(lat, lon, angle, share, radius) -> None:  # type: ignore[no-untyped-def]
    d = share * radius
    lat2, lon2 = offset(lat, lon, d * math.cos(angle), d * math.sin(angle))
    if distance_m(lat, lon, lat2, lon2) <= radius:
        assert cell_of(lat2, lon2) in cells_around(lat, lon, radius)


def test_distance_is_metres() -> None:
    lat2, lon2 = offset(LAT, LON, 0, 100)
    assert 99 < distance_m(LAT, LON, lat2, lon2) < 101


def test_score_needs_topic_place_and_window() -> None:
    assert score(sig(1), sig(2, east=50), P) is not None
    assert score(sig(1), sig(2, east=150), P) is None
    assert score(sig(1), sig(2, days=8), P) is None
    assert score(sig(1), sig(2, topic="other"), P) is None
    # Same building without coordinates counts as the same place.
    assert score(sig(1, coords=False, building="b"), sig(2, coords=False, building="b"), P) is not None
    assert score(sig(1, coords=False), sig(2, coords=False), P) is None


def test_shared_words_raise_the_score() -> None:
    plain = score(sig(1), sig(2, east=10), P)
    worded = score(sig(1, tokens=("отопление", "батарея")), sig(2, east=10, tokens=("отопление", "батарея")), P)
    assert plain is not None and worded is not None and worded > plain


def test_complete_linkage_refuses_a_group_whose_member_is_too_far() -> None:
    new = sig(10)
    near, far = sig(1, east=50, group=7), sig(2, east=140, group=7)
    decision = decide(new, [near, far], {7: 2}, P)
    assert decision.group is None
    # The same group with only the near member qualifies.
    assert decide(new, [near], {7: 1}, P).group == 7


def test_loose_similar_questions_found_a_group_only_if_compatible_with_each_other() -> None:
    new = sig(10)
    west, east = sig(1, east=-90), sig(2, east=90)  # each within 100 m of the new one, 180 m apart
    decision = decide(new, [west, east], {}, P)
    assert len(decision.similar) == 1


def test_threshold_filters_weak_matches() -> None:
    strict = Params(radius_m=100, window_days=7, threshold=0.9)
    assert decide(sig(10), [sig(1, east=80)], {}, strict).empty


def test_memory_index_finds_what_brute_force_finds() -> None:
    rng = random.Random(3)
    items = [
        sig(
            i,
            north=rng.uniform(-400, 400),
            east=rng.uniform(-400, 400),
            days=rng.uniform(0, 30),
            topic=rng.choice("ab"),
            building=rng.choice(["", "", "x", "y"]),
        )
        for i in range(1, 400)
    ]
    index = MemoryIndex()
    for item in items:
        index.add(item)
    for probe in items[:60]:
        found = {s.id for s in index.candidates(probe, P)} - {probe.id}
        brute = {s.id for s in items if s.id != probe.id and score(probe, s, P) is not None}
        assert brute <= found


def test_sequential_grouping_joins_a_cluster_and_leaves_strangers_alone() -> None:
    cluster = [sig(i, east=i * 5, days=i * 0.1) for i in range(1, 6)]
    stranger = sig(99, east=1000)
    other_topic = sig(98, topic="z")
    assignment = group_sequentially([*cluster, stranger, other_topic], P)
    assert {assignment[s.id] for s in cluster} == {1}
    assert 99 not in assignment and 98 not in assignment


def test_text_key_ignores_case_punctuation_and_yo() -> None:
    assert normalized_text("Нет  отопления!!! Ёлки") == "нет отопления елки"
    assert text_key("Нет отопления.") == text_key("нет ОТОПЛЕНИЯ")
    assert text_key("...") == ""
