"""`otklik deadline --regime 59fz --registered YYYY-MM-DD [--extension-days N]`: print the legal deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.calendar import current_calendar
from workflow.calculator import calculate
from workflow.choices import Path
from workflow.models import Regime
from workflow.services import defaults_ensure


class Command(BaseCommand):
    help = "Рассчитать законный срок рассмотрения (последняя строка — дата ГГГГ-ММ-ДД)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regime", default="59fz", help="Код режима: 59fz, message, 8fz, migration…")
        parser.add_argument("--registered", required=True, help="Дата регистрации ГГГГ-ММ-ДД")
        parser.add_argument("--extension-days", type=int, default=0)
        parser.add_argument("--path", default=Path.MAIN, choices=Path.values)

    def handle(self, *args: Any, **options: Any) -> None:
        defaults_ensure()
        regime = Regime.objects.filter(code=options["regime"]).first()
        if regime is None:
            codes = ", ".join(Regime.objects.values_list("code", flat=True))
            raise CommandError(f"неизвестный режим {options['regime']!r}; есть: {codes}")
        try:
            registered = dt.date.fromisoformat(options["registered"])
        except ValueError:
            raise CommandError("дата регистрации пишется как ГГГГ-ММ-ДД") from None
        if options["extension_days"] < 0:
            raise CommandError("продление не может быть отрицательным")
        try:
            result = calculate(
                regime, registered, current_calendar(), path=options["path"], extension_days=options["extension_days"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for line in result.explanation:
            self.stdout.write(line)
        self.stdout.write(result.due.isoformat())
