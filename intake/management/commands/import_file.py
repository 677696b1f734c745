"""Import an export file of another system (ПОС, ССТУ.РФ, an old registry) into «Входящие»."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from appeals.choices import Channel
from intake.imports import FORMATS, TARGETS, count_rows, import_file, mapping_save, preview, report_csv
from intake.models import ImportMapping


class ProgressBar:
    """A one-line bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream: Any = sys.stderr) -> None:
        self.total = max(total, 1)
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if done < self.total and now - self.drawn < 0.1:
            return
        self.drawn = now
        share = min(done / self.total, 1.0)
        filled = int(share * 30)
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} строк, {rate:.0f} в секунду")
        if done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Импортировать выгрузку другой системы (CSV, XLSX, JSON, JSON Lines) во «Входящие». "
        "Сопоставление столбцов сохраняется для источника: --map text=Текст --map email=Почта ..."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="имя источника латиницей (pos, sstu, ...)")
        parser.add_argument("--format", choices=FORMATS, help="формат, если не по расширению")
        parser.add_argument(
            "--map", action="append", default=[], metavar="ПОЛЕ=СТОЛБЕЦ", help=f"поля: {', '.join(TARGETS)}"
        )
        parser.add_argument("--id-column", default=None, help="столбец с номером в источнике (для повторного импорта)")
        parser.add_argument("--channel", choices=Channel.values, default=None, help="канал поступления")
        parser.add_argument("--preview", action="store_true", help="показать первые строки и ничего не импортировать")
        parser.add_argument("--report", type=Path, help="записать строки с ошибками в CSV")

    def _mapping(self, options: dict[str, Any]) -> ImportMapping:
        saved = ImportMapping.objects.filter(source=options["source"]).first()
        if not options["map"] and options["id_column"] is None and options["channel"] is None:
            if saved is None:
                raise CommandError(
                    f"Для источника «{options['source']}» нет сохранённого сопоставления: "
                    "укажите --map text=СТОЛБЕЦ (и другие поля), --id-column, --channel."
                )
            return saved
        columns = dict(saved.columns) if saved else {}
        for pair in options["map"]:
            target, sep, column = pair.partition("=")
            if not sep or not target.strip() or not column.strip():
                raise CommandError(f"--map {pair}: нужно ПОЛЕ=СТОЛБЕЦ.")
            columns[target.strip()] = column.strip()
        return mapping_save(
            source=options["source"],
            channel=options["channel"] or (saved.channel if saved else Channel.EDMS),
            columns=columns,
            id_column=options["id_column"] if options["id_column"] is not None else (saved.id_column if saved else ""),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            mapping = self._mapping(options)
            if options["preview"]:
                for number, document, error in preview(path, mapping, fmt=options["format"]):
                    self.stdout.write(f"строка {number}: {error or document}")
                return
            bar = ProgressBar(count_rows(path, options["format"]))
            report = import_file(path, mapping, fmt=options["format"], progress=bar)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Строк: {report.total}; новых: {report.new}; уже импортированных раньше: {report.repeated}; "
            f"с ошибками: {report.invalid}."
        )
        for number, reason in report.errors[:20]:
            self.stdout.write(f"  строка {number}: {reason}")
        if report.invalid > 20:
            self.stdout.write(
                f"  … и ещё {report.invalid - 20}" + (" (полный список в отчёте)" if options["report"] else "")
            )
        if options["report"]:
            options["report"].write_text(report_csv(report), encoding="utf-8")
