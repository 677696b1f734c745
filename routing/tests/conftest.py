"""Shared helpers of the routing tests: the starter classifier."""

from __future__ import annotations

import pytest

from classification.services import classifier_import
from classification.tests.conftest import STARTER


@pytest.fixture
def starter(db) -> None:
    classifier_import(text=STARTER.read_text(encoding="utf-8"))
