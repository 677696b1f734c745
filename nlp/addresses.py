"""Addresses: parsing a structured address, finding mentions in free text, normalising.

Two addresses are the same place when their `street_key` and `house` agree. The street key
drops the street type and the case endings of adjectives, so «Лиговский пр.», «Лиговском
проспекте» and «проспект Лиговский» all become «лиговск»; house, building (корпус),
structure (строение) and letter (литера) fold into one short form: «47к1а».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical street types and the spellings met in letters and registries.
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "улица": ("улица", "улицы", "улице", "улицу", "улицей", "ул"),
    "проспект": ("проспект", "проспекта", "проспекте", "проспекту", "просп", "пр-т", "пр-кт", "пр"),
    "переулок": ("переулок", "переулка", "переулке", "пер"),
    "шоссе": ("шоссе", "ш"),
    "бульвар": ("бульвар", "бульвара", "бульваре", "б-р", "бул"),
    "набережная": ("набережная", "набережной", "набережную", "наб"),
    "площадь": ("площадь", "площади", "пл"),
    "проезд": ("проезд", "проезда", "проезде", "пр-д"),
    "тупик": ("тупик", "тупика", "тупике"),
    "линия": ("линия", "линии", "лин"),
    "аллея": ("аллея", "аллеи", "аллею"),
    "дорога": ("дорога", "дороги", "дороге", "дор"),
    "микрорайон": ("микрорайон", "микрорайона", "микрорайоне", "мкр", "мкрн"),
    "квартал": ("квартал", "квартала", "квартале", "кв-л"),
}
_TYPE_OF = {spelling: canonical for canonical, spellings in STREET_TYPES.items() for spelling in spellings}
# Abbreviations that are street types only when written with a dot (or they are ordinary words).
_NEEDS_DOT = frozenset({"пр", "пер", "ш", "пл", "наб", "бул", "лин", "дор", "ул", "просп", "мкр"})

_CITY_PART = re.compile(
    r"^(?:г\.|г\s|город(?![а-яё])|пос\.|посёлок(?![а-яё])|поселок(?![а-яё])|п\.\s|с\.\s|село(?![а-яё])|дер\.|"
    r"деревня(?![а-яё])|муниципальный округ|мо\s|территория(?![а-яё])|тер\.|р-н(?![а-яё])|район(?![а-яё])|"
    r"область(?![а-яё])|обл\.|край(?![а-яё])|россия$|санкт-петербург$|москва$)|.*\s(?:район|р-н|область|обл\.)$",
    re.IGNORECASE,
)
_HOUSE_PART = re.compile(r"^(дом|д\.?|д)\s*№?\s*(?P<n>\d+[а-яё]?(?:/\d+[а-яё]?)?)\s*(?P<rest>.*)$", re.IGNORECASE)
_BUILDING = re.compile(r"(?:^|\s|,)(?:корпус|корп\.?|к\.?)\s*(?P<v>\d+)", re.IGNORECASE)
_STRUCTURE = re.compile(r"(?:^|\s|,)(?:строение|стр\.?)\s*(?P<v>\d+)", re.IGNORECASE)
_LETTER = re.compile(r"(?:^|\s|,)(?:литера|литер|лит\.?)\s*(?P<v>[А-ЯЁа-яё])(?![а-яё])", re.IGNORECASE)
_FLAT = re.compile(r"(?:^|\s|,)(?:квартира|кв\.?)\s*(?P<v>\d+)", re.IGNORECASE)
_INDEX = re.compile(r"^\d{6}$")

_ADJ_ENDINGS = (
    "ого", "его", "ому", "ему", "ыми", "ими", "ая", "яя", "ой", "ей", "ый", "ий", "ое", "ее", "ую", "юю",
    "ом", "ем", "ым", "им", "ые", "ие", "ых", "их",
)  # fmt: skip
_ORDINAL = re.compile(r"^(\d+)(-?(й|я|е|го|ой|ая|ий|ый|ья|ье|ю|м|ом))?$")
_NAME_NOISE = frozenset({"им", "имени", "г", "город", "санкт-петербург", "спб"})


@dataclass(frozen=True)
class ParsedAddress:
    """A street address reduced to what identifies a building."""

    street: str  # the street's name as written, without its type
    street_type: str  # canonical type, «» when not written
    street_key: str
    house: str  # «47к1а»; «» when no house
    flat: str = ""
    city: str = ""

    @property
    def house_base(self) -> str:
        """House and building without the letter: «47к1» — the letter is often left out."""
        return re.sub(r"[а-яё]$", "", self.house) if self.house else ""

    @property
    def display(self) -> str:
        parts = [f"{self.street_type} {self.street}".strip()]
        if self.house:
            parts.append(f"д. {self.house}")
        return ", ".join(p for p in parts if p)


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def street_key(name: str) -> str:
    """The comparable form of a street's name (without its type)."""
    out: list[str] = []
    for raw in re.split(r"[\s.,«»\"'()]+", _fold(name)):
        word = raw.strip("-")
        if not word or word in _NAME_NOISE or word in _TYPE_OF:
            continue
        ordinal = _ORDINAL.match(word)
        if ordinal:
            out.append(ordinal.group(1))
            continue
        for ending in _ADJ_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                word = word[: -len(ending)]
                break
        out.append(word)
    return " ".join(sorted(out))


def normalize_house(number: str, *, building: str = "", structure: str = "", letter: str = "") -> str:
    """«47», корпус «1», литера «А» → «47к1а»."""
    number = _fold(number).replace(" ", "")
    if not number:
        return ""
    result = number
    if building:
        result += f"к{building}"
    if structure:
        result += f"с{structure}"
    if letter:
        result += _fold(letter)
    return result


def _split_type(part: str) -> tuple[str, str]:
    """(canonical type, name) of an address part like «Мебельная улица» or «ул. Союзная»."""
    tokens = part.split()
    for i, token in enumerate(tokens):
        bare = _fold(token).rstrip(".")
        canonical = _TYPE_OF.get(bare)
        if canonical is None:
            continue
        if bare in _NEEDS_DOT and not token.endswith(".") and len(tokens) > 1 and i not in (0, len(tokens) - 1):
            continue
        name = " ".join(tokens[:i] + tokens[i + 1 :]).strip(" ,.")
        if name:
            return canonical, name
    return "", part.strip(" ,.")


def _house_tail(text: str) -> tuple[str, str]:
    """Split «Союзная д. 71Б» or «Седова 140» into («Союзная», «71б»)."""
    match = re.search(r"(?:\s|^)(?:дом|д\.?)\s*№?\s*(\d+[а-яА-ЯёЁ]?(?:/\d+)?)\b(.*)$", text, re.IGNORECASE)
    if match is None:
        match = re.search(r"\s(\d+[а-яА-ЯёЁ]?(?:/\d+)?)\b(.*)$", text)
    if match is None:
        return text, ""
    return text[: match.start()].strip(" ,"), match.group(1) + match.group(2)


def parse_address(text: str) -> ParsedAddress | None:
    """Parse a structured address («г.Санкт-Петербург, Мебельная улица, дом 47, корпус 1, литера А»)."""
    parts = [p.strip() for p in re.split(r"[,;]", text) if p.strip()]
    city = ""
    street_part = ""
    street_type = ""
    house_text = ""
    territory = ""
    for part in parts:
        if _INDEX.match(part):
            continue
        house_match = _HOUSE_PART.match(part)
        if house_match and not street_type and street_part:
            house_text = part
            continue
        if house_match:
            house_text = part
            continue
        if re.match(
            r"^(корпус|корп\.?|к\.|строение|стр\.?|литера|литер|лит\.?|квартира|кв\.?)(?![а-яё])\s*\S", part, re.I
        ):
            house_text += " " + part
            continue
        if re.match(r"^(территория|тер\.)\s*\S", part, re.I) and not street_type:
            # A named territory with its own house numbers («территория Ижорский завод, дом 9»).
            territory = re.sub(r"^(территория|тер\.)\s*", "", part, flags=re.I)
            continue
        if _CITY_PART.match(part) and not street_type:
            if not city:
                city = re.sub(
                    r"^(город|г\.|г\s|посёлок|поселок|пос\.|п\.|село|с\.|деревня|дер\.)\s*", "", part, flags=re.I
                ).strip()
            continue
        canonical, name = _split_type(part)
        if canonical or not street_part:
            name, tail = _house_tail(name)
            if tail and not house_text:
                house_text = tail
            street_part, street_type = name, canonical or street_type
    if not street_part and territory:
        street_part = territory
    if not street_part:
        return None
    number = ""
    building = structure = letter = flat = ""
    if house_text:
        m = re.search(r"(\d+[а-яА-ЯёЁ]?(?:/\d+[а-яА-ЯёЁ]?)?)", house_text)
        number = m.group(1) if m else ""
        # The building marker «к» must not be read from the house number itself («71к»).
        rest = house_text[m.end() :] if m else house_text
        if (b := _BUILDING.search(rest)) is not None:
            building = b.group("v")
        if (s := _STRUCTURE.search(rest)) is not None:
            structure = s.group("v")
        if (lt := _LETTER.search(rest)) is not None:
            letter = lt.group("v")
        if (f := _FLAT.search(rest)) is not None:
            flat = f.group("v")
    key = street_key(street_part)
    if not key:
        return None
    return ParsedAddress(
        street=street_part,
        street_type=street_type,
        street_key=key,
        house=normalize_house(number, building=building, structure=structure, letter=letter),
        flat=flat,
        city=city,
    )


# --- mentions in free text -------------------------------------------------------------

_TYPE_WORDS = "|".join(
    sorted({re.escape(s) for spellings in STREET_TYPES.values() for s in spellings if s not in _NEEDS_DOT}, key=len)[
        ::-1
    ]
)
_DOTTED = "|".join(sorted((re.escape(s) for s in _NEEDS_DOT), key=len, reverse=True))
_TYPE_RE = rf"(?:(?:{_TYPE_WORDS})\b|(?:{_DOTTED})\.)"
_NAME_RE = r"(?:\d{1,2}-?[а-яё]{0,2}\s+)?[А-ЯЁ][а-яёА-ЯЁ-]+(?:\s+[А-ЯЁ][а-яёА-ЯЁ-]+){0,2}"
_HOUSE_RE = (
    r"(?:\s*,?\s*(?:(?:дом|д)\.?\s*(?:№\s*)?)?(?P<house>\d{1,4}[а-яА-Я]?(?:/\d{1,4})?)"
    r"(?:\s*,?\s*(?:корпус|корп\.?|к\.?)\s*(?P<building>\d{1,2}))?"
    r"(?:\s*,?\s*(?:строение|стр\.?)\s*(?P<structure>\d{1,2}))?"
    r"(?:\s*,?\s*(?:литера|лит\.?)\s*(?P<letter>[А-Яа-я])\b)?"
    r"(?:\s*,?\s*(?:квартира|кв\.?)\s*(?P<flat>\d{1,4}))?)?"
)
_TYPE_FIRST = re.compile(rf"(?<![а-яё])(?P<type>{_TYPE_RE})\s*(?P<name>(?-i:{_NAME_RE})){_HOUSE_RE}", re.IGNORECASE)
_NAME_FIRST = re.compile(rf"(?P<name>{_NAME_RE})\s+(?P<type>{_TYPE_RE}){_HOUSE_RE}")
_HOUSE_FIRST = re.compile(
    rf"(?<![а-яё])(?:дом[аеу]?|д\.)\s*№?\s*(?P<house>\d{{1,4}}[а-яА-Я]?(?:/\d{{1,4}})?)"
    rf"(?P<building>)(?P<structure>)(?P<letter>)(?P<flat>)\s+(?:по|на)\s+(?P<type>{_TYPE_RE})\s*(?P<name>(?-i:{_NAME_RE}))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class AddressMention:
    """An address found in a text, with its position."""

    text: str
    start: int
    end: int
    address: ParsedAddress


# Words a capitalised sentence start may put in front of a street name: «На Лиговском пр.».
_LEADING_WORDS = frozenset(
    [
        "на",
        "по",
        "в",
        "во",
        "у",
        "около",
        "возле",
        "рядом",
        "напротив",
        "адрес",
        "адресу",
        "вдоль",
        "за",
        "перед",
        "между",
        "от",
        "до",
        "из",
        "с",
        "со",
        "к",
        "и",
    ]
)


def _mention(match: re.Match[str], type_text: str, name: str) -> AddressMention | None:
    words = name.split()
    while words and _fold(words[0]) in _LEADING_WORDS:
        words.pop(0)
    name = " ".join(words)
    canonical = _TYPE_OF.get(_fold(type_text).rstrip("."), "")
    key = street_key(name)
    if not key or not canonical:
        return None
    house = match.group("house") or ""
    parsed = ParsedAddress(
        street=name.strip(),
        street_type=canonical,
        street_key=key,
        house=normalize_house(
            house,
            building=match.group("building") or "",
            structure=match.group("structure") or "",
            letter=match.group("letter") or "",
        ),
        flat=match.group("flat") or "",
    )
    return AddressMention(text=match.group(0).strip(" ,"), start=match.start(), end=match.end(), address=parsed)


def find_addresses(text: str) -> list[AddressMention]:
    """Street addresses written with a street type: «ул. Урицкого 22», «на Лиговском пр., 25»."""
    found: list[AddressMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_HOUSE_FIRST, _TYPE_FIRST, _NAME_FIRST):
        for match in pattern.finditer(text):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            name = match.group("name")
            # «по улице Ленина» with IGNORECASE must not swallow a lower-case word as the name.
            if not name[:1].isupper() and not name[:1].isdigit():
                continue
            mention = _mention(match, match.group("type"), name)
            if mention is not None:
                found.append(mention)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)
