"""The extractor on the first reports of the real St Petersburg file (skipped without the data,
required under CI). The full measurement with a held-out part is bench/promises.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from conftest import IN_CI
from promises.evaluation import evaluate, read_answers

SPB = Path(settings.BASE_DIR).parent / "shared" / "data" / "spb" / "appeals_2020-10_2021-02.csv.gz"


def test_targets_on_the_first_reports_of_the_real_file() -> None:
    if not SPB.exists():
        if IN_CI:
            pytest.fail(f"{SPB} must exist under CI")
        pytest.skip("../shared/data is not present")
    result = evaluate(read_answers(SPB, max_rows=3000))  # each answer from the answers before it only
    o, b = result.otklik, result.baseline
    assert o.interim > 300 and o.final > 1500
    assert o.exact_date_recall >= 0.75 and o.exact_date_recall > b.exact_date_recall
    assert o.month_recall >= 0.85 and o.month_recall > b.month_recall
    assert o.false_promise_rate <= 0.05
