"""Registration of incoming items in the background, and the periodic mailbox poll."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from intake import services


@task
def register_incoming(item_id: int) -> str:
    """Register a stored item, with up to `BATCH_SIZE - 1` others waiting in the queue (their own
    tasks then find them registered); each outcome (registered or the error) is kept on its item."""
    return services.items_register(item_id=item_id)[0].status


@task
def recognise_scan(item_id: int) -> str:
    """Read a paper scan with Tesseract; the item then waits for the operator's check."""
    from intake.scans import scan_recognise

    return scan_recognise(item_id=item_id).status


@cron("*/5 * * * *")
@task
def requeue_stale_items() -> int:
    """Nothing is lost: an item whose registration task vanished is queued again."""
    return services.items_requeue_stale()


@cron("* * * * *")
@task
def poll_mailbox() -> int:
    """Letters from the appeals mailbox, every minute (no mailbox configured: nothing to do)."""
    from intake.mail import poll_configured

    result = poll_configured()
    return 0 if result is None else result.new


@cron("41 * * * *")
@task
def forget_unconfirmed_submissions() -> int:
    """Internet reception submissions whose code was never entered are not kept."""
    from intake.reception import submissions_forget_unconfirmed

    return submissions_forget_unconfirmed()


@cron("* * * * *")
@task
def scan_exchange_folder() -> int:
    """Manifests dropped into the exchange folder, every minute (no folder configured: nothing)."""
    from intake.exchange import scan_configured

    result = scan_configured()
    return 0 if result is None else result.new


@task
def run_import(run_id: int) -> str:
    """An import started from the web page; progress is written to the run as rows go in."""
    from intake.imports import import_run_execute

    return str(import_run_execute(run_id=run_id).status)


@cron("17 * * * *")
@task
def forget_stale_telegram_dialogues() -> int:
    """Telegram dialogues left unfinished are not kept (files included)."""
    from intake.telegram import dialogues_forget_stale

    return dialogues_forget_stale()
