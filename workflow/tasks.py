"""Periodic deadline work: recompute plans, send reminders and the morning digest."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from workflow import services


@cron("*/10 * * * *")
@task
def recompute_open_plans() -> dict[str, int]:
    """Time passes: re-plan every open question and flag new risks."""
    return services.recompute()


@cron("5 * * * *")
@task
def refresh_stage_statistics() -> int:
    """Learn the typical duration of each stage per department from recent history (for forecasts)."""
    return services.statistics_refresh()


@cron("*/15 * * * *")
@task
def send_escalations() -> int:
    return services.escalations_check()


@cron("0 8 * * Mon,Tue,Wed,Thu,Fri")
@task
def send_digest() -> int:
    return services.digest_send()
