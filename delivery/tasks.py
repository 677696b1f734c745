"""Delivery in the worker: one message right after it is queued, and every due retry each minute."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from delivery import services


@task
def deliver_one(message_id: int) -> str:
    return services.deliver(message_id)


@cron("* * * * *")
@task
def deliver_due() -> dict[str, int]:
    return services.deliver_due()
