"""`otklik promises-eval` and the evaluation it runs, on small files written here."""

from __future__ import annotations

import csv
import gzip
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from otklik.cli import help_text
from promises.evaluation import evaluate, read_answers

INTERIM = "Промежуточный ответ"
FINAL = "Окончательный ответ"


def _write(path: Path, rows: list[tuple[str, list[dict[str, object]]]]) -> Path:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as handle:  # type: ignore[operator]
        writer = csv.DictWriter(handle, fieldnames=["id", "executor_org", "answers"])
        writer.writeheader()
        for i, (org, answers) in enumerate(rows):
            writer.writerow({"id": i, "executor_org": org, "answers": json.dumps(answers, ensure_ascii=False)})
    return path


def _answer(kind: str, day: str, body: str, interim_date: str | None = None) -> dict[str, object]:
    return {"dt": f"{day}T10:00:00", "kind": kind, "status": "Принят", "body": body, "interim_date": interim_date}


SUMMONS = "Собственнику направлено уведомление о явке для составления протокола."
ROWS = [
    ("ЖА", [_answer(INTERIM, "2021-01-11", "Работы будут выполнены в срок до 30.04.2021.", "2021-04-30")]),
    ("ЖА", [_answer(INTERIM, "2021-01-12", "Ремонт будет выполнен в весенне-летний период 2021 года.", "2021-08-31")]),
    ("Адм", [_answer(INTERIM, "2021-01-13", SUMMONS, "2021-02-27")]),  # history: 45 days
    ("Адм", [_answer(INTERIM, "2021-01-20", SUMMONS, "2021-03-06")]),  # history: 45 days
    ("Адм", [_answer(INTERIM, "2021-02-01", SUMMONS, "2021-03-18")]),  # learned: 45 days, exact
    ("ЖА", [_answer(INTERIM, "2021-02-02", "Вопрос на контроле до 15.05.2021.", "2021-05-20")]),  # month only
    ("ЖА", [_answer(FINAL, "2021-02-03", "Работы выполнены 01.02.2021.")]),
    ("ЖА", [_answer(FINAL, "2021-02-04", "Покраска будет выполнена до 01.06.2021.")]),  # a promise in a final
    ("ЖА", [_answer(FINAL, "2021-02-05", "Разъяснено, что дом не включён в программу.")]),
    ("ЖА", [_answer(FINAL, "2021-02-06", "Нарушение устранено.")]),
]


def test_figures_with_history_before_each_answer(tmp_path: Path) -> None:
    records = read_answers(_write(tmp_path / "a.csv.gz", ROWS))
    assert len(records) == 10
    result = evaluate(records, evaluate_from=records[4].given_at)
    o, b = result.otklik, result.baseline
    assert (o.interim, o.exact, o.month, o.final, o.false_promises) == (2, 1, 2, 4, 1)
    assert (b.interim, b.exact, b.month, b.false_promises) == (2, 0, 1, 1)
    assert result.conventions_used == 1 and result.conventions_right == 1
    whole = evaluate(records)  # the first summons answers have no history: nothing is guessed for them
    assert (whole.otklik.interim, whole.otklik.exact) == (6, 3)


def test_command_prints_the_summary_last(tmp_path: Path) -> None:
    out = StringIO()
    call_command("promises_eval", str(_write(tmp_path / "a.csv", ROWS)), "--evaluate-from", "2021-02-01", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "exact_date_recall=0.500 month_recall=1.000 false_promise_rate=0.250"
    assert any(line.startswith("baseline: exact_date_recall=0.000") for line in lines)
    assert "promises-eval" in help_text()


def test_command_history_file(tmp_path: Path) -> None:
    history = _write(tmp_path / "old.csv", ROWS[2:4])
    current = _write(tmp_path / "new.csv", [ROWS[4]])
    out = StringIO()
    call_command("promises_eval", str(current), "--history", str(history), stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("exact_date_recall=1.000")


def test_command_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="не найден"):
        call_command("promises_eval", str(tmp_path / "missing.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="нет столбцов"):
        call_command("promises_eval", str(bad))
    empty = _write(tmp_path / "empty.csv", [("ЖА", [])])
    with pytest.raises(CommandError, match="нет промежуточных"):
        call_command("promises_eval", str(empty))
    with pytest.raises(CommandError, match="дата не распознана"):
        call_command("promises_eval", str(empty), "--evaluate-from", "вчера")
