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
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from people.choices import MatchDecision
from people.matching.engine import FETCH_CAP, NAME_BLOCK_CAP, Decision, decide, select_candidates
from people.matching.keys import is_identifier_key, key_hash, probe_keys, stored_keys
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

    def as_dict(self) -> dict[str, int]:
        return dict(self._counts)


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


def _wanted_frequencies(rec: MatchRecord) -> set[str]:
    """The name-frequency keys a lookup of `rec` reads."""
    wanted = set(frequency_keys(rec)) | {TOTAL_KEY}
    swapped = swapped_name(rec.name)
    if swapped is not None:
        wanted |= {f"s|{swapped.surname}", f"f|{swapped.first}"}
    return wanted


def _probes(rec: MatchRecord) -> dict[int, str]:
    return {key_hash(k): k for k in probe_keys(rec)} if rec.has_identity else {}


def _result(
    rec: MatchRecord,
    profiles: dict[int, dict],
    frequencies: _Frequencies,
    size: int,
    cards: Callable[[list[int]], dict[int, Applicant]],
    *,
    limit: int,
    autolink_weight: float | None,
    propose_weight: float | None,
) -> MatchResult:
    """Score the candidates' profiles and decide; the cards worth showing come from `cards`."""
    ranked = rank(rec, ((pk, MatchRecord.from_json(profile)) for pk, profile in profiles.items()), frequencies, size)
    decision: Decision = decide(
        ranked,
        autolink_weight=settings.OTKLIK_DEDUP_AUTOLINK_WEIGHT if autolink_weight is None else autolink_weight,
        propose_weight=settings.OTKLIK_DEDUP_PROPOSE_WEIGHT if propose_weight is None else propose_weight,
        limit=limit,
    )
    shown = cards([pk for pk, _ in decision.proposals])
    shares = _shares(decision.ranked)
    candidates = [Candidate(shown[pk], score, shares[pk]) for pk, score in decision.proposals if pk in shown]
    return MatchResult(decision.outcome, candidates, rec)


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
    probes = _probes(rec)
    if not probes:  # nothing to match on, or a surname alone, say: nothing to look up by
        return MatchResult(MatchDecision.NEW, [], rec)
    ids = [i for i in select_candidates(_hits(probes), probes) if i not in exclude]
    if not ids:
        return MatchResult(MatchDecision.NEW, [], rec)
    return _result(
        rec,
        _profiles(ids),
        _frequencies(_wanted_frequencies(rec)),
        registry_size(),
        _cards,
        limit=limit,
        autolink_weight=autolink_weight,
        propose_weight=propose_weight,
    )


class BatchLookup:
    """The lookups of one registration batch, with the reads they share done once.

    Made with the batch's queries: the key rows of all their probes (up to `NAME_BLOCK_CAP + 1`
    per key: a name key shared by more cards is not used by `select_candidates` anyway), the
    profiles of every card those keys hit, the name frequencies and the registry's size are
    read in four queries, instead of five queries per lookup; the cards shown with a proposal
    are read once per batch. A card made or changed while the batch is registered is told to
    `card_filed`, and later lookups see it exactly as the database would show it. A lookup that
    was not among the batch's queries, or whose identifier key is shared by that many cards, or
    that hits more than `FETCH_CAP` rows, runs as `match` does."""

    def __init__(self, queries: Iterable[MatchQuery | MatchRecord]) -> None:
        probes: dict[int, str] = {}
        wanted: set[str] = set()
        for query in queries:
            rec = record_from_query(query) if isinstance(query, MatchQuery) else query
            found = _probes(rec)
            if found:
                probes.update(found)
                wanted |= _wanted_frequencies(rec)
        self._probed = set(probes)
        self._hits: dict[int, list[int]] = {}
        self._keys_of: dict[int, set[int]] = {}  # card -> the probed keys it is filed under
        self._crowded: set[int] = set()  # keys with more cards than were read
        if probes:
            rows, self._crowded = _batch_hits(list(probes))
            for h, card in rows:
                self._file(h, card)
        ids = sorted(self._keys_of)
        self._profiles: dict[int, dict] = _profiles(ids) if ids else {}
        self._frequencies = _frequencies(wanted).as_dict() if wanted else {}
        self._wanted = wanted
        self._size = registry_size()
        self._shown: dict[int, Applicant] = {}

    def _file(self, h: int, card: int) -> None:
        cards = self._hits.setdefault(h, [])
        if card not in cards:
            cards.append(card)
        self._keys_of.setdefault(card, set()).add(h)

    def match(self, query: MatchQuery | MatchRecord, *, exclude: Collection[int] = ()) -> MatchResult:
        rec = record_from_query(query) if isinstance(query, MatchQuery) else query
        probes = _probes(rec)
        if not probes:
            return MatchResult(MatchDecision.NEW, [], rec)
        wanted = _wanted_frequencies(rec)
        crowded_identifier = any(is_identifier_key(probes[h]) for h in self._crowded.intersection(probes))
        if crowded_identifier or not set(probes) <= self._probed or not wanted <= self._wanted:
            return match(rec, exclude=exclude)
        rows = [(h, card) for h in probes for card in self._hits.get(h, ())]
        if len(rows) > FETCH_CAP:  # very common keys: read key by key, with the caps
            return match(rec, exclude=exclude)
        ids = [i for i in select_candidates(rows, probes) if i not in exclude]
        if not ids:
            return MatchResult(MatchDecision.NEW, [], rec)
        profiles = {i: self._profiles[i] for i in ids if i in self._profiles}
        frequencies = _Frequencies({k: self._frequencies[k] for k in wanted if k in self._frequencies})
        return _result(
            rec, profiles, frequencies, self._size, self._cards, limit=5, autolink_weight=None, propose_weight=None
        )

    def _cards(self, ids: list[int]) -> dict[int, Applicant]:
        missing = [i for i in ids if i not in self._shown]
        if missing:
            self._shown.update(_cards(missing))
        return {i: self._shown[i] for i in ids if i in self._shown}

    def card_filed(self, applicant: Applicant) -> None:
        """A card made or changed in this batch (its profile and keys already written)."""
        pk = applicant.pk
        for h in self._keys_of.pop(pk, set()):
            self._hits[h].remove(pk)
        self._profiles.pop(pk, None)
        self._shown.pop(pk, None)
        self._size = max(self._size, pk)
        if not applicant.match_profile or applicant.merged_into_id or applicant.anonymised_at:
            return  # not filed: no lookup finds it
        record = MatchRecord.from_json(applicant.match_profile)
        for key in stored_keys(record):
            h = key_hash(key)
            if h in self._probed:
                self._file(h, pk)
        self._profiles[pk] = applicant.match_profile


def _batch_hits(hashes: list[int]) -> tuple[list[tuple[int, int]], set[int]]:
    """The (key, card) rows of all these keys, at most `NAME_BLOCK_CAP + 1` per key, and the keys
    that had more (a name key that common is not used anyway; an identifier key is read alone)."""
    table, column = _q(MatchKey._meta.db_table), _q("key")
    cap = NAME_BLOCK_CAP + 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k, a FROM (SELECT {column} AS k, applicant_id AS a, "  # noqa: S608
            f"ROW_NUMBER() OVER (PARTITION BY {column} ORDER BY applicant_id) AS n "
            f"FROM {table} WHERE {column} IN ({_in(hashes)})) AS keyed WHERE n <= %s",
            [*hashes, cap],
        )
        rows = [(int(k), int(a)) for k, a in cursor.fetchall()]
    counts = Counter(k for k, _ in rows)
    return rows, {k for k, n in counts.items() if n >= cap}


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
