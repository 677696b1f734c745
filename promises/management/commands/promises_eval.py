"""`otklik promises-eval FILE`: how well promise extraction does on a file of portal answers.

The format and the protocol are described in promises/evaluation.py and docs/promises.md.
Nothing is read from or written to the database: the body's conventions are learned from the
answers of the file itself (each answer only from those given before it), or first from the
answers of `--history FILE`. The last line printed is
`exact_date_recall=… month_recall=… false_promise_rate=…`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from promises.evaluation import EvaluationFileError, evaluate, read_answers, report_lines


def _moment(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"дата не распознана: {value} (нужно ГГГГ-ММ-ДД)") from None


class Command(BaseCommand):
    help = "Оценить извлечение обещаний на файле ответов (CSV: executor_org, answers с interim_date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--history",
            type=Path,
            action="append",
            default=[],
            help="Файл с более ранними ответами тех же органов: обычаи учатся на нём до оценки (можно несколько).",
        )
        parser.add_argument(
            "--evaluate-from",
            default="",
            help="Оценивать ответы с этой даты (ГГГГ-ММ-ДД); более ранние ответы файла — только история.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        evaluate_from = _moment(options["evaluate_from"]) if options["evaluate_from"] else None
        try:
            records = read_answers(options["file"])
            history = [r for path in options["history"] for r in read_answers(path)]
        except EvaluationFileError as exc:
            raise CommandError(str(exc)) from None
        if not records:
            raise CommandError("в файле нет промежуточных и окончательных ответов")
        if history:
            first = min(r.given_at for r in records)
            history = [r for r in history if r.given_at < first]
        result = evaluate(records, evaluate_from=evaluate_from, history=sorted(history, key=lambda r: r.given_at))
        for line in report_lines(result):
            self.stdout.write(line)
