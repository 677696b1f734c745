"""Cards and blocking keys held in memory: the same lookup as the database's, for evaluating the
model on a labelled file and for tests, without touching the installation's registry."""

from __future__ import annotations

from collections import Counter, defaultdict

from people.matching.engine import Decision, decide, select_candidates
from people.matching.keys import key_hash, probe_keys, stored_keys
from people.matching.model import rank
from people.matching.record import ORGANISATION, MatchRecord


def frequency_keys(rec: MatchRecord) -> list[str]:
    """The name parts a card adds to the registry's name frequencies."""
    if rec.kind == ORGANISATION:
        return []
    n = rec.name
    keys = []
    if n.surname:
        keys.append(f"s|{n.surname}")
    if n.first:
        keys.append(f"f|{n.first}")
    if n.patronymic:
        keys.append(f"p|{n.patronymic}")
    if n.first_initial:
        keys.append(f"fi|{n.first_initial}")
    if n.patronymic_initial:
        keys.append(f"pi|{n.patronymic_initial}")
    return keys


class MemoryIndex:
    """A registry of match profiles with the database lookup's blocking, scoring and decision."""

    def __init__(self) -> None:
        self.cards: list[MatchRecord] = []
        self._keys: dict[int, list[int]] = defaultdict(list)
        self._card_keys: list[set[int]] = []
        self._frequencies: Counter[str] = Counter()

    # Frequencies protocol
    @property
    def population(self) -> int:
        return len(self.cards)

    def count(self, key: str) -> int:
        return self._frequencies[key]

    def add(self, rec: MatchRecord) -> int:
        card_id = len(self.cards)
        self.cards.append(rec)
        self._card_keys.append(set())
        self._file(card_id, rec)
        self._frequencies.update(frequency_keys(rec))
        return card_id

    def enrich(self, card_id: int, rec: MatchRecord) -> None:
        """A record of the same person joined the card: file the card under its new keys."""
        old = self.cards[card_id]
        new = old.enriched_with(rec)
        if new == old:
            return
        self._frequencies.subtract(frequency_keys(old))
        self._frequencies.update(frequency_keys(new))
        self.cards[card_id] = new
        self._file(card_id, new)

    def _file(self, card_id: int, rec: MatchRecord) -> None:
        filed = self._card_keys[card_id]
        for key in stored_keys(rec):
            h = key_hash(key)
            if h not in filed:
                filed.add(h)
                self._keys[h].append(card_id)

    def lookup(self, rec: MatchRecord, *, autolink_weight: float, propose_weight: float, limit: int = 5) -> Decision:
        probes = {key_hash(k): k for k in probe_keys(rec)}
        hits = [(h, card_id) for h in probes for card_id in self._keys.get(h, ())]
        ids = select_candidates(hits, probes)
        ranked = rank(rec, ((i, self.cards[i]) for i in ids), self, self.population)
        return decide(ranked, autolink_weight=autolink_weight, propose_weight=propose_weight, limit=limit)
