"""Receive what document-management systems dropped into the exchange folder, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from intake.exchange import scan


class Command(BaseCommand):
    help = "Принять файлы из папки обмена (inbox/ → done/ или failed/ с причиной)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="папка обмена (по умолчанию OTKLIK_EXCHANGE_DIR)")

    def handle(self, *args: Any, **options: Any) -> None:
        root = options["dir"] or Path(settings.OTKLIK_EXCHANGE_DIR)
        result = scan(root)
        self.stdout.write(f"Новых: {result.new}; уже принятых раньше: {result.repeated}; не принято: {result.failed}.")
