"""`otklik import-categories FILE`: a body's own categories and reasons (like the SPb portal's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classification.services import ClassifierImportError, local_categories_import, read_classifier_file


class Command(BaseCommand):
    help = (
        "Загрузить местные категории и причины органа (CSV: reason_id, reason, category[, city_object, "
        "description]). Соответствие официальным кодам задаётся в настройке."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"файл не найден: {path}")
        try:
            report = local_categories_import(text=read_classifier_file(path))
        except ClassifierImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Новых категорий: {report.categories}, новых причин: {report.reasons}")
