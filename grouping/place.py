"""Where a question is about: a building key from an address, coordinates from the text analysis."""

from __future__ import annotations

from functools import lru_cache

from nlp.addresses import parse_address


@lru_cache(maxsize=100_000)
def building_key(address: str) -> str:
    """«лиговск|47к1а» for an address with a house; «» when no building can be read."""
    if not address.strip():
        return ""
    parsed = parse_address(address)
    if parsed is None or not parsed.house or not parsed.street_key:
        return ""
    return f"{parsed.street_key}|{parsed.house}"[:200]
