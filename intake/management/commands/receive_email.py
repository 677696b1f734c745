"""Store .eml files as incoming e-mail items and register them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.mail import email_receive


class Command(BaseCommand):
    help = "Принять письма из файлов .eml как входящие (повторно поданное письмо узнаётся по Message-ID)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="файлы .eml")

    def handle(self, *args: Any, **options: Any) -> None:
        new = repeated = 0
        for path in options["files"]:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raise CommandError(f"{path}: не читается ({exc.strerror})") from None
            try:
                receipt = email_receive(raw)
            except ValidationError as exc:
                self.stderr.write(f"{path.name}: {' '.join(exc.messages)}")
                continue
            if receipt.created:
                new += 1
            else:
                repeated += 1
        self.stdout.write(f"Новых: {new}, уже полученных раньше: {repeated}.")
