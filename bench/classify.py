"""Understanding an appeal, measured on real data: classification and routing against a baseline.

- St Petersburg portal (../shared/data/spb): train on October–December 2020, test on
  January–February 2021; test texts that also occur in training are dropped. Targets: category,
  reason, executor_org (the organisation that answered — the routing target).
- Kursk region platform (../shared/data/kursk): 5-fold cross-validation. Targets: group
  (Категория), topic (Тематика), executor (Ответственное лицо).
- Baseline in the same run: TF-IDF of words + logistic regression (scikit-learn defaults).
- Speed: training on 40,000 texts; per-appeal prediction of the three SPb targets, p50/p99.

Nothing is written to the repository: models are trained in memory and dropped.
Run from the project root: `.venv/bin/python bench/classify.py`. The last line is a summary.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
SPB_FILE = DATA / "spb" / "appeals_2020-10_2021-02.csv.gz"
KURSK_FILE = DATA / "kursk" / "train.csv"
SPLIT_AT = "2021-01-01"
FOLDS = 5
TIMING_TEXTS = 40_000
LATENCY_SAMPLE = 1_000

GOALS = {"spb category macro_f1": 0.85, "spb executor_org accuracy": 0.90}


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")


def main() -> None:
    setup()
    if not SPB_FILE.exists() or not KURSK_FILE.exists():
        print(f"данных нет: {DATA}")
        sys.exit(1)
    from classification.learning.classifier import ROUTE, TOPIC, train_classifier
    from classification.learning.datasets import ROUTING_TARGETS, Dataset, load
    from classification.learning.evaluate import evaluate, percentile
    from nlp.text import lemma

    summary: dict[str, float] = {}
    beats_baseline: list[bool] = []

    print("== St Petersburg: train 2020-10..2020-12, test 2021-01..2021-02")
    spb_models = {}
    spb_test_records = []
    for target in ("category", "reason", "executor_org"):
        data = load(SPB_FILE, fmt="spb", target=target)
        train_idx = [i for i, t in enumerate(data.times) if t < SPLIT_AT]
        test_idx = [i for i, t in enumerate(data.times) if t >= SPLIT_AT]
        train = Dataset([data.records[i] for i in train_idx], [data.labels[i] for i in train_idx], 0)
        test = Dataset([data.records[i] for i in test_idx], [data.labels[i] for i in test_idx], 0)
        result = evaluate(train, test, routing=target in ROUTING_TARGETS)
        print(
            f"spb {target:13s} train={result.n_train} test={result.n_test} (dropped seen {result.dropped_seen}) "
            f"classes={result.classes}\n"
            f"    model    accuracy={result.model.accuracy:.3f} macro_f1={result.model.macro_f1:.3f} "
            f"(train {result.train_seconds:.1f} s)\n"
            f"    baseline accuracy={result.baseline.accuracy:.3f} macro_f1={result.baseline.macro_f1:.3f}"
        )
        summary[f"spb_{target}_acc"] = result.model.accuracy
        summary[f"spb_{target}_f1"] = result.model.macro_f1
        beats_baseline.append(
            result.model.accuracy > result.baseline.accuracy and result.model.macro_f1 > result.baseline.macro_f1
        )
        spb_models[target] = train_classifier(
            train.records, train.labels, preset=ROUTE if target in ROUTING_TARGETS else TOPIC
        )
        if target == "category":
            seen = {r.text.strip() for r in train.records}
            spb_test_records = [r for r in test.records if r.text.strip() not in seen]

    print(f"== Kursk: {FOLDS}-fold cross-validation")
    from sklearn.model_selection import KFold

    for target in ("group", "topic", "executor"):
        data = load(KURSK_FILE, fmt="kursk", target=target)
        folds = KFold(FOLDS, shuffle=True, random_state=0).split(data.records)
        per_fold = []
        for train_idx, test_idx in folds:
            train = Dataset([data.records[i] for i in train_idx], [data.labels[i] for i in train_idx], 0)
            test = Dataset([data.records[i] for i in test_idx], [data.labels[i] for i in test_idx], 0)
            per_fold.append(evaluate(train, test, routing=target in ROUTING_TARGETS))

        def mean(values: list[float]) -> float:
            return statistics.fmean(values)

        m_acc = mean([r.model.accuracy for r in per_fold])
        m_f1 = mean([r.model.macro_f1 for r in per_fold])
        b_acc = mean([r.baseline.accuracy for r in per_fold])
        b_f1 = mean([r.baseline.macro_f1 for r in per_fold])
        print(
            f"kursk {target:9s} rows={len(data)} classes={len(set(data.labels))}\n"
            f"    model    accuracy={m_acc:.3f} macro_f1={m_f1:.3f} "
            f"(folds: {', '.join(f'{r.model.accuracy:.3f}' for r in per_fold)})\n"
            f"    baseline accuracy={b_acc:.3f} macro_f1={b_f1:.3f}"
        )
        summary[f"kursk_{target}_acc"] = m_acc
        summary[f"kursk_{target}_f1"] = m_f1
        beats_baseline.append(m_acc > b_acc and m_f1 > b_f1)

    print("== Speed")
    # 40,000 texts: every SPb report plus Kursk messages to make up the number; the labels are the
    # finest topics (reason + Kursk topic, the most classes) and, for routing, the answering bodies.
    timing = [
        (TOPIC, load(SPB_FILE, fmt="spb", target="reason"), load(KURSK_FILE, fmt="kursk", target="topic")),
        (ROUTE, load(SPB_FILE, fmt="spb", target="executor_org"), load(KURSK_FILE, fmt="kursk", target="executor")),
    ]
    for preset, spb, kursk in timing:
        extra = max(0, TIMING_TEXTS - len(spb))
        records = spb.records + kursk.records[:extra]
        labels = spb.labels + [f"kursk: {y}" for y in kursk.labels[:extra]]
        lemma.cache_clear()
        start = time.perf_counter()
        train_classifier(records, labels, preset=preset)
        seconds = time.perf_counter() - start
        print(
            f"training on {len(records)} texts ({len(set(labels))} classes, preset {preset.name}, "
            f"cold lemma cache): {seconds:.1f} s"
        )
        summary[f"train_{preset.name}_s"] = seconds
        summary[f"train_{preset.name}_n"] = len(records)

    sample = spb_test_records[:LATENCY_SAMPLE]
    timings = []
    for record in sample:
        start = time.perf_counter()
        for model in spb_models.values():
            model.predict([record], explain=5)
        timings.append((time.perf_counter() - start) * 1000)
    p50, p99 = percentile(timings, 50), percentile(timings, 99)
    print(
        f"prediction per appeal (category + reason + executor, with explanations), {len(sample)} appeals: "
        f"p50={p50:.1f} ms p99={p99:.1f} ms"
    )
    summary["predict_p99_ms"] = p99

    print("== Goals")
    goals = [
        ("beats the baseline on every target", all(beats_baseline)),
        (f"spb category macro-F1 >= 0.85 ({summary['spb_category_f1']:.3f})", summary["spb_category_f1"] >= 0.85),
        (
            f"spb executor accuracy >= 0.90 ({summary['spb_executor_org_acc']:.3f})",
            summary["spb_executor_org_acc"] >= 0.90,
        ),
        (f"prediction p99 <= 20 ms ({p99:.1f})", p99 <= 20),
        (
            f"training <= 120 s on 40,000 texts (topics {summary['train_topic_s']:.0f} s; "
            f"routing on all {summary['train_route_n']:.0f} labelled texts {summary['train_route_s']:.0f} s)",
            max(summary["train_topic_s"], summary["train_route_s"]) <= 120,
        ),
    ]
    for text, ok in goals:
        print(f"  [{'x' if ok else ' '}] {text}")
    print(
        " ".join(
            [
                f"spb_category_f1={summary['spb_category_f1']:.3f}",
                f"spb_reason_acc={summary['spb_reason_acc']:.3f}",
                f"spb_executor_acc={summary['spb_executor_org_acc']:.3f}",
                f"kursk_group_acc={summary['kursk_group_acc']:.3f}",
                f"kursk_topic_acc={summary['kursk_topic_acc']:.3f}",
                f"kursk_executor_acc={summary['kursk_executor_acc']:.3f}",
                f"beats_baseline={'yes' if all(beats_baseline) else 'no'}",
                f"predict_p99_ms={p99:.1f}",
                f"train_40k_s={max(summary['train_topic_s'], summary['train_route_s']):.0f}",
            ]
        )
    )


if __name__ == "__main__":
    main()
