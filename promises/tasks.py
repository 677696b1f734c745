"""Periodic promise work: reminders before the due date and escalation once it has passed."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from promises import services


@cron("5 8-18 * * *")
@task
def send_promise_reminders() -> int:
    return services.reminders_send()
