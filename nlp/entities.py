"""Entities in a text: person names, phones, e-mails.

Person names are recognised from the morphological dictionary (pymorphy3 knows Russian first
names, patronymics and surnames) plus the written patterns «Иванов И. П.» and «И. П. Иванов»;
natasha's neural NER can be switched on for names the dictionary does not know. A name that
agrees with one of the applicant's names is marked as the applicant's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlp.text import fold, morph

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-zА-Яа-я]{2,24}(?![\w-])")
_PHONE_CANDIDATE = re.compile(r"(?<![\d\w])(?:\+7|8|7)?[\s(-]*\d{3,5}[\s)-]*\d{1,3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")

_TOKEN = re.compile(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?|[А-ЯЁ]\.")
_INITIALS_AFTER = re.compile(r"\b([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)\s+([А-ЯЁ])\.\s?([А-ЯЁ])\.?")
_INITIALS_BEFORE = re.compile(r"\b([А-ЯЁ])\.\s?([А-ЯЁ])\.\s?([А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?)")


@dataclass(frozen=True)
class Phone:
    text: str
    start: int
    end: int
    e164: str


@dataclass(frozen=True)
class Email:
    text: str
    start: int
    end: int
    normalized: str


@dataclass(frozen=True)
class Person:
    """A person named in the text; parts are in the nominative case where they could be read."""

    text: str
    start: int
    end: int
    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    initials: str = ""
    is_applicant: bool = False

    @property
    def display(self) -> str:
        if self.first_name or self.patronymic:
            return " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)
        return f"{self.surname} {self.initials}".strip()


def find_emails(text: str) -> list[Email]:
    return [
        Email(text=m.group(0), start=m.start(), end=m.end(), normalized=m.group(0).lower())
        for m in EMAIL_RE.finditer(text)
    ]


def find_phones(text: str) -> list[Phone]:
    """Russian phone numbers (mobile and city, with or without +7/8), normalised to E.164."""
    import phonenumbers

    found: list[Phone] = []
    for match in phonenumbers.PhoneNumberMatcher(text, "RU", leniency=phonenumbers.Leniency.POSSIBLE):
        number = match.number
        if not phonenumbers.is_possible_number(number):
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        found.append(Phone(text=match.raw_string, start=match.start, end=match.end, e164=e164))
    return found


@lru_cache(maxsize=50_000)
def _name_role(word: str) -> tuple[str, str] | None:
    """('surname' | 'name' | 'patronymic', nominative form) when the dictionary reads the word as a name part."""
    best: tuple[str, str] | None = None
    for parse in morph().parse(word):
        tag = parse.tag
        if parse.score < 0.05:
            continue
        nominative = parse.inflect({"nomn"})
        form = (nominative.word if nominative is not None else parse.word).capitalize()
        if "Patr" in tag:
            return "patronymic", form
        if "Name" in tag and best is None:
            best = ("name", form)
        elif "Surn" in tag and best is None:
            best = ("surname", form)
    return best


def _gender(first_name: str, patronymic: str) -> str:
    for word in (patronymic, first_name):
        if word:
            for parse in morph().parse(word):
                if {"Name", "Patr"} & set(parse.tag.grammemes) and parse.tag.gender in ("masc", "femn"):
                    return str(parse.tag.gender)
    return ""


def _surname_nominative(word: str, gender: str) -> str:
    """«Сидорову» of a woman is «Сидорова», not the masculine lemma «Сидоров»."""
    for parse in morph().parse(word):
        if "Surn" in parse.tag and parse.tag.gender == gender:
            form = parse.inflect({"nomn", "sing"})
            if form is not None:
                return str(form.word).capitalize()
    return ""


def _grammemes_agree(words: Sequence[str]) -> bool:
    """Name parts of one person share gender and case in at least one reading."""
    options: list[set[tuple[str, str]]] = []
    for w in words:
        readings = set()
        for parse in morph().parse(w):
            if {"Name", "Surn", "Patr"} & set(parse.tag.grammemes):
                readings.add((str(parse.tag.gender or ""), str(parse.tag.case or "")))
        options.append(readings)
    if not options or any(not o for o in options):
        return False
    common = options[0]
    for o in options[1:]:
        common = {r for r in common if r in o or (r[0] == "" and any(x[1] == r[1] for x in o))}
    return bool(common)


def _persons_by_dictionary(text: str) -> list[Person]:
    found: list[Person] = []
    tokens = list(re.finditer(r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?", text))
    i = 0
    while i < len(tokens):
        group = [tokens[i]]
        j = i + 1
        while j < len(tokens) and len(group) < 3 and text[group[-1].end() : tokens[j].start()].strip() == "":
            group.append(tokens[j])
            j += 1
        # Longest run of name parts that agree; at least a first name with a patronymic or a surname.
        best: list[re.Match[str]] = []
        for size in range(len(group), 1, -1):
            words = [m.group(0) for m in group[:size]]
            roles = [_name_role(fold(w)) for w in words]
            if any(r is None for r in roles):
                continue
            kinds = [r[0] for r in roles if r]
            if "name" not in kinds or len(set(kinds)) != len(kinds):
                continue
            if _grammemes_agree([fold(w) for w in words]):
                best = group[:size]
                break
        if not best:
            i += 1
            continue
        parts: dict[str, str] = {}
        written: dict[str, str] = {}
        for m in best:
            role = _name_role(fold(m.group(0)))
            if role:
                parts[role[0]] = role[1]
                written[role[0]] = fold(m.group(0))
        gender = _gender(written.get("name", ""), written.get("patronymic", ""))
        if gender and "surname" in written:
            parts["surname"] = _surname_nominative(written["surname"], gender) or parts["surname"]
        found.append(
            Person(
                text=text[best[0].start() : best[-1].end()],
                start=best[0].start(),
                end=best[-1].end(),
                surname=parts.get("surname", ""),
                first_name=parts.get("name", ""),
                patronymic=parts.get("patronymic", ""),
            )
        )
        i += len(best)
    return found


def _persons_with_initials(text: str) -> list[Person]:
    found: list[Person] = []
    for m in _INITIALS_AFTER.finditer(text):
        role = _name_role(fold(m.group(1)))
        if role is not None and role[0] == "name":
            continue
        surname = role[1] if role else m.group(1)
        found.append(
            Person(
                text=m.group(0),
                start=m.start(),
                end=m.end(),
                surname=surname,
                initials=f"{m.group(2)}. {m.group(3)}.",
            )
        )
    for m in _INITIALS_BEFORE.finditer(text):
        role = _name_role(fold(m.group(3)))
        surname = role[1] if role and role[0] == "surname" else m.group(3)
        found.append(
            Person(
                text=m.group(0), start=m.start(), end=m.end(), surname=surname, initials=f"{m.group(1)}. {m.group(2)}."
            )
        )
    return found


_ner: Any = None


def _persons_by_ner(text: str) -> list[Person]:
    """natasha's slovnet NER: slower (milliseconds), finds names the dictionary does not know."""
    global _ner
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

    if _ner is None:
        _ner = (Segmenter(), NewsNERTagger(NewsEmbedding()))
    segmenter, tagger = _ner
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    found = []
    for span in doc.spans:
        if span.type != "PER":
            continue
        words = span.text.split()
        parts: dict[str, str] = {}
        for w in words:
            role = _name_role(fold(w.strip(".")))
            if role and role[0] not in parts:
                parts[role[0]] = role[1]
        if not parts and len(words) == 1:
            parts["surname"] = words[0]
        found.append(
            Person(
                text=span.text,
                start=span.start,
                end=span.stop,
                surname=parts.get("surname", ""),
                first_name=parts.get("name", ""),
                patronymic=parts.get("patronymic", ""),
            )
        )
    return found


def _same_surname(a: str, b: str) -> bool:
    """Equal up to the gender ending: Иванов / Иванова, Толстой / Толстая."""
    a, b = fold(a), fold(b)
    return a == b or a[:-1] == b[:-1] or a.startswith(b) or b.startswith(a)


def _same_person(person: Person, surname: str, first_name: str, patronymic: str) -> bool:
    if not surname or not person.surname or not _same_surname(person.surname, surname):
        return False
    if person.first_name and first_name and fold(person.first_name) != fold(first_name):
        return False
    if person.initials and first_name and not person.initials.startswith(first_name[:1].upper()):
        return False
    if person.patronymic and patronymic and fold(person.patronymic) != fold(patronymic):
        return False
    return bool(person.surname)


def find_persons(text: str, *, applicants: Sequence[tuple[str, str, str]] = (), use_ner: bool = False) -> list[Person]:
    """Persons named in the text; `applicants` are (surname, first name, patronymic) of the signatories."""
    # Rule-based readings first; NER adds only names they did not see.
    ruled = sorted(
        _persons_with_initials(text) + _persons_by_dictionary(text), key=lambda p: (p.start, p.start - p.end)
    )
    candidates = list(ruled)
    if use_ner:
        candidates += sorted(_persons_by_ner(text), key=lambda p: p.start)
    result: list[Person] = []
    for person in candidates:
        if any(p.start < person.end and person.start < p.end for p in result):
            continue
        own = any(_same_person(person, *names) for names in applicants)
        result.append(
            Person(
                text=person.text,
                start=person.start,
                end=person.end,
                surname=person.surname,
                first_name=person.first_name,
                patronymic=person.patronymic,
                initials=person.initials,
                is_applicant=own,
            )
        )
    return sorted(result, key=lambda p: p.start)
