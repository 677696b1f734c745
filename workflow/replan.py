"""Set-based re-planning: open questions read into arrays, planned together, changes written back.

The periodic pass re-plans every open question (a million of them must take under a minute),
so nothing here builds a model instance per question. A chunk of plans is three SELECTs whose
rows go straight into numpy arrays (the database converts moments to epoch seconds and codes to
small integers), one call of `workflow.planning.plan`, and the rows that actually changed are
written back in batches: `executemany` on SQLite, `UPDATE … FROM (VALUES …)` on PostgreSQL.

The same path serves the incremental update after one event (a chunk of one plan), so a single
question and a million are planned by the same rules.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction

from workflow import planning
from workflow.choices import NormUnit, PlanState, StageCode, StageStatus
from workflow.models import QuestionPlan, StagePlan

STATUS_CODE = {
    StageStatus.PENDING: planning.PENDING,
    StageStatus.ACTIVE: planning.ACTIVE,
    StageStatus.DONE: planning.DONE,
    StageStatus.SKIPPED: planning.SKIPPED,
}
UNIT_CODE = {
    NormUnit.HOURS: planning.HOURS,
    NormUnit.WORKING_DAYS: planning.WORKING_DAYS,
    NormUnit.CALENDAR_DAYS: planning.CALENDAR_DAYS,
}
STAGE_CODES: list[str] = [code.value for code in StageCode]
_REASON_COMPRESSED = "Оставшиеся этапы сокращены, чтобы успеть к законному сроку"
_REASON_OVERDUE = "Законный срок истёк"
_REASON_NO_ROOM = "Оставшихся минимальных норм этапов не хватает до законного срока"


# --- SQL for the two engines ------------------------------------------------------------------


def _pg() -> bool:
    return transaction.get_connection().vendor == "postgresql"


def _epoch(column: str) -> str:
    """A timestamp column as float seconds since the epoch (NULL stays NULL)."""
    if _pg():
        return f"EXTRACT(EPOCH FROM {column})::float8"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def _days(column: str) -> str:
    """A date column as whole days since the epoch."""
    if _pg():
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _unindexed(column: str) -> str:
    """Keep SQLite off an index on `column`: given a list of plans, it would otherwise scan the
    (status, planned_due) index over every finished stage of the database."""
    return column if _pg() else f"+{column}"


def _indexed_by(name: str) -> str:
    """Make SQLite read through the named covering index (its planner would take the table, or the
    status index over the plan range); PostgreSQL's planner picks its index-only scans itself."""
    return "" if _pg() else f" INDEXED BY {_q(name)}"


def from_epoch() -> str:
    """A parameter of float seconds since the epoch (or NULL) as a timestamp, to whole seconds."""
    if _pg():
        return "to_timestamp(%s::float8)"
    return "strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, 'unixepoch')"  # Django's own text form, in UTC


def _case(column: str, mapping: Mapping[Any, int] | Sequence[str]) -> str:
    """Map a choice column to small integers in SQL (the values are our own identifiers)."""
    pairs = mapping.items() if isinstance(mapping, Mapping) else ((v, i) for i, v in enumerate(mapping))
    whens = []
    for value, code in pairs:
        if not str(value).replace("_", "").isalnum():
            raise ValueError(f"not a choice value: {value!r}")
        whens.append(f"WHEN '{value}' THEN {int(code)}")
    return f"CASE {column} {' '.join(whens)} ELSE -1 END"


def _q(name: str) -> str:
    return transaction.get_connection().ops.quote_name(name)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_SMALL = 500  # rows PostgreSQL updates one statement each rather than through COPY
# Kinds of columns that `bulk_update` writes.
EPOCH, PLAIN = "epoch", "plain"


def bulk_update(table: str, columns: Sequence[tuple[str, str, str]], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE `table` by primary key `id`; rows are (values…, id); columns are (name, kind, pg type).

    EPOCH values are float seconds (or None) turned into timestamps by the database. SQLite runs
    one prepared UPDATE per row inside one call; so does PostgreSQL for a few rows (an event),
    while many rows are copied into a temporary table and updated from it in one statement.
    """
    if not rows:
        return
    connection = transaction.get_connection()
    with connection.cursor() as cursor:
        if not _pg() or len(rows) <= _SMALL:
            setters = ", ".join(f"{_q(name)} = {from_epoch() if kind == EPOCH else '%s'}" for name, kind, _ in columns)
            cursor.executemany(f"UPDATE {_q(table)} SET {setters} WHERE id = %s", rows)  # noqa: S608
            return
        staging = _q(f"replan_{table}")
        types = ", ".join(
            f"c{i} {'float8' if kind == EPOCH else pg_type}" for i, (_, kind, pg_type) in enumerate(columns)
        )
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ({types}, id bigint) ON COMMIT DELETE ROWS")
        cursor.execute(f"TRUNCATE {staging}")
        with cursor.cursor.copy(f"COPY {staging} FROM STDIN") as copy:  # the driver's own cursor
            for row in rows:
                copy.write_row(row)
        setters = ", ".join(
            f"{_q(name)} = " + (f"to_timestamp(v.c{i})" if kind == EPOCH else f"v.c{i}")
            for i, (name, kind, _) in enumerate(columns)
        )
        cursor.execute(f"UPDATE {_q(table)} AS t SET {setters} FROM {staging} AS v WHERE t.id = v.id")  # noqa: S608


# --- one question's plan, for the incremental update ---------------------------------------------


def lock_plan_of(question_id: int) -> int | None:
    """The id of the question's plan, its row locked for this transaction (SQLite: the whole
    database is, every transaction there being IMMEDIATE)."""
    lock = " FOR UPDATE" if _pg() else ""
    rows = _fetch(f"SELECT id FROM {_q(QuestionPlan._meta.db_table)} WHERE question_id = %s{lock}", [question_id])  # noqa: S608
    return rows[0][0] if rows else None


def stages_of(plan_id: int) -> list[StagePlan]:
    """The plan's stages in order, as model instances (a raw query: nothing to compile)."""
    table = _q(StagePlan._meta.db_table)
    return list(StagePlan.objects.raw(f"SELECT * FROM {table} WHERE plan_id = %s ORDER BY position", [plan_id]))  # noqa: S608


# --- reading a chunk ----------------------------------------------------------------------------


@dataclass
class Chunk:
    """Plans (sorted by id) and their open stages, as arrays."""

    plan_id: np.ndarray  # (q,) int64
    due_day: np.ndarray  # (q,) days since the epoch
    department: np.ndarray  # (q,) int64, -1 when none
    state: np.ndarray  # (q,) index into PLAN_STATES
    reason: list[str]
    reserve_hours: np.ndarray  # (q,) int64
    forecast: np.ndarray  # (q,) float seconds, nan when none
    forecast_late: np.ndarray  # (q,) bool
    last_done: np.ndarray  # (q,) float seconds of the last finished stage, nan when none or not needed
    # Open stages, one entry each, sorted by (plan, position):
    stage_id: np.ndarray
    row: np.ndarray  # index of the plan
    col: np.ndarray  # column in the planner's arrays (1…; column 0 carries the last finish)
    code: np.ndarray  # index into STAGE_CODES
    status: np.ndarray
    unit: np.ndarray
    norm: np.ndarray
    minimum: np.ndarray
    actual_start: np.ndarray
    planned_start: np.ndarray
    planned_due: np.ndarray
    compressed: np.ndarray

    @property
    def size(self) -> int:
        return len(self.plan_id)


PLAN_STATES: list[str] = [
    PlanState.ON_TRACK.value,
    PlanState.COMPRESSED.value,
    PlanState.AT_RISK.value,
    PlanState.OVERDUE.value,
    PlanState.DONE.value,
]
ON_TRACK, COMPRESSED, AT_RISK, OVERDUE, DONE = range(5)
# Written exactly as the condition of the index `stageplan_open_stages`, which SQLite requires.
_OPEN = f"('{StageStatus.ACTIVE.value}', '{StageStatus.PENDING.value}')"


def _in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column` is one of `ids`: one array parameter on PostgreSQL, a list of them on SQLite."""
    if _pg():
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def read_chunk(*, ids: Sequence[int] | None = None, bounds: tuple[int, int] | None = None) -> Chunk:
    """Plans given by id (any state) or every open plan with an id in `bounds` (inclusive).

    Two reads: the plans, and their open stages (by the (plan, position) index). Where work resumes
    after the last finished stage is read only for plans with no running stage.
    """
    plan_table, stage_table = _q(QuestionPlan._meta.db_table), _q(StagePlan._meta.db_table)
    question_table = _q(QuestionPlan._meta.get_field("question").related_model._meta.db_table)  # type: ignore[union-attr]
    if ids is not None:
        (plan_where, params), (stage_where, _) = _in("p.id", ids), _in("s.plan_id", ids)
    else:
        assert bounds is not None
        plan_where = f"p.id BETWEEN %s AND %s AND p.state <> '{PlanState.DONE.value}'"
        stage_where, params = "s.plan_id BETWEEN %s AND %s", list(bounds)
    plans = _fetch(
        f"SELECT p.id, {_days('p.due')}, {_case('p.state', PLAN_STATES)}, p.reserve_hours, "  # noqa: S608
        f"{_epoch('p.forecast_end')}, p.forecast_late, COALESCE(q.department_id, -1), p.reason "
        f"FROM {plan_table} p JOIN {question_table} q{_indexed_by('question_department_cover')} "
        f"ON q.id = p.question_id WHERE {plan_where} ORDER BY p.id",
        params,
    )
    stages = _fetch(
        f"SELECT s.id, s.plan_id, {_case('s.code', STAGE_CODES)}, {_case('s.status', STATUS_CODE)}, "  # noqa: S608
        f"{_case('s.norm_unit', UNIT_CODE)}, s.norm_value, s.min_value, {_epoch('s.actual_start')}, "
        f"{_epoch('s.planned_start')}, {_epoch('s.planned_due')}, "
        f"CASE WHEN s.compressed THEN 1 ELSE 0 END FROM {stage_table} s{_indexed_by('stageplan_open_stages')} "
        f'WHERE {stage_where} AND s."status" IN {_OPEN} ORDER BY s.plan_id, s.position',
        params,
    )
    chunk = _to_arrays(plans, stages)
    # Plans whose first open stage is not running resume from their last finish (or from now).
    waiting = np.ones(chunk.size, dtype=bool)
    first = np.flatnonzero(chunk.col == 1)
    waiting[chunk.row[first]] = chunk.status[first] != planning.ACTIVE
    waiting_ids = chunk.plan_id[waiting].tolist()
    for start in range(0, len(waiting_ids), 5000):
        where, params = _in("s.plan_id", waiting_ids[start : start + 5000])
        done = _fetch(
            f"SELECT s.plan_id, MAX({_epoch('s.actual_end')}) FROM {stage_table} s "  # noqa: S608
            f"WHERE {where} AND s.status = '{StageStatus.DONE.value}' GROUP BY s.plan_id",
            params,
        )
        if done:
            values = np.array(done, dtype=np.float64)
            chunk.last_done[np.searchsorted(chunk.plan_id, values[:, 0].astype(np.int64))] = values[:, 1]
    return chunk


def _numbers(rows: list[tuple[Any, ...]], width: int) -> np.ndarray:
    """Rows of numbers (None as nan) as a float matrix of `width` columns."""
    if not rows:
        return np.zeros((0, width))
    return np.array(rows, dtype=np.float64)


def _to_arrays(plans: list[tuple[Any, ...]], stages: list[tuple[Any, ...]]) -> Chunk:
    numbers = _numbers([r[:7] for r in plans], 7)
    plan_id = numbers[:, 0].astype(np.int64)
    q = len(plan_id)
    s = _numbers(stages, 11)
    stage_plan = s[:, 1].astype(np.int64)
    # Stages of plans outside the chunk (finished plans in the id range) are dropped.
    row = np.searchsorted(plan_id, stage_plan)
    ok = row < q
    ok[ok] = plan_id[row[ok]] == stage_plan[ok]
    s, row, stage_plan = s[ok], row[ok], stage_plan[ok]
    first = np.searchsorted(stage_plan, stage_plan, side="left")  # stages come sorted by plan, then position
    return Chunk(
        plan_id=plan_id,
        due_day=numbers[:, 1].astype(np.int64),
        state=numbers[:, 2].astype(np.int64),
        reserve_hours=numbers[:, 3].astype(np.int64),
        forecast=numbers[:, 4],
        forecast_late=numbers[:, 5].astype(bool),
        department=numbers[:, 6].astype(np.int64),
        reason=[r[7] for r in plans],
        last_done=np.full(q, np.nan),
        stage_id=s[:, 0].astype(np.int64),
        row=row,
        col=np.arange(len(stage_plan)) - first + 1,
        code=s[:, 2].astype(np.int64),
        status=s[:, 3].astype(np.int8),
        unit=s[:, 4].astype(np.int8),
        norm=s[:, 5],
        minimum=s[:, 6],
        actual_start=s[:, 7],
        planned_start=s[:, 8],
        planned_due=s[:, 9],
        compressed=s[:, 10].astype(bool),
    )


# --- planning a chunk ---------------------------------------------------------------------------


def _expected(chunk: Chunk, expected: dict[tuple[str, int | None], float]) -> np.ndarray:
    """Historical duration of every open stage: its department's median, else the overall one."""
    overall = np.array([expected.get((code, None), math.nan) for code in STAGE_CODES])
    result = overall[chunk.code]
    by_department = [(code, dep, sec) for (code, dep), sec in expected.items() if dep is not None]
    if by_department and len(chunk.code):
        departments = np.unique(chunk.department)
        table = np.full((len(departments), len(STAGE_CODES)), np.nan)
        index = {code: i for i, code in enumerate(STAGE_CODES)}
        for code, dep, seconds in by_department:
            d = np.searchsorted(departments, dep)
            if d < len(departments) and departments[d] == dep and code in index:
                table[d, index[code]] = seconds
        own = table[np.searchsorted(departments, chunk.department[chunk.row]), chunk.code]
        result = np.where(np.isnan(own), result, own)
    return result


def batch_of(
    chunk: Chunk, wcal: planning.WorkCalendar, expected: dict[tuple[str, int | None], float]
) -> planning.Batch:
    q = chunk.size
    k = 1 + (int(chunk.col.max()) if len(chunk.col) else 0)
    status = np.full((q, k), planning.EMPTY, dtype=np.int8)
    unit = np.zeros((q, k), dtype=np.int8)
    norm = np.zeros((q, k))
    minimum = np.zeros((q, k))
    a_start = np.full((q, k), np.nan)
    a_end = np.full((q, k), np.nan)
    exp = np.full((q, k), np.nan)
    # Column 0: one finished stage carrying the last finish, so the planner knows where work resumes.
    finished = ~np.isnan(chunk.last_done)
    status[finished, 0] = planning.DONE
    a_start[:, 0] = a_end[:, 0] = chunk.last_done
    at = (chunk.row, chunk.col)
    status[at], unit[at], norm[at], minimum[at] = chunk.status, chunk.unit, chunk.norm, chunk.minimum
    a_start[at] = chunk.actual_start
    exp[at] = _expected(chunk, expected)
    return planning.Batch(
        status=status,
        unit=unit,
        norm=norm,
        minimum=minimum,
        actual_start=a_start,
        actual_end=a_end,
        deadline=wcal.end_of_day(chunk.due_day),
        expected=exp,
    )


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal moments (to the second), nan equal to nan."""
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        return both_nan | (np.abs(a - b) < 1.0)


@dataclass
class Outcome:
    stage_rows: list[tuple[Any, ...]]  # (planned_start, planned_due, compressed, id)
    plan_rows: list[tuple[Any, ...]]  # (state, reason, reserve_hours, forecast_end, forecast_late, updated, id)
    new_risks: list[int]  # plan ids newly at risk


def replan(
    chunk: Chunk, *, now: float, wcal: planning.WorkCalendar, expected: dict[tuple[str, int | None], float]
) -> Outcome:
    """Plan the chunk and return only what changed."""
    batch = batch_of(chunk, wcal, expected)
    result = planning.plan(batch, wcal, now)
    at = (chunk.row, chunk.col)
    new_start = np.round(result.planned_start[at])
    new_due = np.round(result.planned_due[at])
    compressed = result.factor[chunk.row] < 1.0
    stage_changed = ~(
        _same(new_start, chunk.planned_start) & _same(new_due, chunk.planned_due) & (compressed == chunk.compressed)
    )
    idx = np.flatnonzero(stage_changed)
    stage_rows = list(
        zip(
            _nullable(new_start[idx]),
            _nullable(new_due[idx]),
            compressed[idx].tolist(),
            chunk.stage_id[idx].tolist(),
            strict=True,
        )
    )

    deadline = batch.deadline
    forecast = np.round(result.forecast_end)
    with np.errstate(invalid="ignore"):
        forecast_late = result.forecast_end > deadline
        reserve = np.floor_divide(result.reserve, 3600.0)
    unreachable = ~result.reachable
    state = np.select(
        [result.finished, now > deadline, unreachable, forecast_late, result.factor < 1.0],
        [DONE, OVERDUE, AT_RISK, AT_RISK, COMPRESSED],
        default=ON_TRACK,
    )
    reasons = _reasons(chunk, result, state, unreachable, new_due, now, wcal.offset)
    reserve_hours = np.nan_to_num(reserve, nan=0.0, posinf=0.0, neginf=0.0).astype(np.int64)
    changed = (
        (state != chunk.state)
        | (reserve_hours != chunk.reserve_hours)
        | ~_same(forecast, chunk.forecast)
        | (forecast_late != chunk.forecast_late)
        | np.array([new != old for new, old in zip(reasons, chunk.reason, strict=True)], dtype=bool)
    )
    rows = np.flatnonzero(changed)
    plan_rows = list(
        zip(
            [PLAN_STATES[i] for i in state[rows].tolist()],
            [reasons[i][:500] for i in rows.tolist()],
            reserve_hours[rows].tolist(),
            _nullable(forecast[rows]),
            forecast_late[rows].tolist(),
            [now] * len(rows),
            chunk.plan_id[rows].tolist(),
            strict=True,
        )
    )
    new_risks = chunk.plan_id[(state == AT_RISK) & (chunk.state != AT_RISK)].tolist()
    return Outcome(stage_rows=stage_rows, plan_rows=plan_rows, new_risks=new_risks)


def _nullable(values: np.ndarray) -> list[float | None]:
    return [None if v != v else v for v in values.tolist()]  # nan is the only value unequal to itself


def _reasons(
    chunk: Chunk,
    result: planning.Plan,
    state: np.ndarray,
    unreachable: np.ndarray,
    new_due: np.ndarray,
    now: float,
    offset: float,
) -> list[str]:
    """The human reason of every plan's state; for an unreachable deadline, the stage that used the reserve."""
    reasons = [""] * chunk.size
    for i in np.flatnonzero(state == COMPRESSED).tolist():
        reasons[i] = _REASON_COMPRESSED
    for i in np.flatnonzero(state == OVERDUE).tolist():
        reasons[i] = _REASON_OVERDUE
    for i in np.flatnonzero((state == AT_RISK) & ~unreachable).tolist():
        local = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=float(result.forecast_end[i]) + offset)  # noqa: DTZ001
        reasons[i] = f"Прогноз по фактическим срокам: {local:%d.%m.%Y} — позже срока"
    blocked = (state == AT_RISK) & unreachable
    if not blocked.any():
        return reasons
    # Candidates: the running stage past its planned due, and finished stages that ended late.
    running = (chunk.status == planning.ACTIVE) & blocked[chunk.row]
    late_plan, late_stage, late_over = _late_finished(chunk.plan_id[blocked].tolist())
    rows = np.concatenate([chunk.row[running], np.searchsorted(chunk.plan_id, late_plan)])
    stage = np.concatenate([chunk.stage_id[running], late_stage])
    over = np.concatenate([now - new_due[running], late_over])
    pick = over > 0
    rows, stage, over = rows[pick], stage[pick], over[pick]
    order = np.lexsort((-over, rows))  # per plan, the largest overrun first
    rows, stage, over = rows[order], stage[order], over[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    worst = dict(zip(rows[first].tolist(), zip(stage[first].tolist(), over[first].tolist(), strict=True), strict=True))
    names = stage_names([s for s, _ in worst.values()])
    for i in np.flatnonzero(blocked).tolist():
        if i in worst:
            stage_id, seconds = worst[i]
            reasons[i] = (
                f"Этап «{names.get(stage_id, '')}» превысил плановый срок на {seconds / 86400:.1f} дн.: "
                "резерв израсходован"
            )
        else:
            reasons[i] = _REASON_NO_ROOM
    return reasons


def _late_finished(plan_ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Finished stages of these plans that ended after their planned due: (plan, stage, seconds over)."""
    stage_table = _q(StagePlan._meta.db_table)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(plan_ids), 5000):
        where, params = _in("s.plan_id", plan_ids[start : start + 5000])
        rows += _fetch(
            f"SELECT s.plan_id, s.id, {_epoch('s.actual_end')} - {_epoch('s.planned_due')} "  # noqa: S608
            f"FROM {stage_table} s WHERE {where} AND {_unindexed('s.status')} = '{StageStatus.DONE.value}' "
            "AND s.actual_end > s.planned_due",
            params,
        )
    values = _numbers(rows, 3)
    return values[:, 0].astype(np.int64), values[:, 1].astype(np.int64), values[:, 2]


def stage_names(ids: Sequence[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for start in range(0, len(ids), 5000):
        names.update(StagePlan.objects.filter(pk__in=ids[start : start + 5000]).values_list("pk", "name"))
    return names


def write(outcome: Outcome) -> None:
    bulk_update(
        StagePlan._meta.db_table,
        [("planned_start", EPOCH, ""), ("planned_due", EPOCH, ""), ("compressed", PLAIN, "boolean")],
        outcome.stage_rows,
    )
    bulk_update(
        QuestionPlan._meta.db_table,
        [
            ("state", PLAIN, "text"),
            ("reason", PLAIN, "text"),
            ("reserve_hours", PLAIN, "integer"),
            ("forecast_end", EPOCH, ""),
            ("forecast_late", PLAIN, "boolean"),
            ("updated_at", EPOCH, ""),
        ],
        outcome.plan_rows,
    )


def finished_durations(*, since: dt.datetime, exclude: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stages finished since `since`: (code index, department id or -1, seconds taken) as arrays."""
    plan_table, stage_table = _q(QuestionPlan._meta.db_table), _q(StagePlan._meta.db_table)
    question_table = _q(QuestionPlan._meta.get_field("question").related_model._meta.db_table)  # type: ignore[union-attr]
    connection = transaction.get_connection()
    skip = ", ".join(["%s"] * len(exclude)) or "''"
    rows = _fetch(
        f"SELECT {_case('s.code', STAGE_CODES)}, COALESCE(q.department_id, -1), "  # noqa: S608
        f"{_epoch('s.actual_end')} - {_epoch('s.actual_start')} FROM {stage_table} s "
        f"JOIN {plan_table} p ON p.id = s.plan_id JOIN {question_table} q ON q.id = p.question_id "
        f"WHERE s.status = '{StageStatus.DONE.value}' AND s.actual_start IS NOT NULL "
        f"AND s.actual_end >= %s AND s.code NOT IN ({skip})",
        [connection.ops.adapt_datetimefield_value(since), *exclude],
    )
    values = _numbers(rows, 3)
    return values[:, 0].astype(np.int64), values[:, 1].astype(np.int64), np.round(values[:, 2])
