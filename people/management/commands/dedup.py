"""`otklik dedup`: search the whole registry for duplicate applicants, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.choices import DedupRunStatus
from people.management.commands._progress import ProgressBar
from people.models import Applicant, DedupRun
from people.services import dedup_run_execute


class Command(BaseCommand):
    help = (
        "Найти возможные дубликаты среди всех заявителей: пары попадают в очередь на проверку "
        "(«Возможные дубликаты»), с --auto-merge бесспорные объединяются сразу (с записью в журнал)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--auto-merge", action="store_true", help="Объединять бесспорные дубликаты (нужен --user).")
        parser.add_argument("--user", help="Имя пользователя-администратора, от чьего имени объединять.")
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="Сначала пересчитать ключи поиска всех карточек (после импорта старой базы).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"пользователь не найден: {options['user']}")
        if options["auto_merge"] and user is None:
            raise CommandError("для --auto-merge укажите --user: объединения записываются в журнал от его имени")
        if DedupRun.objects.filter(status__in=[DedupRunStatus.QUEUED, DedupRunStatus.RUNNING]).exists():
            raise CommandError("проверка уже идёт (см. страницу «Пакетная проверка дубликатов»)")
        total = Applicant.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True).count()
        run = DedupRun.objects.create(started_by=user, auto_merge=options["auto_merge"], total=total)
        bar = ProgressBar(total, "проверка", stream=self.stderr)
        run = dedup_run_execute(run=run, progress=lambda r: bar.update(r.processed), reindex=options["reindex"])
        bar.finish(run.processed)
        self.stdout.write(
            f"Проверено карточек: {run.processed}; в очередь на проверку: {run.suspicions}; "
            f"объединено автоматически: {run.merges}."
        )
