"""Background work on applicants: the batch search, nightly name statistics, retention."""

from __future__ import annotations

from crontask import cron
from django.conf import settings
from django.tasks import task


@task
def dedup_run_task(*, run_id: int) -> None:
    """Run (or resume) a batch search for duplicates."""
    from people.models import DedupRun
    from people.services import dedup_run_execute

    run = DedupRun.objects.filter(pk=run_id).first()
    if run is not None:
        dedup_run_execute(run=run)


@cron("41 2 * * *")
@task
def name_frequencies_nightly() -> None:
    """Recount the registry's name frequencies that weigh name agreements."""
    from people.services import name_frequencies_rebuild

    name_frequencies_rebuild()


@cron("7 4 * * *")
@task
def anonymise_stale_applicants() -> None:
    """Anonymise applicants without an appeal in the last OTKLIK_APPLICANT_RETENTION_YEARS years."""
    from people.services import applicants_anonymise_stale

    applicants_anonymise_stale(years=settings.OTKLIK_APPLICANT_RETENTION_YEARS)
