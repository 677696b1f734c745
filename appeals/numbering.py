"""Registration numbers: gapless per scheme and year, safe under concurrent registration."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from appeals.models import NumberCounter, NumberingScheme
from org.models import Body

DEFAULT_PATTERN = "ОГ-{year}-{seq:06d}"


def validate_pattern(pattern: str) -> None:
    """A pattern must contain {seq} and format with year, seq and body."""
    if "{seq" not in pattern:
        raise ValidationError("Шаблон должен содержать {seq} — порядковый номер.")
    try:
        pattern.format(year=2026, seq=1, body="code")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValidationError(f"Шаблон не разбирается: {exc}") from None


def scheme_for(body: Body, kind: str) -> NumberingScheme:
    """The scheme for this kind, else the body's general one (created on first use)."""
    scheme = NumberingScheme.objects.filter(body=body, kind=kind).first()
    if scheme is not None:
        return scheme
    scheme, _ = NumberingScheme.objects.get_or_create(body=body, kind="", defaults={"pattern": DEFAULT_PATTERN})
    return scheme


def next_number(*, body: Body, kind: str, year: int) -> tuple[str, int]:
    """Issue the next number. Call inside the registration transaction: a rollback returns it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the registration transaction")
    scheme = scheme_for(body, kind)
    # The counter row may not exist yet for a new year; two first registrations of the
    # year must not both create it, hence the insert that ignores a conflict.
    NumberCounter.objects.bulk_create([NumberCounter(scheme=scheme, year=year)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(scheme=scheme, year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return scheme.pattern.format(year=year, seq=counter.last_value, body=body.code), counter.last_value
