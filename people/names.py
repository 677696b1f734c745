"""Russian personal names: parsing a written full name and the keys used to compare names.

A name arrives in many shapes: «Иванов Пётр Сергеевич», «ПЕТР ИВАНОВ», «Иванов П. С.»,
«П.С. Иванов», «от Ивановой Анны Сергеевны» (a letter's signature in the genitive), the
operator's three fields filled in the wrong order. `parse_full_name` and `normalize_person_name`
turn all of them into nominative parts in the order surname, first name, patronymic;
`name_key` folds those parts into gender-neutral keys («Иванова» and «Иванов» share the key
«иванов», «Сергеевна» and «Сергеевич» share «сергеевич»), which matching compares.

Morphology (pymorphy3) is slow without its C extension (about 0.5 ms a word), so it is asked
only where rules cannot decide: whether a word is a first name, and the nominative of a
declined name. Both answers are cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from core.text import fold

# Words that come with a name in letters and forms but are not part of it.
_NOISE = frozenset(
    {
        "от",
        "гр",
        "гражданин",
        "гражданка",
        "гражданина",
        "гражданки",
        "уважаемый",
        "уважаемая",
        "заявитель",
        "заявительница",
        "господин",
        "госпожа",
        "г-н",
        "г-жа",
        "тов",
        "товарищ",
    }
)
_GENITIVE_NOISE = frozenset({"от", "гражданина", "гражданки"})
# Turkic patronymic particles: «Алиев Рашид Магомед оглы».
_PARTICLES = frozenset({"оглы", "кызы", "угли", "улы"})
_INITIALS = re.compile(r"^([А-ЯЁA-Z])\.?$", re.IGNORECASE)
_GLUED_INITIALS = re.compile(r"^(?:[А-ЯЁA-Z]\.){2,3}$", re.IGNORECASE)
_TOKEN = re.compile(r"[А-ЯЁа-яёA-Za-z][А-ЯЁа-яёA-Za-z'’\-]*\.?|[А-ЯЁа-яёA-Za-z]\.")
# Nominative and oblique forms of patronymics: -ович, -евич, -ич, -овна, -евна, -ична, -инична.
_PATRONYMIC = re.compile(r"(?:ович|евич|ёвич|ьич|ич|овн|евн|ёвн|ичн)(?:а|у|ем|е|ы|ой|ою|)$")


@dataclass(frozen=True)
class PersonName:
    """A person's name in nominative parts; an initial is kept as «П.»."""

    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    gender: str = ""  # "m", "f" or "" when the name does not tell

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)


@dataclass(frozen=True)
class NameKey:
    """The comparable form of a name: folded, gender-neutral, initials separated."""

    surname: str = ""  # «иванов» for Иванов / Иванова / Ивановой
    first: str = ""  # full first name, canonical («наталья» for Наталия); "" when only an initial is known
    first_initial: str = ""
    patronymic: str = ""  # masculine form: «сергеевич» for Сергеевна
    patronymic_initial: str = ""
    gender: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.surname or self.first_initial)


# --- morphology, asked sparingly ---------------------------------------------------------


@cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def _parses(word: str) -> tuple[Any, ...]:
    """Parses of a lower-case word that carry a name tag (Name, Surn or Patr)."""
    return tuple(p for p in _morph().parse(word) if {"Name", "Surn", "Patr"} & set(p.tag.grammemes))


def first_name_score(word: str) -> float:
    """How sure the dictionary is that a word is a first name in any case (0 when it is not one)."""
    return _first_name_score(fold(word))


@lru_cache(maxsize=50_000)
def _first_name_score(word: str) -> float:
    # Share among the word's name readings only: «роман» is mostly a novel, but as a name it is a first name.
    # Only dictionary words count: the predictor calls any «-ина» word a possible name.
    parses = [p for p in _parses(word) if p.is_known]
    total = sum(p.score for p in parses)
    if not total:
        return 0.0
    return sum(p.score for p in parses if "Name" in p.tag.grammemes and p.tag.number == "sing") / total


def is_known_name(word: str, role: str) -> bool:
    """Whether the dictionary knows the word as a first name («first») or a patronymic («patronymic»):
    «Анна» and «Инна» are two names, «Серегй» is a typo."""
    if role == "first":
        return first_name_score(word) >= 0.3
    return _known_patronymic(fold(word))


@lru_cache(maxsize=20_000)
def _known_patronymic(word: str) -> bool:
    return any("Patr" in p.tag.grammemes and p.is_known for p in _parses(word))


def _is_patronymic(word: str) -> bool:
    w = fold(word)
    return len(w) >= 5 and bool(_PATRONYMIC.search(w))


# --- gender-neutral keys by rules --------------------------------------------------------


@lru_cache(maxsize=100_000)
def surname_key(value: str) -> str:
    """Folded surname with the feminine / adjectival ending made neutral: Иванова → иванов,
    Достоевская → достоевск#, Толстой / Толстая → толст#."""
    s = re.sub(r"[^а-яa-z\-]", "", fold(value))
    return "-".join(_surname_part_key(part) for part in s.split("-") if part)


def _surname_part_key(s: str) -> str:
    if len(s) > 4 and s.endswith(("ова", "ева", "ина", "ына")):
        return s[:-1]
    for ending in ("ая", "яя", "ый", "ий", "ой"):
        if s.endswith(ending) and len(s) - 2 >= 3:
            return s[:-2] + "#"
    return s


@lru_cache(maxsize=20_000)
def patronymic_key(value: str) -> str:
    """Folded patronymic in its masculine form: Сергеевна → сергеевич, Ильинична → ильич."""
    p = re.sub(r"[^а-яa-z\-]", "", fold(value))
    if p.endswith(("овна", "евна")):
        return p[:-2] + "ич"
    if p.endswith("инична"):
        return p[:-6] + "ич"
    if p.endswith("ична"):
        return p[:-4] + "ич"
    return p


# Spelling variants and common short forms; ambiguous short forms are resolved by gender.
_FIRST_NAME_VARIANTS: dict[str, str | tuple[str, str]] = {
    "наталия": "наталья",
    "натали": "наталья",
    "наташа": "наталья",
    "юля": "юлия",
    "дария": "дарья",
    "маша": "мария",
    "таня": "татьяна",
    "лена": "елена",
    "оля": "ольга",
    "аня": "анна",
    "катя": "екатерина",
    "настя": "анастасия",
    "ира": "ирина",
    "света": "светлана",
    "галя": "галина",
    "люда": "людмила",
    "надя": "надежда",
    "люба": "любовь",
    "вика": "виктория",
    "ксюша": "ксения",
    "лиза": "елизавета",
    "дима": "дмитрий",
    "ваня": "иван",
    "петя": "петр",
    "миша": "михаил",
    "коля": "николай",
    "сережа": "сергей",
    "юра": "юрий",
    "вова": "владимир",
    "володя": "владимир",
    "леша": "алексей",
    "алеша": "алексей",
    "паша": "павел",
    "толя": "анатолий",
    "витя": "виктор",
    "гена": "геннадий",
    "костя": "константин",
    "рома": "роман",
    "боря": "борис",
    "гриша": "григорий",
    "федя": "федор",
    "степа": "степан",
    "леня": "леонид",
    "андрюша": "андрей",
    "саша": ("александр", "александра"),
    "женя": ("евгений", "евгения"),
    "валя": ("валентин", "валентина"),
    "шура": ("александр", "александра"),
}


@lru_cache(maxsize=20_000)
def first_name_canonical(value: str, gender: str = "") -> str:
    """Folded first name with spelling variants and short forms mapped to one full form."""
    f = re.sub(r"[^а-яa-z\-]", "", fold(value))
    variant = _FIRST_NAME_VARIANTS.get(f)
    if isinstance(variant, tuple):
        return variant[1] if gender == "f" else variant[0] if gender == "m" else f
    return variant or f


def _gender_of(surname: str, first_name: str, patronymic: str, case: str = "nomn") -> str:
    """The patronymic tells the gender best, then the first name, then the surname's ending."""
    p = fold(patronymic)
    if len(p) > 2:
        if re.search(r"(?:овн|евн|ёвн|ичн|кызы)", p):
            return "f"
        if re.search(r"(?:ич|оглы|улы|угли)", p):
            return "m"
    f = fold(first_name).rstrip(".")
    if len(f) > 1:
        # «Александра» is also the genitive of «Александр»: the reading in the name's case decides;
        # guesses for unknown words («Елега») do not count.
        names = [p for p in _parses(f) if "Name" in p.tag.grammemes and p.tag.number == "sing" and p.is_known]
        in_case = [p for p in names if p.tag.case == case]
        tags = [(p.tag.gender, p.score) for p in (in_case or names)]
        male = sum(score for g, score in tags if g == "masc")
        female = sum(score for g, score in tags if g == "femn")
        if male or female:
            return "m" if male >= female else "f"
    s = fold(surname)
    if s.endswith(("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая", "овой", "евой", "иной", "ыной", "ской")):
        return "f"
    if s.endswith(("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ый", "ой")):
        return "m"
    return ""


def name_key(name: PersonName) -> NameKey:
    """The key matching compares; gender-neutral so that a wrong gender form still agrees."""
    first = name.first_name.rstrip(".")
    patronymic = name.patronymic.rstrip(".")
    first_full = first_name_canonical(first, name.gender) if len(first) > 1 else ""
    patr_full = patronymic_key(patronymic) if len(patronymic) > 1 else ""
    gender = name.gender or _gender_of(name.surname, first if first_full else "", patronymic if patr_full else "")
    return NameKey(
        surname=surname_key(name.surname),
        first=first_name_canonical(first, gender) if first_full else "",
        first_initial=fold(first)[:1],
        patronymic=patr_full,
        patronymic_initial=fold(patronymic)[:1],
        gender=gender,
    )


# --- parsing -----------------------------------------------------------------------------


def _capitalise(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


def _tokens(text: str) -> tuple[list[str], bool]:
    """Words of a written name with initials split («И.П.» → «И.», «П.»); whether «от» preceded it."""
    genitive_hint = False
    out: list[str] = []
    for raw in text.replace(",", " ").replace(";", " ").split():
        raw = raw.strip("()\"«»'")
        if not raw:
            continue
        if _GLUED_INITIALS.match(raw):
            out.extend(f"{ch}." for ch in raw if ch != ".")
            continue
        for token in _TOKEN.findall(raw):
            low = fold(token).rstrip(".")
            if low in _NOISE:
                genitive_hint = genitive_hint or low in _GENITIVE_NOISE
                continue
            out.append(token)
    return out, genitive_hint


def _is_initial(token: str) -> bool:
    return bool(_INITIALS.match(token))


def _initial(token: str) -> str:
    return token.rstrip(".").upper() + "."


_SURNAME_ENDINGS = (
    "ов",
    "ев",
    "ин",
    "ын",
    "ова",
    "ева",
    "ина",
    "ына",
    "ский",
    "цкий",
    "ская",
    "цкая",
    "енко",
    "ых",
    "их",
)


def _surname_like(word: str) -> bool:
    return fold(word).endswith(_SURNAME_ENDINGS)


def _assign_roles(words: list[str]) -> tuple[str, str, str]:
    """(surname, first name, patronymic) from full words in the more plausible order.

    The patronymic's ending decides most names without the dictionary; only when it cannot
    (two words, or an ending that fits both places) is the dictionary asked which word is a
    first name."""
    if len(words) == 1:
        word = words[0]
        if _is_patronymic(word) and first_name_score(word) < 0.3:
            return "", "", word
        return ("", word, "") if first_name_score(word) >= 0.5 else (word, "", "")
    if len(words) >= 4:
        return words[0], words[1], " ".join(words[2:])
    if len(words) == 2:
        a, b = words
        if _is_patronymic(b) and not _is_patronymic(a) and first_name_score(a) >= 0.3:
            return "", a, b  # «Иван Петрович»: no surname written
        # «Пётр Иванов» is swapped only when the first word is a name and the second is not
        # (or looks much more like a surname: «Роман Романов»).
        name_a, name_b = first_name_score(a), first_name_score(b)
        if (name_a >= 0.5 and name_b < 0.3) or (
            name_a >= name_b and _surname_like(b) and not _surname_like(a) and not _is_patronymic(a)
        ):
            return b, a, ""
        return a, b, ""
    a, b, c = words
    if fold(c) in _PARTICLES:
        return "", a, f"{b} {c}"
    pat_b, pat_c = _is_patronymic(b), _is_patronymic(c)
    if pat_c and not pat_b:
        return a, b, c
    if pat_b and not pat_c:
        return c, a, b  # «Пётр Сергеевич Иванов»
    # Both or neither look like a patronymic: weigh which word is the first name.
    in_order = 2 * pat_c + 2 * first_name_score(b) + (1 - first_name_score(a)) + 0.5
    swapped = 2 * pat_b + 2 * first_name_score(a) + (1 - first_name_score(c))
    return (c, a, b) if swapped > in_order else (a, b, c)


def _case_of(patronymic: str, genitive_hint: bool) -> str:
    """The grammatical case a name is written in. Only a patronymic's ending tells it reliably
    («Сергеевича», «Ивановне»); a first name alone does not («Александра» is a name and a
    genitive), so without a patronymic only a preceding «от» makes the name genitive."""
    if len(patronymic) > 2:
        parses = [p for p in _parses(fold(patronymic)) if "Patr" in p.tag.grammemes and p.tag.number == "sing"]
        if parses:
            scores: dict[str, float] = {}
            for p in parses:
                scores[str(p.tag.case)] = scores.get(str(p.tag.case), 0.0) + p.score
            if scores.get("nomn", 0.0) >= 0.3 and not genitive_hint:
                return "nomn"
            if genitive_hint and "gent" in scores:
                return "gent"
            return max(scores.items(), key=lambda kv: kv[1])[0]
    return "gent" if genitive_hint else "nomn"


@lru_cache(maxsize=20_000)
def _to_nominative(word: str, role: str, case: str, gender: str) -> str:
    """The nominative of a declined name part; the word itself when the dictionary cannot say."""
    low = word.lower()
    tag = {"surname": "Surn", "first": "Name", "patronymic": "Patr"}[role]
    want_gender = {"m": "masc", "f": "femn"}.get(gender)
    for p in _parses(low):
        grammemes = set(p.tag.grammemes)
        if tag not in grammemes or str(p.tag.case) != case:
            continue
        if want_gender and p.tag.gender is not None and p.tag.gender != want_gender:
            continue
        inflected = p.inflect({"nomn"})
        if inflected is not None:
            return _capitalise(inflected.word)
    if role == "surname":
        return _capitalise(_surname_nominative_by_rule(low, case, gender))
    return _capitalise(low)


_SURNAME_OBLIQUE = (
    # (ending, gender, replacement): feminine first, the longest endings first.
    ("ской", "f", "ская"),
    ("цкой", "f", "цкая"),
    ("овой", "f", "ова"),
    ("евой", "f", "ева"),
    ("иной", "f", "ина"),
    ("ыной", "f", "ына"),
    ("ского", "m", "ский"),
    ("цкого", "m", "цкий"),
    ("скому", "m", "ский"),
    ("ова", "m", "ов"),
    ("ову", "m", "ов"),
    ("овым", "m", "ов"),
    ("ева", "m", "ев"),
    ("еву", "m", "ев"),
    ("ина", "m", "ин"),
    ("ину", "m", "ин"),
)


def _surname_nominative_by_rule(word: str, case: str, gender: str) -> str:
    if case == "nomn":
        return word
    for ending, g, replacement in _SURNAME_OBLIQUE:
        if (not gender or g == gender) and word.endswith(ending) and len(word) > len(ending) + 1:
            return word[: -len(ending)] + replacement
    return word


def parse_full_name(text: str) -> PersonName:
    """A written full name in any usual order, case or declension, as nominative parts."""
    tokens, genitive_hint = _tokens(text)
    if not tokens:
        return PersonName()
    words = [t for t in tokens if not _is_initial(t)]
    initials = [_initial(t) for t in tokens if _is_initial(t)]
    if initials:
        if len(words) == 2 and first_name_score(words[0]) >= 0.5 and first_name_score(words[1]) < 0.3:
            words = [words[1], words[0]]  # «Пётр С. Иванов»
        surname = words[0] if words else ""
        rest = words[1:]
        first = rest[0] if rest else (initials.pop(0) if initials else "")
        patronymic = rest[1] if len(rest) > 1 else (initials.pop(0) if initials else "")
    else:
        surname, first, patronymic = _assign_roles(words)
    return _finish(surname, first, patronymic, genitive_hint)


def _finish(surname: str, first: str, patronymic: str, genitive_hint: bool = False) -> PersonName:
    first_is_initial = len(first.rstrip(".")) <= 1
    patr_is_initial = len(patronymic.rstrip(".")) <= 1
    case = _case_of("" if patr_is_initial else patronymic, genitive_hint)
    gender = _gender_of(surname, "" if first_is_initial else first, "" if patr_is_initial else patronymic, case)
    if case != "nomn":
        if surname:
            surname = _to_nominative(surname, "surname", case, gender)
        if first and not first_is_initial:
            first = _to_nominative(first, "first", case, gender)
        if patronymic and not patr_is_initial:
            patronymic = _to_nominative(patronymic, "patronymic", case, gender)
        gender = gender or _gender_of(surname, first, patronymic)
    return PersonName(
        surname=_capitalise(surname) if surname else "",
        first_name=_initial(first) if first and first_is_initial else _capitalise(first),
        patronymic=_initial(patronymic) if patronymic and patr_is_initial else _capitalise(patronymic),
        gender=gender,
    )


def normalize_person_name(surname: str = "", first_name: str = "", patronymic: str = "") -> PersonName:
    """The operator's three fields, made consistent: a whole name typed into one field is split,
    fields filled in swapped order are put right, initials get their dot, a declined form
    becomes nominative."""
    parts = [p.strip() for p in (surname, first_name, patronymic)]
    filled = [p for p in parts if p]
    if not filled:
        return PersonName()
    if len(filled) == 1 and len(filled[0].split()) > 1:
        return parse_full_name(filled[0])
    s, f, p = parts
    if any(len(x.split()) > 1 for x in parts):
        return parse_full_name(" ".join(filled))
    # A first name in the surname field and a non-name in the first-name field: swapped.
    if (
        s
        and f
        and not _is_initial(s)
        and not _is_initial(f)
        and first_name_score(s) >= 0.5
        and first_name_score(f) < 0.3
        and not _is_patronymic(f)
    ):
        s, f = f, s
    if not p and f and _is_patronymic(f) and s and first_name_score(s) >= 0.5:
        s, f, p = "", s, f
    return _finish(s, f, p)
