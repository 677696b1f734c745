"""Registration numbers: gapless per scheme and year, safe under concurrent registration."""

from __future__ import annotations

from collections.abc import Sequence

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
    return next_numbers([(body, kind, year)])[0]


def next_numbers(requests: Sequence[tuple[Body, str, int]]) -> list[tuple[str, int]]:
    """Issue one number per (body, kind, year) request, in order; each counter is moved once.

    Call inside the registration transaction: a rollback returns every number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number() must run inside the registration transaction")
    schemes: dict[tuple[int, str], NumberingScheme] = {}
    wanted: dict[tuple[int, int], list[int]] = {}  # (scheme, year) -> positions of the requests
    for position, (body, kind, year) in enumerate(requests):
        scheme = schemes.get((body.pk, kind))
        if scheme is None:
            scheme = schemes[(body.pk, kind)] = scheme_for(body, kind)
        wanted.setdefault((scheme.pk, year), []).append(position)
    by_pk = {scheme.pk: scheme for scheme in schemes.values()}
    issued: list[tuple[str, int]] = [("", 0)] * len(requests)
    for (scheme_pk, year), positions in sorted(wanted.items()):
        scheme = by_pk[scheme_pk]
        # The counter row may not exist yet for a new year; two first registrations of the
        # year must not both create it, hence the insert that ignores a conflict.
        NumberCounter.objects.bulk_create([NumberCounter(scheme=scheme, year=year)], ignore_conflicts=True)
        counter = NumberCounter.objects.select_for_update().get(scheme=scheme, year=year)
        first = counter.last_value + 1
        counter.last_value += len(positions)
        counter.save(update_fields=["last_value"])
        for seq, position in enumerate(positions, start=first):
            body = requests[position][0]
            issued[position] = (scheme.pattern.format(year=year, seq=seq, body=body.code), seq)
    return issued
