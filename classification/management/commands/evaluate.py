"""`otklik evaluate --train FILE --test FILE --format spb|kursk --target TARGET`.

Trains Otklik's model and a plain baseline (TF-IDF + logistic regression) on one file and
scores both on the other. The last line of output is the summary a script can parse.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from classification.learning.datasets import FORMATS, ROUTING_TARGETS, TARGETS, DatasetError, load
from classification.learning.evaluate import evaluate
from classification.progress import ProgressBar


class Command(BaseCommand):
    # Pure computation on files: no database, no URL map to check.
    requires_system_checks: list[str] = []
    help = "Обучить модель на одном файле и проверить на другом; сравнить с базовой моделью (TF-IDF + логистическая регрессия)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--train", type=Path, required=True, help="Файл для обучения (.csv или .csv.gz).")
        parser.add_argument("--test", type=Path, required=True, help="Файл для проверки (.csv или .csv.gz).")
        parser.add_argument("--format", choices=FORMATS, required=True, help="Формат файлов: spb или kursk.")
        all_targets = sorted({t for targets in TARGETS.values() for t in targets})
        parser.add_argument(
            "--target",
            required=True,
            choices=all_targets,
            help="spb: category, reason, executor_org; kursk: group, topic, executor.",
        )
        parser.add_argument(
            "--keep-duplicates",
            action="store_true",
            help="Не исключать из проверки тексты, которые встречаются в обучающем файле.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, target = options["format"], options["target"]
        if target not in TARGETS[fmt]:
            raise CommandError(f"для формата {fmt} цель {target!r} недоступна; допустимы: {', '.join(TARGETS[fmt])}")
        try:
            train = load(options["train"], fmt=fmt, target=target)
            test = load(options["test"], fmt=fmt, target=target)
        except DatasetError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Обучение: {len(train)} строк с меткой (без метки пропущено {train.skipped}); "
            f"проверка: {len(test)} (без метки пропущено {test.skipped})"
        )
        try:
            result = evaluate(
                train,
                test,
                routing=target in ROUTING_TARGETS,
                drop_duplicates=not options["keep_duplicates"],
                progress=ProgressBar(cast(TextIO, self.stderr._out), enabled=options["verbosity"] >= 1),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if result.dropped_seen:
            self.stdout.write(f"Исключено из проверки текстов, встречающихся в обучении: {result.dropped_seen}")
        self.stdout.write(f"Классов в обучении: {result.classes}; проверено строк: {result.n_test}")
        self.stdout.write(
            f"Модель Отклика:  точность {result.model.accuracy:.3f}, macro-F1 {result.model.macro_f1:.3f} "
            f"(обучение {result.train_seconds:.1f} с; предсказание p50 {result.predict_p50_ms:.1f} мс, "
            f"p99 {result.predict_p99_ms:.1f} мс)"
        )
        self.stdout.write(
            f"Базовая модель:  точность {result.baseline.accuracy:.3f}, macro-F1 {result.baseline.macro_f1:.3f} "
            f"(обучение и предсказание {result.baseline_seconds:.1f} с)"
        )
        self.stdout.write(
            f"model accuracy={result.model.accuracy:.3f} macro_f1={result.model.macro_f1:.3f} "
            f"baseline accuracy={result.baseline.accuracy:.3f} macro_f1={result.baseline.macro_f1:.3f}"
        )
