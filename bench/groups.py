"""Subject groups on real data: pairwise quality of proposed groups, and matching time at 1,000,000.

Data: ../shared/data/spb (St Petersburg portal, Oct 2020 – Feb 2021).

Reference: two reports belong together when they have the same portal reason, the same building
(same address) or are within 100 m, and were filed within 7 days of each other. Pairs are counted
inside the evaluated month.

Otklik's proposal: the reason is *not* given to the system. The body's topic model
(`classification.learning`, preset TOPIC) is trained on October–December and predicts the reason
of every later report from its text, object type and place; the report then goes through
`grouping.matching` exactly as the registration step does (blocking by topic × 100 m cells ×
7 days, complete linkage, score threshold), and joins what is proposed — as if the operator
accepted every proposal.

Protocol: the score threshold is chosen on January 2021; the figures are reported on February
2021 (never seen by the model, nor by the threshold choice). Baseline in the same run: reports
with exactly the same normalised text form a group.

Speed: a SQLite database with 1,000,000 question signatures (February's reports replicated over
past years with shifted dates, as the `QuestionSignature` rows the service writes); the timed
call is `grouping.selectors.match_signature()` — the database lookup plus the decision — for
1,000 new questions; p50/p95.

    .venv/bin/python bench/groups.py [--registry 1000000] [--queries 1000] [--skip-latency]

Last line: precision=… recall=… f1=… match_p95_ms=… baseline_f1=…
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from _setup import ROOT, django_in_temp_database, percentile

DATA = ROOT.parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"
TRAIN_UNTIL = "2021-01-01"
TUNE_MONTH = "2021-01"
TEST_MONTH = "2021-02"
RADIUS_M = 100.0
WINDOW_DAYS = 7.0
THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8]


@dataclass(frozen=True)
class Row:
    id: int
    at: float
    month: str
    text: str
    reason: str
    address: str
    lat: float | None
    lon: float | None
    object: str
    district: str


def _float(value: str) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def load() -> list[Row]:
    rows = []
    with gzip.open(DATA, "rt", encoding="utf-8") as handle:
        for i, r in enumerate(csv.DictReader(handle)):
            if not (r.get("text") or "").strip() or not r.get("reason_id"):
                continue
            created = dt.datetime.fromisoformat(r["created_at"])
            rows.append(
                Row(
                    id=i,
                    at=created.timestamp(),
                    month=r["created_at"][:7],
                    text=r["text"],
                    reason=r["reason_id"],
                    address=(r.get("address") or "").strip(),
                    lat=_float(r.get("lat", "")),
                    lon=_float(r.get("lon", "")),
                    object=(r.get("city_object") or "").strip(),
                    district=(r.get("district") or "").strip(),
                )
            )
    rows.sort(key=lambda x: (x.at, x.id))
    return rows


def building_key(address: str) -> str:
    from grouping.place import building_key as key

    return key(address)


def reference_pairs(rows: Sequence[Row]) -> set[tuple[int, int]]:
    """Pairs with the same reason, same building or within 100 m, within 7 days."""
    from grouping.matching import Params, Signature, compatible

    params = Params(radius_m=RADIUS_M, window_days=WINDOW_DAYS)
    by_reason: dict[str, list[Signature]] = defaultdict(list)
    for r in rows:
        by_reason[r.reason].append(
            Signature(id=r.id, topic=r.reason, at=r.at, lat=r.lat, lon=r.lon, building=building_key(r.address))
        )
    pairs: set[tuple[int, int]] = set()
    for sigs in by_reason.values():
        sigs.sort(key=lambda s: s.at)
        for i, a in enumerate(sigs):
            for b in sigs[i + 1 :]:
                if b.at - a.at > WINDOW_DAYS * 86_400:
                    break
                if compatible(a, b, params):
                    pairs.add((min(a.id, b.id), max(a.id, b.id)))
    return pairs


def pairs_of(assignment: dict[int, int]) -> set[tuple[int, int]]:
    members: dict[int, list[int]] = defaultdict(list)
    for item, group in assignment.items():
        members[group].append(item)
    out: set[tuple[int, int]] = set()
    for items in members.values():
        items.sort()
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                out.add((a, b))
    return out


def prf(predicted: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float]:
    hit = len(predicted & truth)
    p = hit / len(predicted) if predicted else 0.0
    r = hit / len(truth) if truth else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def baseline(rows: Sequence[Row]) -> dict[int, int]:
    from grouping.matching import normalized_text

    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for r in rows:
        key = normalized_text(r.text)
        if key:
            out[r.id] = first.setdefault(key, r.id)
    return out


def signatures(rows: Sequence[Row], topics: dict[int, str]) -> list:  # type: ignore[type-arg]
    from grouping.matching import Signature
    from grouping.text import content_tokens

    return [
        Signature(
            id=r.id,
            topic=topics[r.id],
            at=r.at,
            lat=r.lat,
            lon=r.lon,
            building=building_key(r.address),
            tokens=content_tokens(r.text),
        )
        for r in rows
    ]


def predict_topics(train: Sequence[Row], later: Sequence[Row]) -> dict[int, str]:
    from classification.learning.classifier import TOPIC, train_classifier
    from classification.learning.features import Record

    def record(r: Row) -> Record:
        return Record(
            text=r.text,
            fields={"object": r.object, "district": r.district},
            address=r.address,
            lat=r.lat,
            lon=r.lon,
        )

    started = time.perf_counter()
    model = train_classifier([record(r) for r in train], [r.reason for r in train], preset=TOPIC)
    print(f"topic model: {len(train)} reports, {len(model.classes)} reasons, {time.perf_counter() - started:.0f} s")
    labels = model.predict_labels([record(r) for r in later])
    correct = sum(1 for r, y in zip(later, labels, strict=True) if r.reason == y)
    print(f"topic accuracy on Jan–Feb: {correct / len(later):.3f}")
    return {r.id: y for r, y in zip(later, labels, strict=True)}


def evaluate(rows: Sequence[Row], topics: dict[int, str], threshold: float) -> tuple[float, float, float, int]:
    from grouping.matching import Params, group_sequentially

    params = Params(radius_m=RADIUS_M, window_days=WINDOW_DAYS, threshold=threshold)
    assignment = group_sequentially(signatures(rows, topics), params)
    predicted = pairs_of(assignment)
    p, r, f = prf(predicted, reference_pairs(rows))
    return p, r, f, len(set(assignment.values()))


def latency(rows: Sequence[Row], topics: dict[int, str], registry: int, queries: int) -> list[float]:
    """Bulk-load `registry` signatures into the database, then time the service's lookup."""
    from django.db import connection, transaction

    from grouping.matching import Params, cell_of
    from grouping.models import QuestionSignature
    from grouping.selectors import match_signature
    from grouping.text import content_tokens
    from org.models import Body

    body = Body.objects.create(code="bench", name="bench", short_name="bench")
    base = list(rows)
    # The month's reports repeated back in time month after month: the registry has the real
    # density of February in every window (about ten years for 1,000,000 questions).
    period = 28 * 86_400.0
    started = time.perf_counter()
    tokens_of = {r.id: " ".join(sorted(content_tokens(r.text))) for r in base}
    table = QuestionSignature._meta.db_table
    columns = "question_id, body_id, topic, cell, building, place_label, lat, lon, at, tokens, text_key, applicant_ids"
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608  (model's own names)
    n = 0
    shift = 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Signatures reference questions; the benchmark needs only the index rows (synthetic ids).
            cursor.execute("PRAGMA foreign_keys=OFF")
        with transaction.atomic():
            while n < registry:
                batch = []
                for r in base[: registry - n]:
                    n += 1
                    at = dt.datetime.fromtimestamp(r.at - shift * period, tz=dt.UTC)
                    batch.append(
                        (
                            n,
                            body.pk,
                            topics.get(r.id, r.reason),
                            cell_of(r.lat, r.lon),
                            building_key(r.address),
                            "",
                            r.lat,
                            r.lon,
                            connection.ops.adapt_datetimefield_value(at),
                            tokens_of[r.id],
                            "",
                            "",
                        )
                    )
                cursor.executemany(sql, batch)
                shift += 1
        cursor.execute("ANALYZE")
    print(f"registry: {QuestionSignature.objects.count()} signatures loaded in {time.perf_counter() - started:.0f} s")
    params = Params(radius_m=RADIUS_M, window_days=WINDOW_DAYS)
    rng = random.Random(7)
    sample = rng.sample(base, min(queries, len(base)))
    timings = []
    found = 0
    for r in sample:
        start = time.perf_counter()
        decision, _ = match_signature(
            body_id=body.pk,
            topic=topics.get(r.id, r.reason),
            at=dt.datetime.fromtimestamp(r.at + rng.uniform(600, 7 * 86_400), tz=dt.UTC),
            lat=r.lat,
            lon=r.lon,
            building=building_key(r.address),
            tokens=content_tokens(r.text),
            params=params,
        )
        timings.append((time.perf_counter() - start) * 1000)
        found += 0 if decision.empty else 1
    print(
        f"match against {registry}: p50={percentile(timings, 50):.1f} ms p95={percentile(timings, 95):.1f} ms "
        f"max={max(timings):.1f} ms ({found} of {len(sample)} found something)"
    )
    return timings


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--registry", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not DATA.exists():
        print(f"данных нет: {DATA}")
        sys.exit(1)
    django_in_temp_database()
    rows = load()
    train = [r for r in rows if r.month < TRAIN_UNTIL[:7]]
    tune = [r for r in rows if r.month == TUNE_MONTH]
    test = [r for r in rows if r.month == TEST_MONTH]
    print(
        f"reports: train {len(train)} (2020-10..12), tune {len(tune)} ({TUNE_MONTH}), test {len(test)} ({TEST_MONTH})"
    )
    topics = predict_topics(train, [*tune, *test])

    print(f"== threshold chosen on {TUNE_MONTH}")
    best = (0.0, THRESHOLDS[0])
    for threshold in THRESHOLDS:
        p, r, f, groups = evaluate(tune, topics, threshold)
        print(f"  threshold={threshold:.2f} precision={p:.3f} recall={r:.3f} f1={f:.3f} groups={groups}")
        best = max(best, (f, threshold))
    threshold = best[1]
    print(f"chosen threshold: {threshold:.2f}")

    print(f"== test on {TEST_MONTH} ({len(test)} reports, {len(reference_pairs(test))} reference pairs)")
    p, r, f, groups = evaluate(test, topics, threshold)
    print(f"otklik:   precision={p:.3f} recall={r:.3f} f1={f:.3f} groups={groups}")
    bp, br, bf = prf(pairs_of(baseline(test)), reference_pairs(test))
    print(f"baseline: precision={bp:.3f} recall={br:.3f} f1={bf:.3f} (same normalised text)")
    oracle = {row.id: row.reason for row in test}
    op, orr, of, _ = evaluate(test, oracle, threshold)
    print(f"(for scale, with the true reason instead of the model's: precision={op:.3f} recall={orr:.3f} f1={of:.3f})")

    p95 = 0.0
    if not args.skip_latency:
        timings = latency(test, topics, args.registry, args.queries)
        p95 = percentile(timings, 95)
    print(f"precision={p:.3f} recall={r:.3f} f1={f:.3f} match_p95_ms={round(p95)} baseline_f1={bf:.3f}")


if __name__ == "__main__":
    main()
