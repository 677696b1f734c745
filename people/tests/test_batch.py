"""The batch search for duplicates: queue, automatic merges, progress, one run at a time."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from people.choices import DedupRunStatus, SuspicionSource
from people.models import Applicant, ApplicantMerge, DedupRun, DuplicateSuspicion
from people.services import ContactInput, applicant_create, dedup_run_execute, dedup_run_start


@pytest.fixture
def imported_base(db):  # type: ignore[no-untyped-def]
    """An old base loaded without checks: one certain duplicate, one doubtful pair, one stranger."""
    make = lambda **kw: applicant_create(check_duplicates=False, **kw)  # noqa: E731
    sure = [
        make(
            surname="Лебедева",
            first_name="Анна",
            patronymic="Петровна",
            contacts=[ContactInput("phone", "89120000001")],
        ),
        make(surname="ЛЕБЕДЕВА", first_name="АННА", contacts=[ContactInput("phone", "+7 912 000 00 01")]),
    ]
    doubtful = [
        make(surname="Соколов", first_name="Игорь", patronymic="Ильич", contacts=[ContactInput("email", "s1@ya.ru")]),
        make(surname="Соколов", first_name="И.", patronymic="И.", contacts=[ContactInput("email", "s2@mail.ru")]),
    ]
    stranger = make(surname="Орлов", first_name="Пётр", contacts=[ContactInput("email", "orlov@ya.ru")])
    return sure, doubtful, stranger


def test_a_run_queues_pairs_and_reports_progress(cast, imported_base) -> None:
    sure, doubtful, stranger = imported_base
    run = DedupRun.objects.create(total=5)
    seen: list[int] = []
    run = dedup_run_execute(run=run, progress=lambda r: seen.append(r.processed))
    assert run.status == DedupRunStatus.DONE and run.processed == 5 and run.percent == 100 and seen
    pairs = {(s.first_id, s.second_id) for s in DuplicateSuspicion.objects.all()}
    assert (sure[0].pk, sure[1].pk) in pairs and (doubtful[0].pk, doubtful[1].pk) in pairs
    assert not any(stranger.pk in p for p in pairs)
    assert all(s.source == SuspicionSource.BATCH and s.run_id == run.pk for s in DuplicateSuspicion.objects.all())
    assert run.suspicions == len(pairs)
    assert not ApplicantMerge.objects.exists()


def test_a_run_with_auto_merge_merges_only_the_certain_pairs(cast, imported_base) -> None:
    sure, doubtful, _ = imported_base
    run = DedupRun.objects.create(total=5, auto_merge=True, started_by=cast.administrator.user)
    run = dedup_run_execute(run=run)
    sure[1].refresh_from_db()
    assert sure[1].merged_into == sure[0] and run.merges == 1
    merge = ApplicantMerge.objects.get()
    assert merge.actor == cast.administrator.user and f"№ {run.pk}" in merge.reason
    assert Applicant.objects.filter(pk__in=[d.pk for d in doubtful], merged_into__isnull=True).count() == 2


def test_start_is_for_administrators_and_one_run_at_a_time(
    cast, imported_base, django_capture_on_commit_callbacks
) -> None:
    with pytest.raises(PermissionDenied):
        dedup_run_start(actor=cast.operator.user)
    with django_capture_on_commit_callbacks(execute=True):
        run = dedup_run_start(actor=cast.administrator.user)  # the task is queued at commit
    run.refresh_from_db()
    assert run.total == 5 and run.status == DedupRunStatus.DONE and run.suspicions >= 2
    DedupRun.objects.create(status=DedupRunStatus.RUNNING)
    with pytest.raises(ValidationError, match="уже идёт"):
        dedup_run_start(actor=cast.administrator.user)


def test_dedup_command_shows_progress_and_counts(cast, imported_base) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("dedup", stdout=out, stderr=err)
    assert "проверка [" in err.getvalue() and "100.0%" in err.getvalue()
    assert "Проверено карточек: 5" in out.getvalue()
    with pytest.raises(CommandError, match="--user"):
        call_command("dedup", "--auto-merge", stdout=out, stderr=err)
    with pytest.raises(CommandError, match="не найден"):
        call_command("dedup", "--user", "nobody", stdout=out, stderr=err)
