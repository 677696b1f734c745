"""Shared start-up of the benchmarks: a throw-away database, migrated, Django configured."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
