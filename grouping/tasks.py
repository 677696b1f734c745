"""Periodic matching work: questions whose text or code changed are indexed and matched again."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from grouping import services


@cron("*/20 * * * *")
@task
def rematch_changed_questions() -> int:
    return services.rematch_changed()
