"""Real data for the text-analysis tests: read by path, skipped when absent (failing under CI)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
from django.conf import settings

from conftest import IN_CI

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"


def need(path: Path) -> Path:
    if path.exists():
        return path
    if IN_CI:
        pytest.fail(f"{path} must exist under CI")
    pytest.skip("../shared/data is not present")


@pytest.fixture(scope="session")
def spb_rows() -> list[dict[str, str]]:
    path = need(DATA / "spb" / "appeals_2020-10_2021-02.csv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def kursk_rows() -> list[dict[str, str]]:
    path = need(DATA / "kursk" / "train.csv")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def gazetteer_text() -> str:
    return need(DATA / "spb" / "gazetteer.csv").read_text(encoding="utf-8")
