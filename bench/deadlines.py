"""Deadline recomputation speed on a database of 1,000,000 open questions.

1. The planner alone on 1,000,000 questions held as arrays, against the simplest baseline: the
   same planner called one question at a time (a sample, scaled to 1,000,000).
2. The whole database path, `workflow.services.recompute()` (read open plans and stages, plan,
   write back what changed, tell heads about new risks), on N open questions (default 1,000,000;
   `--questions N`) stored in the database: a first pass that rewrites every plan, and the
   periodic pass ten minutes later. Baseline in the same run: one question at a time through
   the ORM (load the plan and its stages, plan, save each stage), on a sample, scaled.
3. The incremental update after one event (`stages_progress`: a milestone of one question),
   p50/p95 over 300 questions of that database.

The questions are made by registering appeals through the services (real plans of the default
59-FZ workflow) and copying their rows with the stage states moved to random points of a
question's life; the copies are written straight into the tables, which is only a set-up.
The last line is the summary: `recompute_1m_s=N incremental_ms=N …` — recompute_1m_s is the
periodic pass (what the scheduler runs every ten minutes), incremental_ms the median; the first
pass (every row rewritten, as after an import) and the baselines follow on the same line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any

import numpy as np
from _setup import django_in_temp_database, percentile

MILLION = 1_000_000
TEMPLATES = 50


def lifecycle(n: int, k: int, now: float, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random points of life of n questions with k stages: status codes and actual moments."""
    from workflow import planning as p

    age_days = rng.uniform(0, 35, n)
    registered = now - age_days * 86400
    # Two stages (receipt, registration) are done at registration; the rest progress with age.
    progress = np.minimum((age_days / 30 * (k - 2) * rng.uniform(0.5, 1.3, n)).astype(int) + 2, k - 1)
    cols = np.arange(k)[None, :]
    status = np.where(cols < progress[:, None], p.DONE, np.where(cols == progress[:, None], p.ACTIVE, p.PENDING))
    span = (now - registered)[:, None]
    start = np.where(status != p.PENDING, registered[:, None] + span * cols / (progress[:, None] + 1), np.nan)
    end = np.where(status == p.DONE, registered[:, None] + span * (cols + 1) / (progress[:, None] + 1), np.nan)
    return {"registered": registered, "status": status.astype(np.int8), "start": start, "end": end}


def synthetic_batch(n: int, now: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
    """The default workflow's norms for n questions at random points of their life."""
    from workflow import planning as p

    norms = [(p.HOURS, 24, 1), (p.CALENDAR_DAYS, 3, 1)] + [(p.WORKING_DAYS, v, m) for v, m in STAGE_NORMS]
    k = len(norms)
    life = lifecycle(n, k, now, rng)
    unit = np.tile(np.array([u for u, _, _ in norms], dtype=np.int8), (n, 1))
    norm = np.tile(np.array([v for _, v, _ in norms], dtype=float), (n, 1))
    minimum = np.tile(np.array([m for _, _, m in norms], dtype=float), (n, 1))
    return p.Batch(
        status=life["status"],
        unit=unit,
        norm=norm,
        minimum=minimum,
        actual_start=life["start"],
        actual_end=life["end"],
        deadline=life["registered"] + 30 * 86400,
    )


STAGE_NORMS = [(1, 1), (12, 4), (3, 1), (2, 1), (1, 1), (1, 1)]  # resolution … dispatch (norm, minimum)


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
    fields = ("status", "unit", "norm", "minimum", "actual_start", "actual_end", "deadline")
    start = time.perf_counter()
    for i in range(sample):
        p.plan(p.Batch(*(getattr(batch, f)[i : i + 1] for f in fields)), cal, now)
    per_question = (time.perf_counter() - start) / sample
    print(
        f"baseline, planner one question at a time: {per_question * 1000:.2f} ms each -> "
        f"{per_question * MILLION:.0f} s for {MILLION:,}"
    )
    return vectorised, per_question * MILLION


# --- the database -------------------------------------------------------------------------------


def _row(table: str, pk: int) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE id = %s", [pk])  # noqa: S608
        names = [c[0] for c in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def _insert(table: str, columns: list[str], rows: list[tuple[Any, ...]], sql_of: dict[str, str] | None = None) -> None:
    from django.db import connection

    q = connection.ops.quote_name
    cells = ", ".join((sql_of or {}).get(c, "%s") for c in columns)
    sql = f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) VALUES ({cells})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _differs(row: dict[str, Any], first: dict[str, Any]) -> dict[str, Any]:
    return {c: v for c, v in row.items() if first[c] != v}


def populate(n: int, now: dt.datetime) -> None:
    """n open questions: TEMPLATES registered through the services, the rest copied from them."""
    from django.db import connection, transaction

    from appeals.models import Appeal, Question
    from appeals.services import appeal_register
    from org.models import Body
    from org.services import roles_ensure
    from people.models import Applicant
    from workflow import planning as p
    from workflow.models import QuestionPlan, StagePlan
    from workflow.replan import STATUS_CODE, from_epoch

    roles_ensure()
    body = Body.objects.create(code="b", name="Администрация", short_name="Администрация")
    applicant = Applicant.objects.create(surname="Иванов", first_name="Иван")
    for i in range(TEMPLATES):
        registered = now - dt.timedelta(days=30 * i / TEMPLATES)
        appeal_register(
            body=body,
            actor=None,
            channel="post",
            text=f"Обращение {i}",
            applicants=[applicant],
            registered_at=registered,
            received_at=registered,
        )
    appeal_tpl = _row(Appeal._meta.db_table, Appeal.objects.order_by("pk").values_list("pk", flat=True)[0])
    question_tpl = _row(Question._meta.db_table, Question.objects.order_by("pk").values_list("pk", flat=True)[0])
    plan_tpl = _row(QuestionPlan._meta.db_table, QuestionPlan.objects.order_by("pk").values_list("pk", flat=True)[0])
    stages_tpl = [
        _row(StagePlan._meta.db_table, pk)
        for pk in StagePlan.objects.filter(plan_id=plan_tpl["id"]).order_by("position").values_list("pk", flat=True)
    ]
    k = len(stages_tpl)
    code_of = {v: k for k, v in STATUS_CODE.items()}
    base = {
        name: 1 + (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        for name, model in (("appeal", Appeal), ("question", Question), ("plan", QuestionPlan), ("stage", StagePlan))
    }
    epoch_sql = from_epoch()
    stage_times = {
        "planned_start": epoch_sql,
        "planned_due": epoch_sql,
        "actual_start": epoch_sql,
        "actual_end": epoch_sql,
    }
    rng = np.random.default_rng(7)
    block = 50_000
    stage_pk = base["stage"]
    tables = [
        (Appeal._meta.db_table, appeal_tpl, None),
        (Question._meta.db_table, question_tpl, None),
        (QuestionPlan._meta.db_table, plan_tpl, None),
        (StagePlan._meta.db_table, stages_tpl[0], stage_times),
    ]
    status_names = [code_of[c].value if c in code_of else "" for c in range(max(code_of) + 1)]
    for first in range(0, n - TEMPLATES, block):
        m = min(block, n - TEMPLATES - first)
        life = lifecycle(m, k, now.timestamp(), rng)
        due = (life["registered"] // 86400 + 30).astype("datetime64[D]").astype(str).tolist()
        a_ids = range(base["appeal"] + first, base["appeal"] + first + m)
        q_ids = range(base["question"] + first, base["question"] + first + m)
        p_ids = range(base["plan"] + first, base["plan"] + first + m)
        appeals = [
            {"id": a, "number": f"Б-{a}", "due_date": d, "external_id": ""} for a, d in zip(a_ids, due, strict=True)
        ]
        questions = [{"id": q, "appeal_id": a, "due_date": d} for q, a, d in zip(q_ids, a_ids, due, strict=True)]
        plans = [
            {
                "id": p_,
                "question_id": q,
                "due": d,
                "base_due": d,
                "state": "on_track",
                "reason": "",
                "forecast_end": None,
            }
            for p_, q, d in zip(p_ids, q_ids, due, strict=True)
        ]
        status = life["status"].ravel().tolist()
        starts = [None if v != v else v for v in life["start"].ravel().tolist()]
        ends = [None if v != v else v for v in life["end"].ravel().tolist()]
        stages = [
            {
                **_differs(stages_tpl[i % k], stages_tpl[0]),
                "id": stage_pk + i,
                "plan_id": p_ids[i // k],
                "status": status_names[status[i]],
                "actual_start": starts[i],
                "actual_end": ends[i],
                "planned_start": None,
                "planned_due": None,
                "compressed": False,
            }
            for i in range(m * k)
        ]
        stage_pk += m * k
        with transaction.atomic():
            for (table, tpl, sql_of), rows in zip(tables, (appeals, questions, plans, stages), strict=True):
                columns = list(tpl)
                _insert(table, columns, [tuple(r.get(c, tpl[c]) for c in columns) for r in rows], sql_of)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    del p


def _one_question(stages: list[Any], due: dt.date):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from workflow import planning as p
    from workflow.replan import STATUS_CODE, UNIT_CODE

    def row(values: list[Any]) -> np.ndarray:
        return np.array([values], dtype=np.float64)

    def ts(value: dt.datetime | None) -> float:
        return value.timestamp() if value else np.nan

    end_of_day = dt.datetime.combine(due, dt.time(), tzinfo=timezone.get_current_timezone()) + dt.timedelta(days=1)
    return p.Batch(
        status=row([STATUS_CODE[s.status] for s in stages]).astype(np.int8),
        unit=row([UNIT_CODE[s.norm_unit] for s in stages]).astype(np.int8),
        norm=row([s.norm_value for s in stages]),
        minimum=row([s.min_value for s in stages]),
        actual_start=row([ts(s.actual_start) for s in stages]),
        actual_end=row([ts(s.actual_end) for s in stages]),
        deadline=np.array([end_of_day.timestamp()]),
    )


def baseline_one_at_a_time(sample: int, now: dt.datetime) -> float:
    """The simplest way: per question, load plan and stages through the ORM, plan, save each stage."""
    from django.db import transaction
    from django.utils import timezone

    from core.calendar import current_calendar
    from workflow import planning as p
    from workflow.models import QuestionPlan
    from workflow.services import _offset

    wcal = p.work_calendar(current_calendar(), around=timezone.localtime(now).date(), offset=_offset())
    ids = list(QuestionPlan.objects.order_by("?").values_list("pk", flat=True)[:sample])
    start = time.perf_counter()
    with transaction.atomic():
        for pk in ids:
            plan = QuestionPlan.objects.select_related("question").get(pk=pk)
            stages = list(plan.stages.order_by("position"))
            batch = _one_question(stages, plan.due)
            result = p.plan(batch, wcal, now.timestamp())
            for j, stage in enumerate(stages):
                value = result.planned_due[0, j]
                stage.planned_due = None if np.isnan(value) else dt.datetime.fromtimestamp(value, tz=dt.UTC)
                stage.save(update_fields=["planned_due"])
            plan.reserve_hours = int(result.reserve[0] // 3600)
            plan.save(update_fields=["reserve_hours"])
    return (time.perf_counter() - start) / len(ids)


def bench_database(n: int, reuse: str = "") -> tuple[list[float], float, list[float]]:
    var = django_in_temp_database(reuse)  # reuse: no set-up, the passes run at the present moment
    from django.db import connection
    from django.utils import timezone

    from appeals.models import Question
    from workflow import services
    from workflow.choices import StageStatus
    from workflow.models import StagePlan

    now = timezone.now().replace(microsecond=0)
    start = time.perf_counter()
    if not reuse:
        populate(n, now)
        print(f"(set-up: {n:,} open questions on {connection.vendor} in {time.perf_counter() - start:.0f} s)")
    if connection.vendor == "sqlite":
        print(f"(the database is kept: measure again without the set-up with --reuse {var})")
    runs = []
    for label, moment in (
        ("first pass, every plan rewritten" if not reuse else "pass on the reused database", now),
        ("periodic pass 10 min later", now + dt.timedelta(minutes=10)),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        counts = services.recompute(now=moment)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        runs.append(took * MILLION / counts["plans"])
        print(
            f"database recompute, {label}: {counts['plans']:,} plans in {took:.1f} s, {cpu:.1f} s CPU "
            f"({counts['changed']:,} changed, {counts['new_risks']:,} new risks) -> "
            f"{runs[-1]:.0f} s per {MILLION:,}"
        )
    per_question = baseline_one_at_a_time(1000, now + dt.timedelta(minutes=20))
    print(
        f"baseline, one question at a time through the ORM: {per_question * 1000:.2f} ms each -> "
        f"{per_question * MILLION:.0f} s for {MILLION:,}"
    )
    # The event: the running stage of a random open question is finished.
    rng = random.Random(3)
    top = Question.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    timings: list[float] = []
    while len(timings) < 300:
        question = Question.objects.select_related("appeal").get(pk=rng.randint(1, top))
        running = StagePlan.objects.filter(plan__question=question, status=StageStatus.ACTIVE).first()
        if running is None:
            continue
        t0 = time.perf_counter()
        services.stages_progress(question=question, milestone=running.code, now=now + dt.timedelta(minutes=30))
        timings.append((time.perf_counter() - t0) * 1000)
    print(
        f"incremental update after one event: p50={percentile(timings, 50):.1f} ms p95={percentile(timings, 95):.1f} ms"
    )
    return runs, per_question * MILLION, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=MILLION, help="open questions in the database")
    parser.add_argument("--reuse", default="", help="the folder of a database an earlier run made (SQLite)")
    args = parser.parse_args()
    vectorised, baseline = bench_arrays() if args.questions >= MILLION else (float("nan"), float("nan"))
    (first_pass, periodic), db_baseline, timings = bench_database(max(args.questions, TEMPLATES + 1), args.reuse)
    print(
        f"recompute_1m_s={periodic:.0f} incremental_ms={percentile(timings, 50):.1f} "
        f"{'first_pass_1m_s' if not args.reuse else 'pass_now_1m_s'}={first_pass:.0f} "
        f"incremental_p95_ms={percentile(timings, 95):.1f} baseline_1m_s={db_baseline:.0f} "
        f"planner_1m_s={vectorised:.1f} planner_baseline_1m_s={baseline:.0f}"
    )


if __name__ == "__main__":
    main()
