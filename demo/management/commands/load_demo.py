"""`otklik load-demo`: the demo administration of Demograd with five months of appeals, once."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.generator import (
    DEFAULT_APPEALS,
    DEFAULT_SEED,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoAlreadyLoadedError,
    DemoConflictError,
    demo_loaded,
    load_demo,
)

ALREADY_LOADED = "Демонстрационные данные уже загружены"
PROGRESS_STEP = 50


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"нужно неотрицательное целое число, а не {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Загрузить демонстрационные данные: администрацию «Города Демограда», её подразделения, "
        "сотрудников и обращения за пять месяцев. Повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Начальное число генератора (по умолчанию {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--appeals",
            type=_non_negative,
            default=DEFAULT_APPEALS,
            metavar="N",
            help=f"Сколько обращений создать (по умолчанию {DEFAULT_APPEALS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_loaded():
            self.stdout.write(ALREADY_LOADED)
            return
        verbose = options["verbosity"] >= 1

        def progress(done: int, total: int) -> None:
            if verbose and (done % PROGRESS_STEP == 0 or done == total):
                self.stderr.write(f"  обращения: {done} из {total}")

        if verbose:
            self.stdout.write(f"Загружаю демонстрационные данные ({options['appeals']} обращений)…")
        try:
            summary = load_demo(seed=options["seed"], appeals=options["appeals"], progress=progress)
        except DemoAlreadyLoadedError:
            self.stdout.write(ALREADY_LOADED)
            return
        except DemoConflictError as exc:
            raise CommandError(str(exc)) from None
        if not verbose:
            return
        self.stdout.write(self.style.SUCCESS(f"Демонстрационные данные загружены за {summary.seconds:.1f} с."))
        self.stdout.write(
            f"  подразделений: {summary.departments}, сотрудников: {summary.staff}, "
            f"заявителей: {summary.applicants}, обращений: {summary.appeals}, вопросов: {summary.questions}"
        )
        self.stdout.write(
            f"  на исполнении: {summary.open_questions} вопросов, из них просрочено: {summary.overdue_questions}, "
            f"под угрозой срыва срока: {summary.at_risk_questions}"
        )
        self.stdout.write("")
        self.stdout.write(f"Демо-входы (пароль у всех: {DEMO_PASSWORD}):")
        width = max(len(username) for username, _, _ in DEMO_LOGINS) + 2
        self.stdout.write(f"  {'Логин'.ljust(width)}{'Пароль'.ljust(12)}{'Роль'.ljust(15)}Что посмотреть")
        for username, role, description in DEMO_LOGINS:
            self.stdout.write(f"  {username.ljust(width)}{DEMO_PASSWORD.ljust(12)}{role.ljust(15)}{description}")
