"""Shared start-up of the benchmarks: a throw-away database, migrated, Django configured."""

from __future__ import annotations

import csv
import gzip
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The St Petersburg portal reports (see ../shared/data/README.md): read in place, never copied.
SPB_REPORTS = ROOT.parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"


def spb_reports(min_text: int = 20) -> Iterator[dict[str, str]]:
    """The reports in file order whose text (stripped, and given back stripped) has at least
    `min_text` characters."""
    csv.field_size_limit(10_000_000)
    with gzip.open(SPB_REPORTS, "rt", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            text = (row.get("text") or "").strip()
            if len(text) >= min_text:
                yield {**row, "text": text}


def django_in_temp_database(reuse: str = "") -> Path:
    """Point Otklik at a fresh var/ folder (SQLite) unless DATABASE_URL is given, and migrate;
    `reuse` is the var/ folder of an earlier run to measure again."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    var = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix="otklik-bench-"))
    os.environ["OTKLIK_VAR_DIR"] = str(var)
    os.environ["OTKLIK_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
