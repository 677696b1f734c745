"""`otklik import-classifier FILE`: load the official thematic classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classification.services import ClassifierImportError, classifier_import, read_classifier_file


class Command(BaseCommand):
    help = "Загрузить официальный тематический классификатор (CSV: code, level, name, parent_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing", action="store_true", help="Отметить недействующими коды, которых нет в файле."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"файл не найден: {path}")
        try:
            report = classifier_import(
                text=read_classifier_file(path), deactivate_missing=options["deactivate_missing"]
            )
        except ClassifierImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Добавлено: {len(report.created)}, изменено: {len(report.updated)}, "
            f"без изменений: {report.unchanged}, отмечено недействующими: {len(report.deactivated)}"
        )
        for code in report.updated[:50]:
            self.stdout.write(f"  изменён {code}")
        if not report.changed:
            self.stdout.write("Классификатор уже актуален.")
