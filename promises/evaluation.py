"""Measuring promise extraction on a file of answers (the city-portal export format).

A file is a CSV (optionally gzip-compressed) with the columns `executor_org` and `answers`
(a JSON list of {dt, kind, body, interim_date}). For an interim answer («Промежуточный
ответ») the promised date is `interim_date`; a final answer («Окончательный ответ») should
carry no new promise.

Protocol (what a body has at run time): answers are read in the order they were given; each
interim answer is predicted from the body's history of answers strictly earlier than it, and
only then joins that history. Answers before `evaluate_from` are history only (they teach the
conventions and are not scored), so the scored part is disjoint from and later than
everything the conventions were learned from at the start. Nothing is learned in advance:
the conventions are rebuilt from the file on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from core.calendar import ProductionCalendar

from .extract import PeriodConventions, promised_date

INTERIM = "Промежуточный ответ"
FINAL = "Окончательный ответ"

_BASELINE = re.compile(r"\bдо\s+(\d{2})\.(\d{2})\.(\d{4})\b", re.IGNORECASE)


class EvaluationFileError(ValueError):
    """The file cannot be read as answers."""


@dataclass(frozen=True)
class AnswerRecord:
    body: str
    given_at: dt.datetime
    kind: str
    text: str
    promised: dt.date | None

    @property
    def answered_on(self) -> dt.date:
        return self.given_at.date()


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def read_answers(path: str | Path, *, max_rows: int | None = None) -> list[AnswerRecord]:
    """Every interim and final answer of the file (of its first `max_rows` rows), in the order
    they were given."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationFileError(f"файл не найден: {path}")
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    records: list[AnswerRecord] = []
    try:
        with _open(path) as handle:
            reader = csv.DictReader(handle)
            missing = {"executor_org", "answers"} - set(reader.fieldnames or [])
            if missing:
                raise EvaluationFileError(f"в файле нет столбцов: {', '.join(sorted(missing))}")
            for number, row in enumerate(reader):
                if max_rows is not None and number >= max_rows:
                    break
                records.extend(_row_answers(row))
    except (OSError, UnicodeDecodeError, csv.Error, gzip.BadGzipFile) as error:
        raise EvaluationFileError(f"файл не читается как CSV с ответами: {error}") from error
    records.sort(key=lambda r: r.given_at)
    return records


def _row_answers(row: dict[str, str]) -> Iterator[AnswerRecord]:
    try:
        answers = json.loads(row.get("answers") or "[]")
    except json.JSONDecodeError:
        return
    for answer in answers if isinstance(answers, list) else []:
        kind = answer.get("kind")
        if kind not in (INTERIM, FINAL) or not answer.get("dt"):
            continue
        try:
            given_at = dt.datetime.fromisoformat(answer["dt"])
            promised = dt.date.fromisoformat(answer["interim_date"]) if answer.get("interim_date") else None
        except (TypeError, ValueError):
            continue
        yield AnswerRecord(
            body=(row.get("executor_org") or "").strip(),
            given_at=given_at,
            kind=kind,
            text=answer.get("body") or "",
            promised=promised,
        )


def baseline_date(text: str, answered_on: dt.date) -> dt.date | None:
    """The plain regular expression: the first «до DD.MM.YYYY» in the text."""
    for match in _BASELINE.finditer(text or ""):
        try:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            continue
    return None


@dataclass
class Scores:
    interim: int = 0
    exact: int = 0
    month: int = 0
    final: int = 0
    false_promises: int = 0
    interim_with_prediction: int = 0

    def add_interim(self, predicted: dt.date | None, promised: dt.date) -> None:
        self.interim += 1
        if predicted is not None:
            self.interim_with_prediction += 1
            self.exact += predicted == promised
            self.month += (predicted.year, predicted.month) == (promised.year, promised.month)

    def add_final(self, predicted: bool) -> None:
        self.final += 1
        self.false_promises += predicted

    @property
    def exact_date_recall(self) -> float:
        return self.exact / self.interim if self.interim else 0.0

    @property
    def month_recall(self) -> float:
        return self.month / self.interim if self.interim else 0.0

    @property
    def false_promise_rate(self) -> float:
        return self.false_promises / self.final if self.final else 0.0

    def line(self) -> str:
        return (
            f"exact_date_recall={self.exact_date_recall:.3f} month_recall={self.month_recall:.3f} "
            f"false_promise_rate={self.false_promise_rate:.3f}"
        )


@dataclass
class Evaluation:
    otklik: Scores
    baseline: Scores
    history_answers: int
    conventions_used: int
    conventions_right: int


def evaluate(
    records: Iterable[AnswerRecord],
    *,
    evaluate_from: dt.datetime | None = None,
    history: Iterable[AnswerRecord] = (),
    calendar_: ProductionCalendar | None = None,
) -> Evaluation:
    """Score Otklik and the baseline; see the module docstring for the protocol."""
    calendar_ = calendar_ or ProductionCalendar()
    conventions = PeriodConventions()
    learned = 0
    for record in history:
        if record.kind == INTERIM and record.promised:
            conventions.learn(record.text, record.body, record.answered_on, record.promised)
            learned += 1
    otklik, baseline = Scores(), Scores()
    used = right = 0
    for record in sorted(records, key=lambda r: r.given_at):
        scored = evaluate_from is None or record.given_at >= evaluate_from
        if record.kind == INTERIM and record.promised:
            if scored:
                found = promised_date(
                    record.text,
                    answered_on=record.answered_on,
                    body=record.body,
                    interim=True,
                    conventions=conventions,
                    calendar_=calendar_,
                )
                otklik.add_interim(found.due if found else None, record.promised)
                baseline.add_interim(baseline_date(record.text, record.answered_on), record.promised)
                if found is not None and found.source == "convention":
                    used += 1
                    right += found.due == record.promised
            else:
                learned += 1
            conventions.learn(record.text, record.body, record.answered_on, record.promised)
        elif record.kind == FINAL and scored:
            found = promised_date(record.text, answered_on=record.answered_on, body=record.body, calendar_=calendar_)
            otklik.add_final(found is not None)
            baseline.add_final(baseline_date(record.text, record.answered_on) is not None)
    return Evaluation(otklik, baseline, learned, used, right)


def report_lines(result: Evaluation) -> list[str]:
    """The figures as printed by the benchmark and by `otklik promises-eval`."""
    o, b = result.otklik, result.baseline
    return [
        f"промежуточных ответов: {o.interim}, окончательных: {o.final}, ответов в истории до оценки: "
        f"{result.history_answers}",
        f"{'':28}{'Отклик':>10}{'регулярка':>12}",
        f"{'exact_date_recall':28}{o.exact_date_recall:>10.3f}{b.exact_date_recall:>12.3f}",
        f"{'month_recall':28}{o.month_recall:>10.3f}{b.month_recall:>12.3f}",
        f"{'false_promise_rate':28}{o.false_promise_rate:>10.3f}{b.false_promise_rate:>12.3f}",
        f"дата найдена в тексте или по обычаю органа: {o.interim_with_prediction}/{o.interim}; "
        f"по обычаю органа: {result.conventions_used}, из них точно: {result.conventions_right}",
        f"baseline: {b.line()}",
        o.line(),
    ]
