"""Registration numbers stay unique and gapless when many registrations run at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from appeals.models import Appeal
from appeals.numbering import validate_pattern
from tests.factories import ApplicantFactory, BodyFactory, make_appeal

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_get_distinct_gapless_numbers() -> None:
    body = BodyFactory()
    applicant = ApplicantFactory()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(PER_THREAD):
                make_appeal(body=body, applicants=[applicant])
        except BaseException as exc:  # reported below, the thread itself cannot fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    seqs = sorted(Appeal.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    assert Appeal.objects.values("number").distinct().count() == THREADS * PER_THREAD


@pytest.mark.parametrize("pattern", ["ОГ-{year}", "ОГ-{seq:06d}-{month}", "{seq:zz}"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError):
        validate_pattern(pattern)


def test_good_pattern() -> None:
    validate_pattern("{body}/ОГ-{year}-{seq:05d}")
