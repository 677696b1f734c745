"""Periodic housekeeping, run by the scheduler through the task queue."""

from __future__ import annotations

from crontask import cron
from django.core.management import call_command
from django.tasks import task


@cron("17 3 * * *")
@task
def clear_expired_sessions() -> None:
    """Delete expired login sessions every night."""
    call_command("clearsessions")


@cron("27 3 * * *")
@task
def prune_finished_tasks() -> None:
    """Keep a week of finished task results; older ones only take space."""
    call_command("prune_db_task_results", min_age_days=7, verbosity=0)
