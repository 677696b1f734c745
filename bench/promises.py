"""Promises in answers, measured on real data: Otklik's extraction against a plain regex.

Data: the St Petersburg portal answers (../shared/data/spb). For an interim answer
(«Промежуточный ответ») the body recorded the date it promised (`interim_date`); a final answer
(«Окончательный ответ») should not yield a new promise.

Figures (definitions in promises/evaluation.py, docs/promises.md):
- exact_date_recall — interim answers whose extracted due date equals `interim_date`;
- month_recall — the same year and month;
- false_promise_rate — final answers from which a promise is extracted.

Protocol: answers are read in time order and each interim answer is predicted from the answers
given strictly before it (a body's history at run time); nothing is trained in advance.
1. held-out (the headline): answers of October–December 2020 are history only, answers from
   January 2021 on are scored;
2. development period: history October–November 2020, scored December 2020 (the rules were
   tuned while looking at this period; error samples were also read from the whole file);
3. the whole file, every answer scored from its own past.
The baseline is the first «до DD.MM.YYYY» of the text, in the same run.

Run from the project root: `.venv/bin/python bench/promises.py`. The last line is the
held-out summary.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"
# The portal writes local times without a zone; so are these bounds.
HELD_OUT_FROM = dt.datetime(2021, 1, 1)  # noqa: DTZ001
DEV_FROM = dt.datetime(2020, 12, 1)  # noqa: DTZ001
GOALS = {"exact_date_recall": 0.75, "month_recall": 0.85}
FALSE_PROMISE_GOAL = 0.05


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from promises.evaluation import Evaluation, evaluate, read_answers, report_lines

    if not DATA.is_file():
        sys.exit(f"нет данных: {DATA}")
    started = time.perf_counter()
    records = read_answers(DATA)
    print(f"ответов в файле: {len(records)} (прочитано за {time.perf_counter() - started:.1f} с)")

    def show(title: str, result: Evaluation) -> None:
        print(f"\n== {title}")
        print("\n".join(report_lines(result)[:-1]))

    dev = evaluate([r for r in records if r.given_at < HELD_OUT_FROM], evaluate_from=DEV_FROM)
    show("период настройки: история октябрь–ноябрь 2020, оценка декабрь 2020", dev)
    whole = evaluate(records)
    show("весь файл: каждый ответ по истории до него", whole)
    started = time.perf_counter()
    held_out = evaluate(records, evaluate_from=HELD_OUT_FROM)
    elapsed = time.perf_counter() - started
    show("отложенная часть: история октябрь–декабрь 2020, оценка с января 2021", held_out)
    answers = held_out.otklik.interim + held_out.otklik.final
    print(f"скорость: {answers / elapsed:.0f} ответов в секунду")

    o, b = held_out.otklik, held_out.baseline
    checks = [
        ("exact_date_recall", o.exact_date_recall, b.exact_date_recall),
        ("month_recall", o.month_recall, b.month_recall),
    ]
    for name, value, base in checks:
        verdict = "цель достигнута" if value >= GOALS[name] and value > base else "цель НЕ достигнута"
        print(f"{name}: {value:.3f} (цель >= {GOALS[name]}, регулярка {base:.3f}) — {verdict}")
    ahead = o.false_promise_rate <= FALSE_PROMISE_GOAL and o.false_promises < b.false_promises
    verdict = "цель достигнута" if ahead else "цель НЕ достигнута"
    print(
        f"false_promise_rate: {o.false_promise_rate:.4f} (цель <= {FALSE_PROMISE_GOAL}, регулярка "
        f"{b.false_promise_rate:.4f}; ответов с ложным обещанием {o.false_promises} против {b.false_promises}) — {verdict}"
    )
    print(o.line())


if __name__ == "__main__":
    main()
