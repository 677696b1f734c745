"""The scoring model: Fellegi–Sunter match weights over the fields of two profiles.

For every field the two profiles are compared and the comparison falls into a level (exact,
a typo away, only an initial agrees, different, …). Each level carries two probabilities:
`m`, how often the level occurs when both records belong to one person, and `u`, how often it
occurs for two different people. The level adds log2(m/u) bits of evidence; the sum plus the
prior (how likely a random card is the person at the door, which shrinks as the registry
grows) is the match weight — the log2 odds that the card is this person.

`m` values are priors about data entry (a surname is mistyped in a few records in a hundred, a
patronymic is left out often). `u` values of names are the names' own frequencies in the
registry (term-frequency adjustment): agreeing on «Иванов» says less than agreeing on
«Яцученко». The model is not fitted to any evaluation data; the registry's name frequencies
are counted from the installation's own cards (`NameFrequency`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import DamerauLevenshtein

from people.matching.record import ORGANISATION, MatchRecord
from people.names import NameKey, is_known_name, surname_key

# Share of people at the door who are already in the registry (the prior's numerator).
KNOWN_SHARE = 0.3
# Relatives with the same surname registered from one home, per card, on average: agreeing on
# surname and home (or a landline) says «this family», not «this person».
HOUSEHOLD_SHARE = 0.5
# ... counted as if the registry had at least a town's worth of cards: in a young registry a
# shared home is not yet as common as the share above would make it.
HOUSEHOLD_MIN_REGISTRY = 10_000
# Pseudo-count that pulls a name's frequency towards its default while the registry is small.
SMOOTHING = 100
# Default frequencies of a name part before the registry has counted its own.
DEFAULT_U = {"s": 0.001, "f": 0.02, "p": 0.02, "fi": 0.06, "pi": 0.06}

# (field, level) -> (m, u); u None means the name frequency from the registry.
PARAMETERS: dict[tuple[str, str], tuple[float, float | None]] = {
    ("gosuslugi", "exact"): (0.99, 1e-7),
    ("gosuslugi", "different"): (0.003, 1.0),
    ("inn", "exact"): (0.99, 1e-6),
    ("inn", "different"): (0.003, 1.0),
    ("phone", "exact"): (0.85, 2e-5),
    ("phone", "landline"): (0.85, 1e-4),
    ("phone", "near"): (0.03, 2e-4),
    ("phone", "different"): (0.12, 1.0),
    ("email", "exact"): (0.85, 1e-6),
    ("email", "near"): (0.08, 5e-5),
    ("email", "login"): (0.02, 2e-4),
    ("email", "different"): (0.05, 1.0),
    ("address", "exact"): (0.75, 5e-5),
    ("address", "near"): (0.06, 1e-4),
    ("address", "building"): (0.04, 1e-3),
    ("address", "different"): (0.07, 1.0),
    ("surname", "exact"): (0.92, None),
    ("surname", "part"): (0.015, 1e-4),
    ("surname", "fuzzy"): (0.05, 0.004),
    ("surname", "different"): (0.015, 0.995),
    ("first", "exact"): (0.88, None),
    ("first", "initial"): (0.97, None),
    ("first", "initials"): (0.97, None),
    ("first", "fuzzy"): (0.03, 0.003),
    ("first", "similar"): (0.01, 0.003),
    ("first", "different"): (0.003, 0.95),
    ("patronymic", "exact"): (0.85, None),
    ("patronymic", "initial"): (0.97, None),
    ("patronymic", "initials"): (0.97, None),
    ("patronymic", "fuzzy"): (0.03, 0.003),
    ("patronymic", "similar"): (0.01, 0.003),
    ("patronymic", "different"): (0.005, 0.95),
    ("gender", "different"): (0.02, 0.5),
    ("organisation", "exact"): (0.9, 1e-4),
    ("organisation", "fuzzy"): (0.08, 1e-3),
    ("organisation", "different"): (0.02, 1.0),
    ("kind", "different"): (0.001, 0.2),
}

# Levels that forbid linking automatically whatever else agrees: an operator must look.
CONFLICTS = frozenset(
    {
        ("surname", "different"),
        ("first", "different"),
        ("first", "similar"),
        ("patronymic", "different"),
        ("patronymic", "similar"),
        ("gender", "different"),
        ("gosuslugi", "different"),
        ("inn", "different"),
        ("kind", "different"),
    }
)
IDENTIFIERS = frozenset({"gosuslugi", "inn", "phone", "email", "address"})

FIELD_LABELS = {
    "gosuslugi": "ID Госуслуг",
    "inn": "ИНН",
    "phone": "Телефон",
    "email": "E-mail",
    "address": "Почтовый адрес",
    "surname": "Фамилия",
    "first": "Имя",
    "patronymic": "Отчество",
    "gender": "Пол",
    "household": "Семья",
    "organisation": "Наименование",
    "kind": "Вид заявителя",
}
_FIELD_NOMINATIVE = {
    "gosuslugi": "ID Госуслуг",
    "inn": "ИНН",
    "phone": "телефон",
    "email": "e-mail",
    "address": "почтовый адрес",
    "surname": "фамилия",
    "first": "имя",
    "patronymic": "отчество",
    "organisation": "наименование",
}
LEVEL_LABELS = {
    "exact": "совпадает",
    "part": "совпадает часть двойной фамилии",
    "fuzzy": "похоже (опечатка?)",
    "similar": "другое имя, отличается одной буквой",
    "near": "почти совпадает (опечатка?)",
    "login": "тот же логин, другой почтовый домен",
    "building": "тот же дом, квартира не указана",
    "initial": "совпадает инициал",
    "initials": "только инициалы",
    "different": "различается",
    "landline": "совпадает (домашний)",
    "family": "общие фамилия и адрес или домашний телефон бывают у родственников",
}


class Frequencies(Protocol):
    """How often name parts occur among the registry's cards."""

    @property
    def population(self) -> int: ...

    def count(self, key: str) -> int: ...


@dataclass(frozen=True)
class Evidence:
    """One field's comparison: its level and the bits of evidence it adds (negative: against)."""

    field: str
    level: str
    weight: float

    @property
    def label(self) -> str:
        if self.level == "exact":
            return f"совпадает {_FIELD_NOMINATIVE.get(self.field, self.field)}"
        if self.level == "landline":
            return "совпадает домашний телефон"
        return f"{FIELD_LABELS.get(self.field, self.field)}: {LEVEL_LABELS.get(self.level, self.level)}"

    @property
    def strength(self) -> str:
        """A word for how strongly the field speaks, for people who do not count bits."""
        w = abs(self.weight)
        word = "сильно" if w >= 10 else "заметно" if w >= 4 else "слабо"
        return f"{word} {'за' if self.weight > 0 else 'против'}"


@dataclass(frozen=True)
class Score:
    """How strongly a card matches: the match weight (log2 odds, prior included) and why."""

    weight: float
    evidence: tuple[Evidence, ...]
    conflict: bool
    identified: bool

    @property
    def probability(self) -> float:
        if self.weight > 60:
            return 1.0
        odds = 2.0**self.weight
        return odds / (1 + odds)


def prior_weight(registry_size: int) -> float:
    """log2 odds that one particular card is the person at the door before looking at any field."""
    return math.log2(KNOWN_SHARE) - math.log2(max(registry_size, 1))


def _u_from_frequency(freq: Frequencies, kind: str, value: str) -> float:
    population = freq.population
    return (freq.count(f"{kind}|{value}") + SMOOTHING * DEFAULT_U[kind]) / (population + SMOOTHING)


def _close(a: str, b: str) -> bool:
    """A typo or two apart, relative to the length of the word."""
    limit = 1 if min(len(a), len(b)) <= 5 else 2
    return DamerauLevenshtein.distance(a, b, score_cutoff=limit) <= limit


def _weight(field: str, level: str, u: float | None = None) -> Evidence:
    m, fixed_u = PARAMETERS[(field, level)]
    u_value = fixed_u if fixed_u is not None else u
    assert u_value is not None
    return Evidence(field, level, math.log2(m / min(max(u_value, 1e-12), 1.0)))


def _surname(q: str, c: str, freq: Frequencies) -> Evidence | None:
    if not q or not c:
        return None
    if q == c:
        return _weight("surname", "exact", _u_from_frequency(freq, "s", q))
    if ("-" in q or "-" in c) and set(q.split("-")) & set(c.split("-")):
        return _weight("surname", "part")
    # A typo in the feminine ending defeats the neutral key («Фомиеа»): compare without it too.
    if _close(q, c) or (q.endswith("а") and _close(q[:-1], c)) or (c.endswith("а") and _close(q, c[:-1])):
        return _weight("surname", "fuzzy")
    return _weight("surname", "different")


def _feminine_patronymic(key: str) -> str:
    """Сергеевич → сергеевна, Ильич → ильинична: to see a typo in the feminine ending."""
    if key.endswith(("ович", "евич")):
        return key[:-2] + "на"
    if key.endswith("ич"):
        return key + "на" if key[-3:-2] in "кт" else key[:-2] + "инична"
    return key


def _given(
    field: str, tf: str, q_full: str, q_initial: str, c_full: str, c_initial: str, freq: Frequencies
) -> Evidence | None:
    """First name or patronymic: full forms, or initials when one side has only those."""
    if not q_initial or not c_initial:
        return None
    if q_full and c_full:
        if q_full == c_full:
            return _weight(field, "exact", _u_from_frequency(freq, tf, q_full))
        if _close(q_full, c_full):
            # A typo («Серегй»), or two real names a letter apart («Анна» and «Инна», «Даниил» and
            # «Данил»): these are often confused, but an operator must look.
            role = "first" if field == "first" else "patronymic"
            both_real = is_known_name(q_full, role) and is_known_name(c_full, role)
            return _weight(field, "similar" if both_real else "fuzzy")
        # «Павловнна»: a typo in the ending kept the feminine form out of the neutral key.
        if field == "patronymic" and (
            _close(q_full, _feminine_patronymic(c_full)) or _close(_feminine_patronymic(q_full), c_full)
        ):
            return _weight(field, "fuzzy")
        return _weight(field, "different")
    if q_initial != c_initial:
        return _weight(field, "different")
    level = "initial" if (q_full or c_full) else "initials"
    return _weight(field, level, _u_from_frequency(freq, f"{tf}i", q_initial))


def _one_edit_digits(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _phones(q: Sequence[str], c: Sequence[str]) -> Evidence | None:
    if not q or not c:
        return None
    common = set(q) & set(c)
    if common:
        # A mobile number belongs to one person; a landline to a home.
        return _weight("phone", "exact" if any(p.startswith("+79") for p in common) else "landline")
    if any(_one_edit_digits(a, b) for a in q for b in c):
        return _weight("phone", "near")
    return _weight("phone", "different")


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _email_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    la, _, da = a.rpartition("@")
    lb, _, db = b.rpartition("@")
    # One typo in the login; «zaytseva60» and «zaytseva75» are two people's boxes.
    if da == db and DamerauLevenshtein.distance(la, lb, score_cutoff=1) <= 1 and _digits(la) == _digits(lb):
        return "near"
    if la == lb and len(la) >= 3 and DamerauLevenshtein.distance(da, db, score_cutoff=2) <= 2:
        return "near"
    if la == lb and len(la) >= 6:
        return "login"
    return "different"


_EMAIL_ORDER = {"exact": 0, "near": 1, "login": 2, "different": 3}


def _emails(q: Sequence[str], c: Sequence[str]) -> Evidence | None:
    if not q or not c:
        return None
    best = min((_email_level(a, b) for a in q for b in c), key=_EMAIL_ORDER.__getitem__)
    return _weight("email", best)


def _address_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    pa, pb = a.split("|"), b.split("|")
    if len(pa) != 3 or len(pb) != 3:
        return "near" if _close(a, b) and min(len(a), len(b)) > 10 else "different"
    if pa[1] != pb[1]:
        return "different"
    same_street = pa[0] == pb[0]
    if not same_street and not _close(pa[0], pb[0]):
        return "different"
    if pa[2] == pb[2]:
        return "near"  # same house and flat, the street a typo apart
    if same_street and (not pa[2] or not pb[2]):
        return "building"
    return "different"


_ADDRESS_ORDER = {"exact": 0, "near": 1, "building": 2, "different": 3}


def _addresses(q: Sequence[str], c: Sequence[str]) -> Evidence | None:
    if not q or not c:
        return None
    best = min((_address_level(a, b) for a in q for b in c), key=_ADDRESS_ORDER.__getitem__)
    return _weight("address", best)


def _organisation(q: str, c: str) -> Evidence | None:
    if not q or not c:
        return None
    if q == c:
        return _weight("organisation", "exact")
    from rapidfuzz import fuzz

    if fuzz.token_set_ratio(q, c) >= 90:
        return _weight("organisation", "fuzzy")
    return _weight("organisation", "different")


def compare(q: MatchRecord, c: MatchRecord, freq: Frequencies) -> list[Evidence]:
    """Every field's evidence for the card `c` being the person described by `q`."""
    found: list[Evidence | None] = []
    if q.kind != c.kind:
        found.append(_weight("kind", "different"))
    if q.gosuslugi and c.gosuslugi:
        found.append(_weight("gosuslugi", "exact" if q.gosuslugi == c.gosuslugi else "different"))
    if q.inn and c.inn:
        found.append(_weight("inn", "exact" if q.inn == c.inn else "different"))
    found.append(_phones(q.phones, c.phones))
    found.append(_emails(q.emails, c.emails))
    found.append(_addresses(q.addresses, c.addresses))
    if q.kind == ORGANISATION and c.kind == ORGANISATION:
        found.append(_organisation(q.organisation, c.organisation))
    else:
        names = _names(q.name, c.name, freq)
        swapped = swapped_name(q.name)
        if swapped is not None:
            # «Иля Громов»: a mistyped first name hid which word is the surname; take the better reading.
            other = _names(swapped, c.name, freq)
            if sum(e.weight for e in other) > sum(e.weight for e in names):
                names = other
        found.extend(names)
    return [e for e in found if e is not None]


def _names(qn: NameKey, cn: NameKey, freq: Frequencies) -> list[Evidence]:
    found = [
        _surname(qn.surname, cn.surname, freq),
        _given("first", "f", qn.first, qn.first_initial, cn.first, cn.first_initial, freq),
        _given("patronymic", "p", qn.patronymic, qn.patronymic_initial, cn.patronymic, cn.patronymic_initial, freq),
    ]
    if qn.gender and cn.gender and qn.gender != cn.gender:
        found.append(_weight("gender", "different"))
    return [e for e in found if e is not None]


def swapped_name(n: NameKey) -> NameKey | None:
    """The name read the other way round, when two words without a patronymic allow it."""
    if n.patronymic_initial or not n.first or not n.surname or "#" in n.surname or "-" in n.surname:
        return None
    return NameKey(surname=surname_key(n.first), first=n.surname, first_initial=n.surname[:1], gender="")


_HOUSEHOLD_LEVELS = frozenset(
    {("address", "exact"), ("address", "near"), ("address", "building"), ("phone", "landline")}
)


def _household(evidence: list[Evidence], registry_size: int) -> Evidence | None:
    """Surname and home agree: the evidence is that of a family, which is capped at «someone of
    this family», so that the first name and patronymic decide which of them it is."""
    surname = [e for e in evidence if e.field == "surname" and e.level in ("exact", "part", "fuzzy")]
    home = [e for e in evidence if (e.field, e.level) in _HOUSEHOLD_LEVELS]
    if not surname or not home:
        return None
    total = surname[0].weight + sum(e.weight for e in home)
    m_family = PARAMETERS[("surname", "exact")][0] * PARAMETERS[("address", "exact")][0]
    cap = math.log2(m_family * max(registry_size, HOUSEHOLD_MIN_REGISTRY) / HOUSEHOLD_SHARE)
    return Evidence("household", "family", cap - total) if total > cap else None


def score(q: MatchRecord, c: MatchRecord, freq: Frequencies, registry_size: int) -> Score:
    evidence = compare(q, c, freq)
    family = _household(evidence, registry_size)
    if family is not None:
        evidence.append(family)
    prior = prior_weight(registry_size)
    return Score(
        weight=prior + sum(e.weight for e in evidence),
        evidence=tuple(sorted(evidence, key=lambda e: -abs(e.weight))),
        conflict=any((e.field, e.level) in CONFLICTS for e in evidence),
        identified=any(e.field in IDENTIFIERS and e.weight >= 8 for e in evidence),
    )


def rank(
    q: MatchRecord, cards: Iterable[tuple[int, MatchRecord]], freq: Frequencies, registry_size: int
) -> list[tuple[int, Score]]:
    """Cards by match weight, the best first (ties: the older card first)."""
    scored = [(card_id, score(q, card, freq, registry_size)) for card_id, card in cards]
    scored.sort(key=lambda item: (-item[1].weight, item[0]))
    return scored
