"""Intake throughput: items made from the spb portal texts pushed through the whole pipeline.

Each item is a document (text, address, a person who writes again now and then, an e-mail)
received by `intake.services.item_receive` — payload written to storage, row inserted — and
then registered exactly as the queue's tasks do: one task per item, `items_register`, which
takes its item and up to `--batch - 1` others waiting (200 in all by default) and registers
them together: parse, check attachments, recognise the applicants one by one
(`applicant_resolve`), then one `appeals_register` call with the registration steps (text
analysis, classification, routing, stage plan, grouping) over the batch. Where the time goes
is printed per step. `--batch 1` registers one item per task, the way it was done before
batches, for comparison. The baseline in the same run is `appeal_register` alone for the
same texts with one fixed applicant: what registration costs one appeal at a time, without
intake and applicant matching.

One process on SQLite by default; on PostgreSQL when DATABASE_URL is given (an empty
database: the run migrates it and writes its body and items there), where `--workers 2`
also runs two worker processes over the same queue of received items.
The last line: sqlite_1proc_per_s=N postgres_1proc_per_s=N postgres_2workers_per_s=N
(`nan` for what this run did not measure).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from _setup import ROOT, SPB_REPORTS, django_in_temp_database, spb_reports

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров"]
NAMES = ["Александр", "Сергей", "Андрей", "Дмитрий", "Алексей", "Максим", "Иван", "Павел"]
PATRONYMICS = ["Александрович", "Сергеевич", "Андреевич", "Дмитриевич", "Игоревич"]


def load_texts(limit: int) -> list[tuple[str, str, str]]:
    """(portal id, text, address) of the first `limit` reports with a text."""
    return [(row["id"], row["text"], row.get("address") or "") for row in islice(spb_reports(), limit)]


def documents(rows: list[tuple[str, str, str]], seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """One document per report; about 2,000 distinct people, so applicants are recognised again."""
    rng = random.Random(seed)
    people = [
        (rng.choice(SURNAMES), rng.choice(NAMES), rng.choice(PATRONYMICS), f"person{i}@example.org")
        for i in range(2000)
    ]
    out = []
    for portal_id, text, address in rows:
        surname, name, patronymic, email = rng.choice(people)
        applicant = {"surname": surname, "first_name": name, "patronymic": patronymic, "email": email}
        if address:
            applicant["address"] = address[:500]
        out.append((portal_id, {"text": text, "applicant": applicant}))
    return out


class Timers:
    """Accumulated seconds per named step."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return timed


def instrument(timers: Timers) -> None:
    """Time the steps inside registration without changing what they do."""
    import appeals.pipeline
    import appeals.services
    import intake.services

    for name in ("parse", "check_attachments", "applicant_resolve", "appeals_register"):
        setattr(intake.services, name, timers.wrap(name, getattr(intake.services, name)))
    steps = [
        timers.wrap(f"  step {path.rsplit('.', 1)[-1]}", fn)
        for path, fn in zip(appeals.pipeline.REGISTRATION_STEPS, appeals.pipeline._steps(), strict=True)
    ]
    appeals.services.after_registration = lambda *, appeals, actor: [s(appeals=appeals, actor=actor) for s in steps]  # type: ignore[assignment]


def register_ids(ids: list[int], batch: int) -> tuple[int, float]:
    """What the queue's tasks do, one task per item: each takes its item and up to `batch - 1`
    other waiting ones (an item a previous task registered is found done at once).
    The number of failed items and the CPU seconds of this process."""
    from intake.choices import ItemStatus
    from intake.models import IncomingItem
    from intake.services import items_register

    cpu = time.process_time()
    for done, pk in enumerate(ids, start=1):
        items_register(item_id=pk, more=batch - 1)
        if done % 1000 == 0:
            print(f"  … {done} tasks run by process {os.getpid()}", file=sys.stderr, flush=True)
    failed = IncomingItem.objects.filter(pk__in=ids).exclude(status=ItemStatus.REGISTERED).count()
    return failed, time.process_time() - cpu


def _worker(env: dict[str, str], ids: list[int], batch: int) -> tuple[int, float]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return register_ids(ids, batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=1000, help="appeals registered by the baseline")
    parser.add_argument("--workers", type=int, default=1, choices=[1, 2])
    parser.add_argument(
        "--batch", type=int, default=0, help="items one task registers together (default: the task's BATCH_SIZE)"
    )
    args = parser.parse_args()

    postgres = bool(os.environ.get("DATABASE_URL"))
    django_in_temp_database()
    from django.db import connection

    from appeals.choices import Channel
    from appeals.services import appeal_register
    from intake.choices import DOCUMENT_CONTENT_TYPE, ItemStatus
    from intake.models import IncomingItem
    from intake.parsers import document_bytes
    from intake.services import BATCH_SIZE, item_receive
    from org.models import Body
    from org.services import roles_ensure
    from people.models import Applicant

    roles_ensure()
    body = Body.objects.create(code="bench", name="Администрация района", short_name="Администрация")
    docs = documents(load_texts(args.items + args.baseline))
    items, baseline_docs = docs[: args.items], docs[args.items :]
    batch = args.batch or BATCH_SIZE
    print(
        f"database: {connection.vendor}; items: {len(items)} from {SPB_REPORTS.name}; workers: {args.workers}; "
        f"batch: {batch}; load average before: {os.getloadavg()[0]:.1f}"
    )

    start = time.perf_counter()
    for portal_id, doc in items:
        item_receive(
            channel=Channel.EPGU,
            source_id=portal_id,
            payload=document_bytes(doc),
            content_type=DOCUMENT_CONTENT_TYPE,
            body=body,
            enqueue=False,
        )
    receive_s = time.perf_counter() - start
    ids = list(IncomingItem.objects.order_by("pk").values_list("pk", flat=True))
    print(f"receive (payload to storage + row):  {receive_s:7.1f} s  {len(ids) / receive_s:8.1f} items/s")

    timers = Timers()
    start = time.perf_counter()
    if args.workers == 1:
        instrument(timers)
        failed, cpu_s = register_ids(ids, batch)
    else:
        connection.close()
        env = {k: v for k, v in os.environ.items() if k.startswith(("OTKLIK_", "DATABASE_URL", "DJANGO_"))}
        halves = [ids[0::2], ids[1::2]]
        with multiprocessing.get_context("spawn").Pool(2) as pool:
            results = pool.starmap(_worker, [(env, half, batch) for half in halves])
        cpu_s = sum(c for _, c in results)
        # Items that lost a lock conflict between the workers went back to the queue with a new
        # task; run those tasks here, as a worker would.
        requeued = list(IncomingItem.objects.filter(status=ItemStatus.RECEIVED).values_list("pk", flat=True))
        if requeued:
            print(f"items queued again after a lock conflict: {len(requeued)}")
        failed, extra_cpu_s = register_ids(requeued, batch)
        cpu_s += extra_cpu_s
        failed = IncomingItem.objects.exclude(status=ItemStatus.REGISTERED).count()
    register_s = time.perf_counter() - start
    registered = IncomingItem.objects.filter(status=ItemStatus.REGISTERED).count()
    print(f"register (the task's work):          {register_s:7.1f} s  {len(ids) / register_s:8.1f} items/s")
    print(f"registered {registered}, failed {failed}; applicant cards: {Applicant.objects.count()}")
    # On a shared machine the wall clock includes waiting for a core; CPU time does not.
    print(
        f"register CPU time of the worker process(es): {cpu_s:.1f} s ({1000 * cpu_s / len(ids):.1f} ms per item); "
        f"load average after: {os.getloadavg()[0]:.1f}"
    )
    total_s = receive_s + register_s
    per_s = len(ids) / total_s
    print(f"whole pipeline: {per_s:.1f} items/s ({1000 * total_s / len(ids):.2f} ms per item)")
    if timers.seconds:
        print("where the registration time goes (seconds, share of register):")
        for name, seconds in sorted(timers.seconds.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<34} {seconds:8.1f}  {100 * seconds / register_s:5.1f} %")
        inside = sum(v for k, v in timers.seconds.items() if not k.startswith(" "))
        print(
            f"  {'(item lock, status update, rest)':<34} {register_s - inside:8.1f}  {100 * (register_s - inside) / register_s:5.1f} %"
        )

    applicant = Applicant.objects.create(surname="Базовый", first_name="Заявитель")
    start = time.perf_counter()
    for _, doc in baseline_docs:
        appeal_register(body=body, actor=None, channel=Channel.EPGU, text=doc["text"], applicants=[applicant])
    baseline_s = time.perf_counter() - start
    if baseline_docs:
        print(
            f"baseline: appeal_register alone (same steps, fixed applicant), {len(baseline_docs)} appeals: "
            f"{len(baseline_docs) / baseline_s:.1f} appeals/s"
        )

    figures = {"sqlite_1proc_per_s": "nan", "postgres_1proc_per_s": "nan", "postgres_2workers_per_s": "nan"}
    if args.workers == 1:
        figures["postgres_1proc_per_s" if postgres else "sqlite_1proc_per_s"] = f"{per_s:.1f}"
    elif postgres:
        figures["postgres_2workers_per_s"] = f"{per_s:.1f}"
    else:
        print(f"sqlite with 2 workers (writers queue on one lock): {per_s:.1f} items/s")
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
