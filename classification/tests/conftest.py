"""Shared helpers of the classification tests: real data by path, the starter classifier."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from classification.services import classifier_import
from conftest import IN_CI

DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
STARTER = Path(__file__).resolve().parents[1] / "fixtures" / "starter_classifier.csv"


def need(path: Path) -> Path:
    if path.exists():
        return path
    if IN_CI:
        pytest.fail(f"{path} must exist under CI")
    pytest.skip("../shared/data is not present")


@pytest.fixture
def starter(db) -> None:
    classifier_import(text=STARTER.read_text(encoding="utf-8"))
