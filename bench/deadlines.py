"""Deadline recomputation speed.

1. The planner itself on 1,000,000 open questions held as arrays (stages of the default
   workflow at random points of their life), against the simplest baseline: the same
   planner called one question at a time (measured on a sample, scaled to 1,000,000).
2. The whole database path (`workflow.services.recompute`: read plans and stages, plan,
   write back what changed) on N questions registered through the services, scaled.
3. The incremental update after one event (a milestone of one question), p50/p95.
The last line is the summary: `recompute_1m_s=N incremental_ms=N`.
"""

from __future__ import annotations

import datetime as dt
import random
import time

import numpy as np
from _setup import django_in_temp_database, percentile

MILLION = 1_000_000
DB_QUESTIONS = 2_000
STAGES = [  # unit, norm, minimum (the default 59-FZ workflow without receipt/registration)
    (1, 1, 1),
    (1, 12, 4),
    (1, 3, 1),
    (1, 2, 1),
    (1, 1, 1),
    (1, 1, 1),
]


def synthetic_batch(n: int, now: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    from workflow import planning as p

    k = len(STAGES) + 2
    status = np.full((n, k), p.PENDING, dtype=np.int8)
    unit = np.zeros((n, k), dtype=np.int8)
    norm = np.zeros((n, k))
    minimum = np.zeros((n, k))
    unit[:, :2] = [p.HOURS, p.CALENDAR_DAYS]
    norm[:, :2] = [24, 3]
    minimum[:, :2] = [1, 1]
    for j, (u, nv, mv) in enumerate(STAGES, start=2):
        unit[:, j], norm[:, j], minimum[:, j] = u, nv, mv
    age_days = rng.uniform(0, 35, n)
    registered = now - age_days * 86400
    progress = np.minimum((age_days / 30 * (k - 2) * rng.uniform(0.5, 1.3, n)).astype(int) + 2, k - 1)
    cols = np.arange(k)[None, :]
    status = np.where(cols < progress[:, None], p.DONE, np.where(cols == progress[:, None], p.ACTIVE, p.PENDING))
    status = status.astype(np.int8)
    span = (now - registered)[:, None]
    a_start = np.where(status != p.PENDING, registered[:, None] + span * cols / (progress[:, None] + 1), np.nan)
    a_end = np.where(status == p.DONE, registered[:, None] + span * (cols + 1) / (progress[:, None] + 1), np.nan)
    deadline = registered + 30 * 86400
    return p.Batch(
        status=status, unit=unit, norm=norm, minimum=minimum, actual_start=a_start, actual_end=a_end, deadline=deadline
    )


def bench_arrays() -> tuple[float, float]:
    from core.calendar import ProductionCalendar
    from workflow import planning as p

    now = time.time()
    cal = p.work_calendar(ProductionCalendar(), around=dt.date.today(), offset=3 * 3600.0)  # noqa: DTZ011
    batch = synthetic_batch(MILLION, now, np.random.default_rng(1))
    start = time.perf_counter()
    result = p.plan(batch, cal, now)
    vectorised = time.perf_counter() - start
    at_risk = int((~result.reachable & ~result.finished).sum())
    print(
        f"planner, arrays, {MILLION:,} questions: {vectorised:.1f} s "
        f"({at_risk:,} unreachable, {int((result.factor < 1).sum()):,} compressed)"
    )
    sample = 2000
    start = time.perf_counter()
    for i in range(sample):
        one = p.Batch(
            *(
                getattr(batch, f)[i : i + 1]
                for f in ("status", "unit", "norm", "minimum", "actual_start", "actual_end", "deadline")
            )
        )
        p.plan(one, cal, now)
    per_question = (time.perf_counter() - start) / sample
    print(
        f"baseline, one question at a time: {per_question * 1000:.2f} ms each -> "
        f"{per_question * MILLION:.0f} s for {MILLION:,}"
    )
    return vectorised, per_question * MILLION


def bench_database() -> tuple[float, list[float]]:
    django_in_temp_database()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from appeals.models import Question
    from appeals.services import appeal_register
    from org.models import Body
    from org.services import roles_ensure
    from people.models import Applicant
    from workflow import services
    from workflow.choices import StageCode
    from workflow.models import QuestionPlan

    roles_ensure()
    body = Body.objects.create(code="b", name="Администрация", short_name="Администрация")
    applicant = Applicant.objects.create(surname="Иванов", first_name="Иван")
    rng = random.Random(3)
    start = time.perf_counter()
    now = timezone.now()
    for i in range(DB_QUESTIONS):
        registered = now - dt.timedelta(days=rng.uniform(0, 35))
        appeal_register(
            body=body,
            actor=None,
            channel="post",
            text=f"Обращение {i}",
            applicants=[applicant],
            registered_at=registered,
            received_at=registered,
        )
    print(f"(setup: {DB_QUESTIONS:,} appeals registered with plans in {time.perf_counter() - start:.0f} s)")
    engine = connection.vendor
    start = time.perf_counter()
    counts = services.recompute(now=now + dt.timedelta(hours=6))
    full = time.perf_counter() - start
    print(
        f"database recompute on {engine}, {counts['plans']:,} open questions: {full:.1f} s "
        f"({counts['changed']:,} plans changed) -> {full / counts['plans'] * MILLION:.0f} s per {MILLION:,}"
    )
    user = User.objects.create_user("bench")
    del user
    question_ids = list(Question.objects.values_list("pk", flat=True)[:300])
    timings = []
    for qid in question_ids:
        question = Question.objects.select_related("appeal").get(pk=qid)
        t0 = time.perf_counter()
        services.stages_progress(question=question, milestone=StageCode.RESOLUTION)
        timings.append((time.perf_counter() - t0) * 1000)
    assert QuestionPlan.objects.count() == DB_QUESTIONS
    print(
        f"incremental update after one event: p50={percentile(timings, 50):.1f} ms p95={percentile(timings, 95):.1f} ms"
    )
    return full / counts["plans"] * MILLION, timings


def main() -> None:
    vectorised, baseline = bench_arrays()
    db_per_million, timings = bench_database()
    print(
        f"recompute_1m_s={db_per_million:.0f} incremental_ms={percentile(timings, 50):.1f} "
        f"planner_1m_s={vectorised:.1f} baseline_1m_s={baseline:.0f}"
    )


if __name__ == "__main__":
    main()
