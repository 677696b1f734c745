"""The batch search for duplicates over the whole registry (after importing an old base)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from org.selectors import actor_for
from people import rules
from people.choices import DedupRunStatus, MatchDecision, SuspicionSource
from people.matching import match
from people.matching.record import MatchRecord
from people.models import Applicant, DedupRun
from people.services.applicants import _suspect, applicants_reindex, name_frequencies_rebuild
from people.services.merge import applicants_merge

CHUNK = 200


@transaction.atomic
def dedup_run_start(*, actor: User, auto_merge: bool = False) -> DedupRun:
    """Queue a search for duplicates over every live card; one run at a time."""
    if not rules.can_run_batch(actor_for(actor)):
        raise PermissionDenied("Пакетную проверку запускает администратор.")
    if DedupRun.objects.select_for_update().filter(status__in=[DedupRunStatus.QUEUED, DedupRunStatus.RUNNING]).exists():
        raise ValidationError("Проверка уже идёт: дождитесь её окончания.")
    run = DedupRun.objects.create(
        started_by=actor,
        auto_merge=auto_merge,
        total=Applicant.objects.filter(merged_into__isnull=True, anonymised_at__isnull=True).count(),
    )
    from people.tasks import dedup_run_task

    transaction.on_commit(lambda: dedup_run_task.enqueue(run_id=run.pk))
    return run


def dedup_run_execute(
    *, run: DedupRun, progress: Callable[[DedupRun], None] | None = None, reindex: bool = False
) -> DedupRun:
    """Look every live card up among the others, in id order, resumable: pairs above the proposal
    threshold go to the review queue; with `auto_merge`, pairs that would be linked automatically
    are merged into the older card (each merge audited and undoable)."""
    run = DedupRun.objects.get(pk=run.pk)
    if run.status == DedupRunStatus.DONE:
        return run
    if run.status == DedupRunStatus.QUEUED:
        run.status = DedupRunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    try:
        if reindex:
            applicants_reindex()
        else:
            name_frequencies_rebuild()
        while True:
            chunk = list(
                Applicant.objects.filter(
                    pk__gt=run.last_applicant_id, merged_into__isnull=True, anonymised_at__isnull=True
                )
                .order_by("pk")
                .values_list("pk", "match_profile")[:CHUNK]
            )
            if not chunk:
                break
            with transaction.atomic():
                for pk, profile in chunk:
                    _check_one(run, pk, profile)
                run.processed += len(chunk)
                run.last_applicant_id = chunk[-1][0]
                run.save(update_fields=["processed", "last_applicant_id", "suspicions", "merges"])
            if progress is not None:
                progress(run)
    except Exception as exc:
        DedupRun.objects.filter(pk=run.pk).update(status=DedupRunStatus.FAILED, error=type(exc).__name__)
        raise
    run.status = DedupRunStatus.DONE
    run.finished_at = timezone.now()
    run.processed = max(run.processed, run.total)
    run.save(update_fields=["status", "finished_at", "processed"])
    return run


def _check_one(run: DedupRun, pk: int, profile: dict) -> None:
    record = MatchRecord.from_json(profile or {})
    if not record.has_identity:
        return
    current = Applicant.objects.filter(pk=pk, merged_into__isnull=True).first()
    if current is None:
        return  # merged into another card earlier in this run
    result = match(record, exclude={pk})
    if (
        run.auto_merge
        and run.started_by is not None
        and result.decision == MatchDecision.AUTO_LINK
        and result.best is not None
    ):
        other = result.best.applicant
        older, newer = (other, current) if other.pk < current.pk else (current, other)
        applicants_merge(target=older, others=[newer], actor=run.started_by, reason=f"пакетная проверка № {run.pk}")
        run.merges += 1
        return
    for candidate in result.candidates:
        _, created = _suspect(current, candidate.applicant, candidate.score, source=SuspicionSource.BATCH, run=run)
        run.suspicions += created
