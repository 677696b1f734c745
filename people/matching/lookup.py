"""Recognising an applicant in the database: blocking keys → candidate cards → scores → decision.

One lookup runs five small indexed queries whatever the registry's size: the registry's size
(MAX(id)), the key table for the probed keys, the name frequencies of the query's name parts,
the profiles of the candidate cards, and the cards worth showing. The first four are plain SQL:
building them through the ORM cost several times more than running them (a lookup runs while
the operator types, and for every item a channel delivers).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from people.choices import MatchDecision
from people.matching.engine import FETCH_CAP, NAME_BLOCK_CAP, Decision, decide, select_candidates
from people.matching.keys import is_identifier_key, key_hash, probe_keys
from people.matching.memory import frequency_keys
from people.matching.model import Evidence, Score, rank, swapped_name
from people.matching.record import MatchQuery, MatchRecord, record_from_query
from people.models import Applicant, MatchKey, NameFrequency

TOTAL_KEY = "total"
# What a proposal shows of a card (its name); pages that show more read the cards themselves.
SHOWN_FIELDS = (
    "kind",
    "surname",
    "first_name",
    "patronymic",
    "organisation_name",
    "gender",
    "anonymised_at",
    "merged_into",
)


@dataclass
class Candidate:
    """A card that may be the person at the door, with the score and its reasons.

    `probability` is shared out among the cards looked at (at most one of them is the person):
    two namesakes cannot both be 99 % sure."""

    applicant: Applicant
    score: Score
    probability: float = 0.0

    @property
    def weight(self) -> float:
        return self.score.weight

    @property
    def percent(self) -> str:
        """The probability as a person reads it: «97 %», «> 99.9 %»."""
        p = self.probability * 100
        if p >= 99.9:
            return "> 99,9 %"
        if p < 1:
            return "< 1 %"
        return f"{p:.0f} %"

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self.score.evidence

    @property
    def reasons(self) -> list[str]:
        """The fields that speak for the match, as a person reads them."""
        return [e.label for e in self.score.evidence if e.weight > 0]


@dataclass
class MatchResult:
    decision: str  # MatchDecision
    candidates: list[Candidate]  # proposals, best first; the linked card first when linked
    record: MatchRecord

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


class _Frequencies:
    def __init__(self, counts: dict[str, int]) -> None:
        self._counts = counts
        self.population = counts.get(TOTAL_KEY, 0)

    def count(self, key: str) -> int:
        return self._counts.get(key, 0)


def _in(values: Collection[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def registry_size() -> int:
    """Cards ever created (MAX(id), one index step): the prior's denominator."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {_q(Applicant._meta.db_table)}")  # noqa: S608 - our own table
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _hits(probes: dict[int, str]) -> list[tuple[int, int]]:
    table, column = _q(MatchKey._meta.db_table), _q("key")
    hashes = list(probes)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column}, applicant_id FROM {table} WHERE {column} IN ({_in(hashes)}) LIMIT %s",  # noqa: S608
            [*hashes, FETCH_CAP + 1],
        )
        rows = [(int(k), int(a)) for k, a in cursor.fetchall()]
        if len(rows) <= FETCH_CAP:
            return rows
        # Some key is very common: read each key on its own, name keys only up to the cap.
        rows = []
        for h, key in probes.items():
            limit = FETCH_CAP if is_identifier_key(key) else NAME_BLOCK_CAP + 1
            cursor.execute(
                f"SELECT {column}, applicant_id FROM {table} WHERE {column} = %s LIMIT %s",  # noqa: S608
                [h, limit],
            )
            rows.extend((int(k), int(a)) for k, a in cursor.fetchall())
    return rows


def _profiles(ids: list[int]) -> dict[int, dict]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, match_profile FROM {_q(Applicant._meta.db_table)} WHERE id IN ({_in(ids)})"  # noqa: S608
            " AND merged_into_id IS NULL AND anonymised_at IS NULL",
            ids,
        )
        rows = cursor.fetchall()
    # SQLite gives the JSON as text, PostgreSQL (psycopg) already decoded.
    return {int(pk): (json.loads(profile) if isinstance(profile, str) else profile) for pk, profile in rows}


def _cards(ids: list[int]) -> dict[int, Applicant]:
    """The proposed cards with the fields a proposal shows (the rest load on access)."""
    if not ids:
        return {}
    by_name = {f.name: f for f in Applicant._meta.concrete_fields}
    fields = [by_name[name] for name in ("id", *SHOWN_FIELDS)]
    columns = ", ".join(_q(f.column or f.attname) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {_q(Applicant._meta.db_table)} WHERE id IN ({_in(ids)})",  # noqa: S608
            ids,
        )
        rows = cursor.fetchall()
    attnames = [f.attname for f in fields]
    cards = [Applicant.from_db(connection.alias, attnames, row) for row in rows]
    for card in cards:
        value = card.anonymised_at
        if isinstance(value, str):  # SQLite returns datetimes as text through a plain cursor
            value = parse_datetime(value)
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        card.anonymised_at = value
    return {card.pk: card for card in cards}


def _frequencies(keys: set[str]) -> _Frequencies:
    wanted = list(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_q('key')}, {_q('count')} FROM {_q(NameFrequency._meta.db_table)}"  # noqa: S608
            f" WHERE {_q('key')} IN ({_in(wanted)})",
            wanted,
        )
        return _Frequencies({k: int(c) for k, c in cursor.fetchall()})


def match(
    query: MatchQuery | MatchRecord,
    *,
    limit: int = 5,
    exclude: Collection[int] = (),
    autolink_weight: float | None = None,
    propose_weight: float | None = None,
) -> MatchResult:
    """Link, propose or create: the decision for `query` and the cards it rests on."""
    rec = record_from_query(query) if isinstance(query, MatchQuery) else query
    if not rec.has_identity:
        return MatchResult(MatchDecision.NEW, [], rec)
    probes = {key_hash(k): k for k in probe_keys(rec)}
    if not probes:  # a surname alone, say: nothing to look up by
        return MatchResult(MatchDecision.NEW, [], rec)
    ids = [i for i in select_candidates(_hits(probes), probes) if i not in exclude]
    if not ids:
        return MatchResult(MatchDecision.NEW, [], rec)
    profiles = _profiles(ids)
    wanted = set(frequency_keys(rec)) | {TOTAL_KEY}
    swapped = swapped_name(rec.name)
    if swapped is not None:
        wanted |= {f"s|{swapped.surname}", f"f|{swapped.first}"}
    frequencies = _frequencies(wanted)
    ranked = rank(
        rec,
        ((pk, MatchRecord.from_json(profile)) for pk, profile in profiles.items()),
        frequencies,
        registry_size(),
    )
    decision: Decision = decide(
        ranked,
        autolink_weight=settings.OTKLIK_DEDUP_AUTOLINK_WEIGHT if autolink_weight is None else autolink_weight,
        propose_weight=settings.OTKLIK_DEDUP_PROPOSE_WEIGHT if propose_weight is None else propose_weight,
        limit=limit,
    )
    cards = _cards([pk for pk, _ in decision.proposals])
    shares = _shares(decision.ranked)
    candidates = [Candidate(cards[pk], score, shares[pk]) for pk, score in decision.proposals if pk in cards]
    return MatchResult(decision.outcome, candidates, rec)


def _shares(ranked: tuple[tuple[int, Score], ...]) -> dict[int, float]:
    """P(card i is the person) = odds_i / (1 + Σ odds): the person is one of these cards or nobody
    known. Computed in logs, weights can be large."""
    if not ranked:
        return {}
    top = max(0.0, max(score.weight for _, score in ranked))
    total = 2.0 ** (0.0 - top) + sum(2.0 ** (score.weight - top) for _, score in ranked)
    return {pk: 2.0 ** (score.weight - top) / total for pk, score in ranked}


def find_candidates(
    query: MatchQuery | MatchRecord, *, limit: int = 5, exclude: Collection[int] = ()
) -> list[Candidate]:
    """Existing live cards that may be this applicant, the most likely first."""
    return match(query, limit=limit, exclude=exclude).candidates
