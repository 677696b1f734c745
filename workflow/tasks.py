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


@cron("*/15 * * * *")
@task
def send_escalations() -> int:
    return services.escalations_check()


@cron("0 8 * * Mon,Tue,Wed,Thu,Fri")
@task
def send_digest() -> int:
    return services.digest_send()
