"""`otklik import-gazetteer FILE`: load the buildings of the territory (address, lat, lon, district, street)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nlp.gazetteer import GazetteerError
from nlp.services import gazetteer_import, read_text_file


class Command(BaseCommand):
    help = "Загрузить справочник адресов территории (CSV: address, lat, lon, district[, street]); заменяет прежний."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"файл не найден: {path}")
        try:
            report = gazetteer_import(text=read_text_file(path))
        except GazetteerError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Загружено адресов: {report.loaded} (районов: {report.districts}); прежних записей заменено: {report.replaced}"
        )
