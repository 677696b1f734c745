"""Blocking keys: the few exact values under which a card is filed, so that one lookup reads a
handful of cards instead of the whole registry.

A card is filed under its identifiers (Gosuslugi id, INN, each phone, e-mail and home address)
and under several name keys of different precision. A lookup probes the keys its own data
gives. Name keys are chosen so that the usual errors still meet: a typo in the first name or
patronymic keeps the surname and initials (`ni`), a typo in the surname keeps the first name,
patronymic and the surname's first letter (`nf`), a card written with initials only is filed
apart (`nix`) so that a full name finds it without reading every card with the same initials,
a missing patronymic on either side meets through `n2` / `n2x`.

Keys are stored as signed 64-bit hashes: compact in the index, and the key table holds no
readable personal data.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from people.matching.model import swapped_name
from people.matching.record import ORGANISATION, MatchRecord
from people.names import NameKey


@lru_cache(maxsize=200_000)
def key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def _identifier_keys(rec: MatchRecord) -> set[str]:
    keys: set[str] = set()
    if rec.gosuslugi:
        keys.add(f"g|{rec.gosuslugi}")
    if rec.inn:
        keys.add(f"i|{rec.inn}")
    keys.update(f"p|{p}" for p in rec.phones)
    keys.update(f"e|{e}" for e in rec.emails)
    keys.update(f"a|{a}" for a in rec.addresses)
    if rec.kind == ORGANISATION and rec.organisation:
        keys.add(f"o|{rec.organisation}")
    return keys


def stored_keys(rec: MatchRecord) -> set[str]:
    """Keys a card is filed under."""
    keys = _identifier_keys(rec)
    n = rec.name
    if rec.kind == ORGANISATION or not n.surname:
        return keys
    pi = n.patronymic_initial or "-"
    if n.first_initial:
        keys.add(f"ni|{n.surname}|{n.first_initial}|{pi}")
        keys.add(f"n1|{n.surname}|{n.first_initial}")
    if n.first:
        keys.add(f"n2|{n.surname}|{n.first}")
        if not n.patronymic:
            keys.add(f"n2x|{n.surname}|{n.first}")
        else:
            keys.add(f"n3|{n.surname}|{n.first}|{n.patronymic}")
            keys.add(f"nf|{n.first}|{n.patronymic}|{n.surname[:1]}")
    elif n.first_initial:
        keys.add(f"nix|{n.surname}|{n.first_initial}|{pi}")
    return keys


def probe_keys(rec: MatchRecord) -> set[str]:
    """Keys a lookup reads: every stored key that a card of the same person may carry."""
    keys = _identifier_keys(rec)
    if rec.kind == ORGANISATION:
        return keys
    keys |= _name_probes(rec.name)
    swapped = swapped_name(rec.name)
    if swapped is not None:
        keys |= _name_probes(swapped)
    return keys


def _name_probes(n: NameKey) -> set[str]:
    keys: set[str] = set()
    if not n.surname or not n.first_initial:
        return keys
    pi = n.patronymic_initial or "-"
    keys.add(f"ni|{n.surname}|{n.first_initial}|{pi}")
    if pi != "-":
        keys.add(f"ni|{n.surname}|{n.first_initial}|-")
    elif not n.first:
        keys.add(f"n1|{n.surname}|{n.first_initial}")  # «Иванов А.»: any patronymic
    if n.first:
        keys.add(f"nix|{n.surname}|{n.first_initial}|{pi}")
        keys.add(f"nix|{n.surname}|{n.first_initial}|-")
        if n.patronymic:
            keys.add(f"n3|{n.surname}|{n.first}|{n.patronymic}")
            keys.add(f"n2x|{n.surname}|{n.first}")
            keys.add(f"nf|{n.first}|{n.patronymic}|{n.surname[:1]}")
        else:
            keys.add(f"n2|{n.surname}|{n.first}")
    return keys


def is_identifier_key(key: str) -> bool:
    """Identifier keys are never dropped as too common; name keys may be."""
    return not key.startswith("n")
