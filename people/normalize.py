"""Normal forms of contacts and names used for search and for matching applicants.

Every contact is stored as the operator typed it (`Contact.value`) and in a normal form
(`Contact.normalized`) in which two spellings of the same phone, e-mail box or flat are
equal: «8 (912) 345-67-89» and «+7 912 3456789» are both «+79123456789»; «Ivan.Petrov@Ya.ru»
and «ivan-petrov@yandex.ru» are one Yandex box; «г. Демоград, ул. Ленина, д. 5, кв. 12» and
«Ленина ул., 5-12» are both «ленина|5|12».
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import fold, normalize_spaces

_NON_DIGITS = re.compile(r"\D+")


# --- phones ------------------------------------------------------------------------------


def normalize_phone(value: str) -> str:
    """E.164 form: Russian numbers as +7XXXXXXXXXX, foreign ones with their country code."""
    digits = _NON_DIGITS.sub("", value)
    if not digits:
        return ""
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] in "3489" and not value.strip().startswith("+"):
        return "+7" + digits  # a mobile (9xx) or a landline with its area code (3xx, 4xx, 8xx)
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, None if value.strip().startswith("+") else "RU")
    except phonenumbers.NumberParseException:
        return "+" + digits
    if phonenumbers.is_possible_number(parsed):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return "+" + digits


# --- e-mail ------------------------------------------------------------------------------

# One Yandex box answers at all of these domains; Yandex also treats «-» and «.» in the login alike.
_YANDEX = frozenset({"yandex.ru", "ya.ru", "yandex.com", "yandex.by", "yandex.kz", "yandex.ua", "narod.ru"})
_GMAIL = frozenset({"gmail.com", "googlemail.com"})


def normalize_email(value: str) -> str:
    """Lower case; Yandex and Gmail aliases of one box folded into one address."""
    email = value.strip().lower()
    if email.startswith("mailto:"):
        email = email[7:]
    email = email.strip(" .<>")
    local, _, domain = email.rpartition("@")
    if not local:
        return email
    if domain in _YANDEX:
        local = local.split("+", 1)[0].replace("-", ".")
        domain = "yandex.ru"
    elif domain in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


# --- identifiers -------------------------------------------------------------------------


def normalize_gosuslugi_id(value: str) -> str:
    """The Gosuslugi (ESIA) account id compared exactly, without spaces and dashes."""
    return re.sub(r"[\s\-]", "", value).lower()


def normalize_inn(value: str) -> str:
    return _NON_DIGITS.sub("", value)


_LEGAL_FORMS = frozenset(
    [
        "ооо",
        "оао",
        "зао",
        "пао",
        "ао",
        "ип",
        "тсж",
        "тсн",
        "жск",
        "жсk",
        "снт",
        "нко",
        "ано",
        "мку",
        "мбу",
        "мау",
        "мку",
        "гбу",
        "гку",
        "гау",
        "муп",
        "гуп",
        "фгуп",
        "фгбу",
        "уфсин",
        "общество",
        "с",
        "ограниченной",
        "ответственностью",
        "акционерное",
        "публичное",
        "закрытое",
        "открытое",
    ]
)


def organisation_key(value: str) -> str:
    """An organisation's name without quotes and legal form: «ООО "Ромашка"» → «ромашка»."""
    words = re.findall(r"[а-яa-z0-9]+", fold(value))
    return " ".join(w for w in words if w not in _LEGAL_FORMS)


# --- postal addresses --------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    """The parts of a postal address that identify a home."""

    street: str = ""  # folded street name without its type, words sorted: «ленина», «1 советская»
    house: str = ""  # «5», «5а», «5/2», «5к2», «5с1»
    flat: str = ""

    @property
    def key(self) -> str:
        return f"{self.street}|{self.house}|{self.flat}" if self.street and self.house else ""


_STREET_TYPES = frozenset(
    [
        "ул",
        "улица",
        "пр",
        "пр-т",
        "пр-кт",
        "просп",
        "проспект",
        "пер",
        "переулок",
        "б-р",
        "бульв",
        "бульвар",
        "ш",
        "шоссе",
        "пл",
        "площадь",
        "наб",
        "набережная",
        "проезд",
        "пр-д",
        "туп",
        "тупик",
        "мкр",
        "мкрн",
        "микрорайон",
        "аллея",
        "ал",
        "линия",
        "лин",
        "тракт",
        "кв-л",
        "квартал",
        "спуск",
        "тер",
        "территория",
    ]
)
_SETTLEMENT_START = re.compile(
    r"^(?:г|гор|город|пгт|рп|пос|п|с|село|дер|д|ст-ца|станица|х|хутор)\.?\s+(?!\d)|^(?:россия|рф)$"
)
_REGION_END = re.compile(r"\b(?:обл|область|р-н|район|край|респ|республика|ао|округ)\.?$")
_FLAT = re.compile(
    r"(?:\bкв(?:артира|\.|-ра)?|\bкомн(?:ата|\.)?|\bпом(?:ещение|\.)?|\bоф(?:ис|\.)?)\s*№?\s*(\d+[а-я]?)"
)
_KORPUS = re.compile(r"(?:\bкорп(?:ус|\.)?|\bк\.)\s*(\d+[а-я]?)")
_BUILDING = re.compile(r"\bстр(?:оение|\.)?\s*(\d+)")
_HOUSE_EXPLICIT = re.compile(
    r"(?:\bд(?:ом|\.)?|\bвлад(?:ение|\.)?|\bвл\.?)\s*№?\s*(\d+(?:\s*[а-я](?![а-я\d]))?(?:\s*/\s*\d+[а-я]?)?(?:к\d+)?)"
    r"(?:\s*[-–]\s*(\d+)(?![\d/]))?"
)
_HOUSE_BARE = re.compile(
    r"(?<![\w\-/])(\d+(?:\s?[а-я](?![а-я\d]))?(?:/\d+[а-я]?)?(?:к\d+)?)(?:\s*[-–]\s*(\d+))?(?![\w\-/])"
)
_GLUED_KORPUS = re.compile(r"^(\d+[а-я]?)к(\d+)$")
_ORDINAL = re.compile(r"^(\d+)-?(?:я|й|ая|ый|ий|ой|го|е)$")


def parse_address(value: str) -> Address:
    """Street, house and flat of a Russian postal address written in any of the usual ways."""
    s = fold(value).replace("№", " ")
    s = re.sub(r"\b\d{6}\b", " ", s)  # postal code
    flat = korpus = building = ""
    if m := _FLAT.search(s):
        flat = m.group(1)
        s = s[: m.start()] + "," + s[m.end() :]
    if m := _KORPUS.search(s):
        korpus = m.group(1)
        s = s[: m.start()] + "," + s[m.end() :]
    if m := _BUILDING.search(s):
        building = m.group(1)
        s = s[: m.start()] + "," + s[m.end() :]
    house = ""
    if m := _HOUSE_EXPLICIT.search(s):
        house, tail_flat = m.group(1), m.group(2)
        s = s[: m.start()] + "," + s[m.end() :]
    else:
        matches = [m for m in _HOUSE_BARE.finditer(s) if re.search(r"[а-яa-z]", s[: m.start()])]
        if matches:
            m = matches[-1]
            house, tail_flat = m.group(1), m.group(2)
            s = s[: m.start()] + "," + s[m.end() :]
        else:
            tail_flat = None
    if tail_flat and not flat:
        flat = tail_flat
    house = house.replace(" ", "")
    if glued := _GLUED_KORPUS.match(house):
        house, korpus = glued.group(1), korpus or glued.group(2)
    if korpus:
        house += f"к{korpus}"
    if building:
        house += f"с{building}"
    return Address(street=_street(s), house=house, flat=flat)


def _street(text: str) -> str:
    segments = [normalize_spaces(seg.strip(" .-")) for seg in text.split(",")]
    segments = [seg for seg in segments if re.search(r"[а-яa-z]", seg)]
    segments = [seg for seg in segments if not _SETTLEMENT_START.match(seg) and not _REGION_END.search(seg)]
    if not segments:
        return ""
    typed = [seg for seg in segments if any(w.strip(".") in _STREET_TYPES for w in seg.split())]
    chosen = typed[-1] if typed else segments[-1]
    raw_words = [w.strip('-"«»()') for w in re.split(r"[\s.]+", chosen)]
    # «Набережная улица», «Линия 5»: a street may be named by a word that is also a type.
    named = [w for w in raw_words if w and w not in _STREET_TYPES and w not in {"им", "имени"}]
    if not [w for w in named if len(w) > 1 and not w.isdigit()]:
        named = [w for w in raw_words if w and w not in {"ул", "улица"}]
    words = []
    for word in named:
        if len(word) == 1 and word.isalpha():
            continue  # initials: «ул. В.И. Ленина»
        if ordinal := _ORDINAL.match(word):
            word = ordinal.group(1)
        words.append(word)
    return " ".join(sorted(words))


def normalize_address(value: str) -> str:
    """«street|house|flat» when the address can be read, otherwise its folded text."""
    return parse_address(value).key or fold(value)


# --- dispatch ------------------------------------------------------------------------------


def normalize_contact(kind: str, value: str) -> str:
    if kind == "phone":
        return normalize_phone(value)
    if kind == "email":
        return normalize_email(value)
    if kind == "postal":
        return normalize_address(value)
    return fold(value)


def normalize_name_part(value: str) -> str:
    """Capitalise each part of a (possibly hyphenated) name: «иванова-петрова» → «Иванова-Петрова»."""
    value = normalize_spaces(value)
    return "-".join(part[:1].upper() + part[1:].lower() for part in value.split("-"))


def search_key(*parts: str) -> str:
    """Folded full name for case- and ё-insensitive search."""
    return fold(" ".join(p for p in parts if p))
