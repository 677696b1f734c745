"""`otklik dedup-eval FILE`: how well applicant recognition does on a labelled file.

The file format is described in people/matching/evaluation.py and docs/dedup.md. The records
are matched in memory with the installation's thresholds; nothing is written to the database.
The last line printed is `f1=… autolink_precision=…`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.management.commands._progress import ProgressBar
from people.matching.evaluation import LabelledFileError, evaluate, read_labelled


class Command(BaseCommand):
    help = "Оценить распознавание заявителей на размеченном файле (CSV: record_id, cluster_id, full_name, …)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--autolink",
            type=int,
            default=None,
            help="Порог автоматической привязки, бит (по умолчанию OTKLIK_DEDUP_AUTOLINK_WEIGHT).",
        )
        parser.add_argument(
            "--propose",
            type=int,
            default=None,
            help="Порог предложения оператору, бит (по умолчанию OTKLIK_DEDUP_PROPOSE_WEIGHT).",
        )

        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Сколько процессов разбирают имена и адреса (по умолчанию — по числу ядер).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"файл не найден: {path}")
        autolink = settings.OTKLIK_DEDUP_AUTOLINK_WEIGHT if options["autolink"] is None else options["autolink"]
        propose = settings.OTKLIK_DEDUP_PROPOSE_WEIGHT if options["propose"] is None else options["propose"]
        if propose > autolink:
            raise CommandError("порог предложения не может быть выше порога автоматической привязки")
        try:
            records = read_labelled(path)
        except LabelledFileError as exc:
            raise CommandError(str(exc)) from None
        bar = ProgressBar(len(records), "сопоставление", stream=self.stderr if options["verbosity"] >= 1 else None)
        outcome = evaluate(
            records,
            autolink_weight=autolink,
            propose_weight=propose,
            progress=bar.update if options["verbosity"] >= 1 else None,
            workers=options["workers"],
        )
        if options["verbosity"] >= 1:
            bar.finish(len(records))
        for line in outcome.lines():
            self.stdout.write(line)
        self.stdout.write(f"пороги: автоматическая привязка {autolink} бит, предложение {propose} бит")
        self.stdout.write(outcome.summary())
