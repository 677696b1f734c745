"""From blocking-key hits to a decision: which cards to score, and link, propose or create."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from people.choices import MatchDecision
from people.matching.keys import is_identifier_key
from people.matching.model import Score

# A name key shared by more cards than this is too common to say anything on its own
# («Иванов А. А.» in a city of millions); identifier keys are never dropped.
NAME_BLOCK_CAP = 100
# Key rows read in one query before falling back to reading key by key.
FETCH_CAP = 3000
# At most this many cards are scored for one lookup: those hit by the most keys first.
MAX_SCORED = 150
# The best card must lead the next one by this many bits to be linked automatically.
AUTOLINK_MARGIN = 5.0


def select_candidates(hits: Iterable[tuple[int, int]], probes: Mapping[int, str]) -> list[int]:
    """Card ids worth scoring, from (key hash, card id) hits of the probed keys."""
    hits = list(hits)
    per_key = Counter(key for key, _ in hits)
    strength: Counter[int] = Counter()
    for key, card_id in hits:
        identifier = is_identifier_key(probes.get(key, ""))
        if not identifier and per_key[key] > NAME_BLOCK_CAP:
            continue
        strength[card_id] += 10 if identifier else 1
    ranked = sorted(strength.items(), key=lambda item: (-item[1], item[0]))
    return [card_id for card_id, _ in ranked[:MAX_SCORED]]


@dataclass(frozen=True)
class Decision:
    """What to do with the person at the door, the cards proposed, and the best cards looked at."""

    outcome: str  # MatchDecision
    proposals: tuple[tuple[int, Score], ...]  # above the proposal threshold, best first
    ranked: tuple[tuple[int, Score], ...]  # the best cards scored, whatever their weight

    @property
    def best(self) -> tuple[int, Score] | None:
        return self.proposals[0] if self.proposals else None


def decide(
    ranked: list[tuple[int, Score]], *, autolink_weight: float, propose_weight: float, limit: int = 5
) -> Decision:
    """Link automatically only a card that is far above the threshold, has an identifier or
    contact agreeing, no conflicting field, and no rival close behind; propose what is above
    the lower threshold; otherwise a new card is due."""
    top_cards = tuple(ranked[:limit])
    shown = tuple(item for item in top_cards if item[1].weight >= propose_weight)
    if not shown:
        return Decision(MatchDecision.NEW, (), top_cards)
    _, top = shown[0]
    rival = ranked[1][1].weight if len(ranked) > 1 else float("-inf")
    if top.weight >= autolink_weight and not top.conflict and top.identified and top.weight - rival >= AUTOLINK_MARGIN:
        return Decision(MatchDecision.AUTO_LINK, shown, top_cards)
    return Decision(MatchDecision.PROPOSE, shown, top_cards)
