"""`otklik evaluate` on files of both formats, .csv and .csv.gz, with the errors a user makes."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from classification.tests.conftest import DATA, need

SUMMARY = re.compile(r"^model accuracy=0\.\d{3} macro_f1=0\.\d{3} baseline accuracy=0\.\d{3} macro_f1=0\.\d{3}$")


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(buffer.getvalue().encode("utf-8")))
    else:
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("evaluate", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip().splitlines()


def test_kursk_csv_with_html_and_unlabelled_rows(tmp_path: Path) -> None:
    with need(DATA / "kursk" / "train.csv").open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = list(reader)[:600]
    rows[0] = {**rows[0], "Категория": ""}  # a row without a label is skipped, not an error
    train = _write(tmp_path / "train.csv", header, rows[:450])
    test = _write(tmp_path / "test.csv", header, rows[450:])
    lines = _run("--train", str(train), "--test", str(test), "--format", "kursk", "--target", "group")
    assert "без метки пропущено 1" in lines[0]
    assert SUMMARY.match(lines[-1]), lines[-1]
    model = float(lines[-1].split()[1].split("=")[1])
    baseline = float(lines[-1].split()[4].split("=")[1])
    assert model > baseline


def test_spb_gzip_routing_target(tmp_path: Path) -> None:
    with gzip.open(need(DATA / "spb" / "appeals_2020-10_2021-02.csv.gz"), "rt", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = [r for _, r in zip(range(1500), reader, strict=False)]
    train = _write(tmp_path / "train.csv.gz", header, rows[:1200])
    test = _write(tmp_path / "test.csv.gz", header, rows[1200:])
    lines = _run("--train", str(train), "--test", str(test), "--format", "spb", "--target", "executor_org")
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert any("Исключено из проверки" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "kursk", "--target", "category"], "недоступна"),
        (["--format", "spb", "--target", "category"], "нет столбцов"),
    ],
)
def test_wrong_format_or_target_is_explained(tmp_path: Path, args: list[str], message: str) -> None:
    path = _write(
        tmp_path / "k.csv",
        ["id", "Текст Сообщения", "Категория"],
        [{"id": "1", "Текст Сообщения": "яма", "Категория": "0"}],
    )
    with pytest.raises(CommandError, match=message):
        _run("--train", str(path), "--test", str(path), *args)


def test_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="не найден"):
        _run(
            "--train",
            str(tmp_path / "no.csv"),
            "--test",
            str(tmp_path / "no.csv"),
            "--format",
            "kursk",
            "--target",
            "group",
        )
