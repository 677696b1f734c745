"""Scoring the matcher on a labelled file (`otklik dedup-eval FILE`, `bench/dedup.py`).

The file is CSV (UTF-8, comma-separated, a header row). One row is one record of a person as
some channel delivered it; rows with the same `cluster_id` are the same person. Columns:

| column | required | meaning |
|---|---|---|
| record_id | yes | any unique label of the row |
| cluster_id | yes | the person: equal for records of one person |
| full_name | no | the name as written, in any order or case («от Ивановой А. С.» too) |
| surname, first_name, patronymic | no | the name in parts (used instead of full_name when given) |
| phone | no | one or more phones separated by «;» |
| email | no | one or more e-mails separated by «;» |
| postal_address | no | one or more addresses separated by «;» |
| gosuslugi_id | no | Gosuslugi account id |
| kind | no | «person» (default) or «organisation» |
| organisation_name, inn | no | for organisations |

Records are taken in file order, as if they arrived one by one. Each is looked up among the cards
made from the records before it; the lookup links it automatically, proposes cards or says
«new». An automatic link joins the record to the card (its new contacts are added). A proposal
is resolved the way a careful operator would: the right card is chosen when it is among the
proposals, otherwise a new card is made. «New» makes a new card.

A record is *known* when a card founded by an earlier record of its person exists. An automatic
link is correct when its card was founded by the record's person; a proposal is correct when its
first card is. Precision and recall:

* automatic links: precision = correct / links made; recall = correct / known records;
* proposals: precision = correct first proposals / proposals made; recall = correct first
  proposals / known records not linked automatically;
* combined («f1»): automatic links and first proposals together, against all known records.
"""

from __future__ import annotations

import csv
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from people.choices import MatchDecision
from people.matching.memory import MemoryIndex
from people.matching.record import ORGANISATION, PERSON, MatchQuery, MatchRecord, record_from_query

REQUIRED = ("record_id", "cluster_id")
KNOWN_COLUMNS = frozenset(
    {
        "record_id",
        "cluster_id",
        "full_name",
        "surname",
        "first_name",
        "patronymic",
        "phone",
        "email",
        "postal_address",
        "gosuslugi_id",
        "kind",
        "organisation_name",
        "inn",
    }
)


class LabelledFileError(ValueError):
    """The labelled file cannot be read; the message says why, in Russian."""


@dataclass(frozen=True)
class LabelledRecord:
    record_id: str
    cluster: str
    query: MatchQuery


def _many(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(";") if v.strip())


def read_labelled(path: Path) -> list[LabelledRecord]:
    """The records of a labelled file, in file order."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise LabelledFileError(f"Не удалось открыть файл: {exc.strerror}.") from None
    with handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise LabelledFileError(f"В файле нет обязательных столбцов: {', '.join(missing)}.")
        unknown = [c for c in header if c not in KNOWN_COLUMNS]
        if unknown:
            raise LabelledFileError(f"Неизвестные столбцы: {', '.join(unknown)}. Формат описан в docs/dedup.md.")
        records: list[LabelledRecord] = []
        seen: set[str] = set()
        try:
            for line, row in enumerate(reader, start=2):
                record_id, cluster = (row.get("record_id") or "").strip(), (row.get("cluster_id") or "").strip()
                if not record_id or not cluster:
                    raise LabelledFileError(f"Строка {line}: пустой record_id или cluster_id.")
                if record_id in seen:
                    raise LabelledFileError(f"Строка {line}: record_id повторяется.")
                seen.add(record_id)
                kind = (row.get("kind") or PERSON).strip() or PERSON
                if kind not in (PERSON, ORGANISATION):
                    raise LabelledFileError(f"Строка {line}: kind должен быть person или organisation.")
                query = MatchQuery(
                    surname=row.get("surname") or "",
                    first_name=row.get("first_name") or "",
                    patronymic=row.get("patronymic") or "",
                    full_name=row.get("full_name") or "",
                    gosuslugi_id=row.get("gosuslugi_id") or "",
                    phones=_many(row.get("phone")),
                    emails=_many(row.get("email")),
                    postal_addresses=_many(row.get("postal_address")),
                    kind=kind,
                    organisation_name=row.get("organisation_name") or "",
                    inn=row.get("inn") or "",
                )
                records.append(LabelledRecord(record_id, cluster, query))
        except csv.Error as exc:
            raise LabelledFileError(f"Файл не читается как CSV: {exc}.") from None
    if not records:
        raise LabelledFileError("В файле нет записей.")
    return records


def _prf(tp: int, predicted: int, actual: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class Outcomes:
    """Counts of what the matcher did with each record of a labelled stream."""

    records: int = 0
    known: int = 0
    auto: int = 0
    auto_correct: int = 0
    proposed: int = 0
    proposed_correct: int = 0  # the first proposal is the right card
    proposed_holding: int = 0  # the right card is among the proposals
    proposed_unknown: int = 0  # proposals for a person seen for the first time
    new: int = 0
    new_but_known: int = 0
    lookup_ms: list[float] = field(default_factory=list)

    def autolink(self) -> tuple[float, float, float]:
        return _prf(self.auto_correct, self.auto, self.known)

    def proposals(self) -> tuple[float, float, float]:
        return _prf(self.proposed_correct, self.proposed, self.known - self.auto_correct)

    def combined(self) -> tuple[float, float, float]:
        return _prf(self.auto_correct + self.proposed_correct, self.auto + self.proposed, self.known)

    def lines(self) -> list[str]:
        ap, ar, af = self.autolink()
        pp, pr, pf = self.proposals()
        cp, cr, cf = self.combined()
        return [
            f"записей: {self.records}, из них уже известных к моменту поступления: {self.known}",
            f"автоматическая привязка: {self.auto} — точность {ap:.4f}, полнота {ar:.4f}, F1 {af:.4f}",
            f"предложения оператору: {self.proposed} — точность (первая карточка) {pp:.4f}, "
            f"полнота (среди не привязанных автоматически) {pr:.4f}, F1 {pf:.4f}; "
            f"нужная карточка среди предложенных: {self.proposed_holding}, предложено для новых людей: {self.proposed_unknown}",
            f"вместе (автоматически + первая предложенная): точность {cp:.4f}, полнота {cr:.4f}, F1 {cf:.4f}",
            f"создано новых карточек: {self.new}, из них для уже известных людей: {self.new_but_known}",
        ]

    def summary(self) -> str:
        return f"f1={self.combined()[2]:.3f} autolink_precision={self.autolink()[0]:.3f}"


def match_records(queries: Sequence[MatchQuery], *, workers: int = 1) -> list[MatchRecord]:
    """Normal forms of many queries; reading names and addresses is the slow part, so it may run
    in several processes (forked: they share the loaded dictionaries)."""
    if workers <= 1 or len(queries) < 10_000:
        return [record_from_query(q) for q in queries]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(record_from_query, queries, chunksize=2000)


def evaluate(
    records: Sequence[LabelledRecord],
    *,
    autolink_weight: float,
    propose_weight: float,
    progress: Callable[[int], None] | None = None,
    index: MemoryIndex | None = None,
    workers: int = 1,
) -> Outcomes:
    """Run the records through the matcher in order, as described in this module's docstring."""
    index = index or MemoryIndex()
    founder: list[str] = []  # the person whose record founded each card
    seen_clusters: set[str] = set()
    out = Outcomes()
    profiles = match_records([item.query for item in records], workers=workers)
    for n, (item, rec) in enumerate(zip(records, profiles, strict=True), start=1):
        start = time.perf_counter()
        decision = index.lookup(rec, autolink_weight=autolink_weight, propose_weight=propose_weight)
        out.lookup_ms.append((time.perf_counter() - start) * 1000)
        known = item.cluster in seen_clusters
        out.records += 1
        out.known += known
        card: int | None = None
        if decision.outcome == MatchDecision.AUTO_LINK and decision.best is not None:
            card = decision.best[0]
            out.auto += 1
            out.auto_correct += founder[card] == item.cluster
        elif decision.outcome == MatchDecision.PROPOSE:
            out.proposed += 1
            ids = [card_id for card_id, _ in decision.proposals]
            right = [card_id for card_id in ids if founder[card_id] == item.cluster]
            out.proposed_correct += bool(ids) and founder[ids[0]] == item.cluster
            out.proposed_holding += bool(right)
            out.proposed_unknown += not known
            card = right[0] if right else None
        else:
            out.new += 1
            out.new_but_known += known
        if card is None:
            index.add(rec)
            founder.append(item.cluster)
        else:
            index.enrich(card, rec)
        seen_clusters.add(item.cluster)
        if progress is not None:
            progress(n)
    return out
