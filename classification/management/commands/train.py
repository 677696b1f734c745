"""`otklik train`: train the classification and routing models on the body's own history."""

from __future__ import annotations

from typing import Any, TextIO, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from classification.choices import Target
from classification.progress import ProgressBar
from classification.services import model_train


class Command(BaseCommand):
    help = (
        "Обучить модели (код классификатора, местная категория, тип вопроса, вид, подразделение) на истории "
        "подтверждённых решений органа. Модель сохраняется в базе вместе с показателями."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--activate",
            choices=["always", "if_better", "never"],
            default="always",
            help="Сделать новую модель действующей: всегда (по умолчанию), если не хуже прежней, никогда.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bar = ProgressBar(cast(TextIO, self.stderr._out), enabled=options["verbosity"] >= 1)
        try:
            version = model_train(actor=None, activate=options["activate"], progress=bar)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Модель v{version.number}: {version.get_status_display().lower()}, вопросов в истории: {version.samples}"
        )
        for target in Target:
            figures = version.metrics.get(target.value, {})
            if "accuracy" in figures:
                self.stdout.write(
                    f"  {target.label}: точность {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f} "
                    f"(обучение {figures['n_train']}, проверка {figures['n_test']}, классов {figures['classes']})"
                )
            elif figures:
                self.stdout.write(f"  {target.label}: пропущено — {figures.get('skipped', '')}")
        if version.error:
            raise CommandError(version.error)
        self.stdout.write("Действующая модель: " + (f"v{version.number}" if version.is_active else "прежняя"))
