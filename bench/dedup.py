"""Applicant duplicate detection: quality against splink, and lookup speed at 100,000 and 1,000,000.

1. Builds a labelled set from the name lists in ../shared/data/names: 100,000 people (12% of
   them living with a relative at the same address, often sharing a landline), about 30% with
   1-3 extra records carrying the errors real records carry (typos, ё/е, swapped order, missing
   patronymic, wrong gender form of the surname, initials only, a declined signature «от …»,
   double surnames, other phone formats and typos, e-mail typos and new boxes, address
   variants, typos and moves). Every record carries what a channel gives: a name plus some of
   phone, e-mail, postal address, Gosuslugi id — always an address or an e-mail for the reply.
2. Streams the records in random order through Otklik's matcher (`people.matching`, in memory,
   default thresholds) and prints precision, recall and F1 of automatic links and proposals
   (definitions: `people/matching/evaluation.py`, docs/dedup.md).
3. Scores splink (Fellegi–Sunter, DuckDB) on the same records given the same normalised columns,
   trained unsupervised (random-sampling u, EM m), at its best match-probability threshold
   chosen with the labels — the most favourable setting for splink.
4. Times `people.matching.match()` — the lookup the registration form and channels call — in a
   real SQLite database holding 100,000 and then 1,000,000 applicant cards (bulk-inserted with
   the same profile and key functions the services use; 900,000 extra people are generated the
   same way without duplicates).

Last line: f1=… autolink_precision=… p99_ms_1m=… splink_f1=…

    .venv/bin/python bench/dedup.py [--people 100000] [--registry 1000000] [--seed 7]
                                   [--write FILE] [--skip-splink] [--skip-latency]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from _setup import ROOT, django_in_temp_database, percentile

NAMES = ROOT.parent / "shared" / "data" / "names" / "realistic_russian_names"

# --- name lists --------------------------------------------------------------------------


def _popularity(path: Path) -> tuple[list[str], list[int]]:
    """Words and their cumulative popularity (for random.choices' cum_weights)."""
    words, cumulative, total = [], [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, count = line.partition(":")
        if word.strip() and count.strip():
            total += int(count)
            words.append(word.strip())
            cumulative.append(total)
    return words, cumulative


@dataclass
class NameLists:
    surnames: tuple[list[str], list[int]]
    male: tuple[list[str], list[int]]
    female: tuple[list[str], list[int]]
    patronymics: dict[str, tuple[str, str]]


def load_names() -> NameLists:
    if not NAMES.is_dir():
        sys.exit(f"нет данных: {NAMES}")
    patronymics = {}
    for line in (NAMES / "russian_patronymics.yaml").read_text(encoding="utf-8").splitlines():
        name, _, forms = line.partition(":")
        male, _, female = forms.partition(",")
        if male.strip() and female.strip():
            patronymics[name.strip()] = (male.strip(), female.strip())
    words, cumulative = _popularity(NAMES / "russian_male_first_names_and_popularity.yaml")
    male_words, male_cumulative, total, previous = [], [], 0, 0
    for word, c in zip(words, cumulative, strict=True):
        if word in patronymics:  # a father's name must give a patronymic
            total += c - previous
            male_words.append(word)
            male_cumulative.append(total)
        previous = c
    return NameLists(
        surnames=_popularity(NAMES / "russian_male_last_names_and_popularity.yaml"),
        male=(male_words, male_cumulative),
        female=_popularity(NAMES / "russian_female_first_names_and_popularity.yaml"),
        patronymics=patronymics,
    )


@cache
def feminine(surname: str) -> str:
    """The feminine form of a (masculine) surname, as the registry office writes it."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    if surname.endswith(("ой", "ый")) and len(surname) > 4:
        return surname[:-2] + "ая"
    return surname  # Шевченко, Черных, Бойко


# --- places ------------------------------------------------------------------------------

STREETS = [
    ("ул.", "улица", "Ленина"),
    ("ул.", "улица", "Советская"),
    ("ул.", "улица", "Молодёжная"),
    ("ул.", "улица", "Садовая"),
    ("ул.", "улица", "Школьная"),
    ("ул.", "улица", "Лесная"),
    ("ул.", "улица", "Центральная"),
    ("ул.", "улица", "Новая"),
    ("ул.", "улица", "Набережная"),
    ("ул.", "улица", "Заречная"),
    ("ул.", "улица", "Гагарина"),
    ("ул.", "улица", "Пушкина"),
    ("ул.", "улица", "Кирова"),
    ("ул.", "улица", "Мичурина"),
    ("ул.", "улица", "Заводская"),
    ("ул.", "улица", "Полевая"),
    ("ул.", "улица", "Первомайская"),
    ("ул.", "улица", "Комсомольская"),
    ("ул.", "улица", "Октябрьская"),
    ("ул.", "улица", "Пролетарская"),
    ("ул.", "улица", "Строителей"),
    ("ул.", "улица", "Чехова"),
    ("ул.", "улица", "Лермонтова"),
    ("ул.", "улица", "Горького"),
    ("ул.", "улица", "Чкалова"),
    ("ул.", "улица", "Свердлова"),
    ("ул.", "улица", "Калинина"),
    ("ул.", "улица", "Куйбышева"),
    ("ул.", "улица", "Дзержинского"),
    ("ул.", "улица", "Фрунзе"),
    ("ул.", "улица", "Маяковского"),
    ("ул.", "улица", "Некрасова"),
    ("ул.", "улица", "Суворова"),
    ("ул.", "улица", "Победы"),
    ("ул.", "улица", "Мира"),
    ("ул.", "улица", "8 Марта"),
    ("ул.", "улица", "Энергетиков"),
    ("ул.", "улица", "Железнодорожная"),
    ("ул.", "улица", "Вокзальная"),
    ("ул.", "улица", "Рабочая"),
    ("ул.", "улица", "Северная"),
    ("ул.", "улица", "Южная"),
    ("ул.", "улица", "Солнечная"),
    ("ул.", "улица", "Луговая"),
    ("ул.", "улица", "Берёзовая"),
    ("ул.", "улица", "Зелёная"),
    ("ул.", "улица", "Тургенева"),
    ("ул.", "улица", "Белинского"),
    ("ул.", "улица", "Есенина"),
    ("ул.", "улица", "Шевченко"),
    ("пр-т", "проспект", "Мира"),
    ("пр-т", "проспект", "Ленинский"),
    ("пр-т", "проспект", "Победы"),
    ("пр-т", "проспект", "Космонавтов"),
    ("пер.", "переулок", "Школьный"),
    ("пер.", "переулок", "Почтовый"),
    ("пер.", "переулок", "Садовый"),
    ("пер.", "переулок", "Кооперативный"),
    ("б-р", "бульвар", "Гагарина"),
    ("б-р", "бульвар", "Строителей"),
    ("ш.", "шоссе", "Московское"),
    ("наб.", "набережная", "Речная"),
    ("пл.", "площадь", "Победы"),
    ("мкр.", "микрорайон", "Северный"),
    ("мкр.", "микрорайон", "Юбилейный"),
    ("ул.", "улица", "1-я Советская"),
    ("ул.", "улица", "2-я Садовая"),
    ("ул.", "улица", "50 лет Октября"),
]
TOWN = "Демоград"
EMAIL_DOMAINS = (
    (["mail.ru"] * 35 + ["yandex.ru"] * 22 + ["gmail.com"] * 15 + ["bk.ru"] * 5 + ["list.ru"] * 5 + ["inbox.ru"] * 5)
    + ["rambler.ru"] * 5
    + ["ya.ru"] * 8
)
TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "sch",
            "_",
            "y",
            "_",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
KEYBOARD_ROWS = ["йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю"]


@cache
def translit(word: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in word.lower()).replace("_", "")


# --- people ------------------------------------------------------------------------------


@dataclass
class Person:
    pid: int
    gender: str
    surname: str
    first: str
    patronymic: str
    mobile: str = ""  # ten digits
    landline: str = ""  # area code + number, ten digits
    email: str = ""
    street: int = -1
    house: str = ""
    flat: str = ""
    gosuslugi: str = ""
    household: int = -1


@dataclass
class Generator:
    names: NameLists
    rng: random.Random
    used_phones: set[str] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)
    used_homes: set[tuple[int, str, str]] = field(default_factory=set)
    used_gosuslugi: set[str] = field(default_factory=set)

    def _pick(self, lists: tuple[list[str], list[int]], k: int) -> list[str]:
        return self.rng.choices(lists[0], cum_weights=lists[1], k=k)

    def _unique(self, used: set[str], make: object) -> str:
        while True:
            value = make()  # type: ignore[operator]
            if value not in used:
                used.add(value)
                return value

    def _home(self) -> tuple[int, str, str]:
        rng = self.rng
        while True:
            street = rng.randrange(len(STREETS))
            house = str(rng.randint(1, 140))
            roll = rng.random()
            if roll < 0.05:
                house += rng.choice("абв")
            elif roll < 0.1:
                house += f"к{rng.randint(1, 4)}"
            flat = str(rng.randint(1, 220)) if rng.random() < 0.85 else ""
            home = (street, house, flat)
            if home not in self.used_homes:
                self.used_homes.add(home)
                return home

    def _email(self, surname: str, first: str) -> str:
        rng = self.rng

        def make() -> str:
            s, f = translit(surname), translit(first)
            style = rng.random()
            if style < 0.3:
                login = f"{s}.{f}"
            elif style < 0.5:
                login = f"{f[0]}.{s}"
            elif style < 0.7:
                login = f"{s}{rng.randint(60, 99)}"
            elif style < 0.85:
                login = f"{f}_{s}{rng.randint(1, 999)}"
            else:
                login = f"{s[:4]}{f[:3]}{rng.randint(1, 9999)}"
            return f"{login}@{rng.choice(EMAIL_DOMAINS)}"

        return self._unique(self.used_emails, make)

    def person(self, pid: int) -> Person:
        rng = self.rng
        gender = "m" if rng.random() < 0.47 else "f"
        surname = self._pick(self.names.surnames, 1)[0]
        first = self._pick(self.names.male if gender == "m" else self.names.female, 1)[0]
        father = self._pick(self.names.male, 1)[0]
        patronymic = self.names.patronymics[father][0 if gender == "m" else 1]
        p = Person(pid, gender, feminine(surname) if gender == "f" else surname, first, patronymic)
        self._contacts(p)
        if rng.random() < 0.97:
            p.street, p.house, p.flat = self._home()
        return p

    def _contacts(self, p: Person) -> None:
        rng = self.rng
        if rng.random() < 0.88:
            p.mobile = self._unique(self.used_phones, lambda: "9" + "".join(rng.choices("0123456789", k=9)))
        if rng.random() < 0.6:
            p.email = self._email(p.surname, p.first)
        if rng.random() < 0.3:
            p.gosuslugi = self._unique(self.used_gosuslugi, lambda: str(rng.randint(10**9, 10**10 - 1)))

    def relative(self, pid: int, head: Person) -> Person:
        """Someone living with `head`: same home and surname, often the same landline."""
        rng = self.rng
        gender = "m" if rng.random() < 0.45 else "f"
        root = head.surname if head.gender == "m" else self._masculine(head.surname)
        first = self._pick(self.names.male if gender == "m" else self.names.female, 1)[0]
        # A child takes the head's first name as patronymic; a spouse has another father.
        father = head.first if head.gender == "m" and rng.random() < 0.5 else self._pick(self.names.male, 1)[0]
        patronymic = self.names.patronymics.get(father, self.names.patronymics["Иван"])[0 if gender == "m" else 1]
        p = Person(pid, gender, feminine(root) if gender == "f" else root, first, patronymic, household=head.pid)
        self._contacts(p)
        p.street, p.house, p.flat = head.street, head.house, head.flat
        if not head.landline and rng.random() < 0.5:
            head.landline = self._unique(self.used_phones, lambda: "4712" + "".join(rng.choices("0123456789", k=6)))
        if head.landline and rng.random() < 0.8:
            p.landline = head.landline
        return p

    @staticmethod
    def _masculine(surname: str) -> str:
        if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
            return surname[:-1]
        if surname.endswith(("ская", "цкая")):
            return surname[:-2] + "ий"
        return surname

    def strangers(self, n: int, start: int) -> Iterator[Person]:
        """Many more people, fast: the same name popularity and contact shares, no relatives and
        no duplicates (they only fill the registry for the speed measurement)."""
        rng, lists = self.rng, self.names
        surnames = rng.choices(lists.surnames[0], cum_weights=lists.surnames[1], k=n)
        male = rng.choices(lists.male[0], cum_weights=lists.male[1], k=n)
        female = rng.choices(lists.female[0], cum_weights=lists.female[1], k=n)
        fathers = rng.choices(lists.male[0], cum_weights=lists.male[1], k=n)
        for i in range(n):
            pid = start + i
            gender = "m" if rng.random() < 0.47 else "f"
            surname = surnames[i] if gender == "m" else feminine(surnames[i])
            p = Person(
                pid,
                gender,
                surname,
                male[i] if gender == "m" else female[i],
                lists.patronymics[fathers[i]][0 if gender == "m" else 1],
            )
            if rng.random() < 0.88:
                p.mobile = self._unique(self.used_phones, lambda: f"9{rng.randrange(10**9):09d}")
            if rng.random() < 0.6:
                p.email = f"{translit(surname)}.{pid}@{rng.choice(EMAIL_DOMAINS)}"
            if rng.random() < 0.3:
                p.gosuslugi = str(10**10 + pid)  # eleven digits: never one of the labelled people's
            if rng.random() < 0.97:
                p.street, p.house = rng.randrange(len(STREETS)), str(rng.randint(1, 140))
                p.flat = str(rng.randint(1, 220)) if rng.random() < 0.85 else ""
            yield p

    def people(self, n: int, start: int = 0) -> list[Person]:
        out: list[Person] = []
        for i in range(start, start + n):
            if out and self.rng.random() < 0.12:
                head = self.rng.choice(out[-200:])
                if head.street >= 0:
                    out.append(self.relative(i, head))
                    continue
            out.append(self.person(i))
        return out


# --- writing records with errors ---------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))  # the first letter is rarely wrong
    op = rng.random()
    if op < 0.35:
        ch = word[i].lower()
        for row in KEYBOARD_ROWS:
            if ch in row:
                j = row.index(ch)
                near = row[max(0, j - 1) : j] + row[j + 1 : j + 2]
                if near:
                    repl = rng.choice(near)
                    return word[:i] + (repl.upper() if word[i].isupper() else repl) + word[i + 1 :]
        return word[:i] + word[i + 1 :]
    if op < 0.6:
        return word[:i] + word[i + 1 :]
    if op < 0.8:
        return word[:i] + word[i] + word[i:]
    if i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i]


@cache
def _genitive_first(name: str) -> str:
    from people.names import _morph

    for p in _morph().parse(name.lower()):
        if "Name" in p.tag.grammemes and p.tag.case == "nomn":
            form = p.inflect({"gent"})
            if form is not None:
                return form.word.capitalize()
    return name


def _genitive_surname(surname: str, gender: str) -> str:
    if gender == "m":
        if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
            return surname + "а"
        if surname.endswith(("ский", "цкий")):
            return surname[:-2] + "ого"
        return surname
    if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return surname[:-1] + "ой"
    if surname.endswith(("ская", "цкая")):
        return surname[:-2] + "ой"
    return surname


def _genitive_patronymic(p: str) -> str:
    return p + "а" if p.endswith("ич") else p[:-1] + "ы" if p.endswith("на") else p


def _phone_text(rng: random.Random, digits: str) -> str:
    a, b, c, d = digits[:3], digits[3:6], digits[6:8], digits[8:]
    if digits.startswith("4712"):
        local = digits[4:]
        return rng.choice(
            [
                f"(4712) {local[:2]}-{local[2:4]}-{local[4:]}",
                f"8 4712 {local}",
                f"+7 (4712) {local}",
                f"{local[:2]}-{local[2:4]}-{local[4:]}" if rng.random() < 0.3 else f"84712{local}",
            ]
        )
    return rng.choice(
        [
            f"+7 ({a}) {b}-{c}-{d}",
            f"8 {a} {b} {c} {d}",
            f"8{digits}",
            f"+7{digits}",
            f"8({a}){b}{c}{d}",
            f"{a}-{b}-{c}-{d}",
            f"7 {a} {b}{c}{d}",
        ]
    )


def _address_text(rng: random.Random, street: int, house: str, flat: str, *, typo: bool = False) -> str:
    short, long, name = STREETS[street]
    if rng.random() < 0.5:
        name = name.replace("ё", "е")
    if typo:
        name = _typo(rng, name)
    korpus = ""
    if "к" in house:
        house, k = house.split("к")
        korpus = rng.choice([f", корп. {k}", f" корп.{k}", f"к{k}", f", к. {k}"])
    if house[-1:].isalpha() and rng.random() < 0.5:
        house = house[:-1] + rng.choice([house[-1].upper(), " " + house[-1]])
    town = rng.choice(["", f"г. {TOWN}, ", f"{TOWN}, ", f"г {TOWN}, ", f"305{rng.randint(0, 999):03d}, г. {TOWN}, "])
    style = rng.random()
    if style < 0.3:
        text = f"{short} {name}, д. {house}{korpus}" + (f", кв. {flat}" if flat else "")
    elif style < 0.5:
        text = f"{short} {name}, {house}{korpus}" + (
            f"-{flat}" if flat and not korpus else f", кв. {flat}" if flat else ""
        )
    elif style < 0.7:
        text = f"{long} {name}, дом {house}{korpus}" + (f", квартира {flat}" if flat else "")
    elif style < 0.85:
        text = f"{name} {short}, д.{house}{korpus}" + (f", кв.{flat}" if flat else "")
    else:
        text = f"{short.rstrip('.')} {name} д {house}{korpus}" + (f" кв {flat}" if flat else "")
    return town + text


@dataclass
class Row:
    record_id: str
    cluster_id: str
    full_name: str = ""
    phone: str = ""
    email: str = ""
    postal_address: str = ""
    gosuslugi_id: str = ""


def _name_text(rng: random.Random, p: Person, *, noisy: bool) -> str:
    surname, first, patronymic = p.surname, p.first, p.patronymic
    if rng.random() < 0.5:
        surname, first, patronymic = (w.replace("ё", "е").replace("Ё", "Е") for w in (surname, first, patronymic))
    if noisy:
        if rng.random() < 0.04:  # the other gender's form of the surname
            surname = feminine(surname) if p.gender == "m" else Generator._masculine(surname)
        if p.gender == "f" and rng.random() < 0.015:
            surname = f"{surname}-{feminine(rng.choice(['Петров', 'Смирнов', 'Волков', 'Орлов']))}"
        if rng.random() < 0.12:
            surname = _typo(rng, surname)
        if rng.random() < 0.06:
            first = _typo(rng, first)
        if rng.random() < 0.06:
            patronymic = _typo(rng, patronymic)
        if rng.random() < 0.12:
            patronymic = ""
        roll = rng.random()
        if roll < 0.08:  # initials only
            initials = f"{first[0]}." + (f"{patronymic[0]}." if patronymic else "")
            spaced = " ".join(initials.replace(".", ". ").split())
            return rng.choice([f"{surname} {initials}", f"{initials} {surname}", f"{surname} {spaced}"])
        if roll < 0.12 and patronymic:  # a letter's signature in the genitive
            return (
                f"от {_genitive_surname(surname, p.gender)} {_genitive_first(first)} {_genitive_patronymic(patronymic)}"
            )
        if roll < 0.18:
            text = f"{first} {patronymic} {surname}" if patronymic else f"{first} {surname}"
        elif roll < 0.22:
            text = f"{first} {surname}"
        else:
            text = " ".join(w for w in (surname, first, patronymic) if w)
    else:
        text = " ".join(w for w in (surname, first, patronymic) if w)
    case = rng.random()
    if case < 0.08:
        return text.upper()
    if case < 0.13:
        return text.lower()
    return text


def render(g: Generator, p: Person, record_id: str, *, noisy: bool) -> Row:
    rng = g.rng
    row = Row(record_id=record_id, cluster_id=str(p.pid), full_name=_name_text(rng, p, noisy=noisy))
    phones = [x for x in (p.mobile, p.landline) if x]
    if phones and rng.random() < 0.65:
        digits = phones[0] if len(phones) == 1 or rng.random() < 0.8 else phones[1]
        if noisy and rng.random() < 0.05:
            digits = g._unique(g.used_phones, lambda: "9" + "".join(rng.choices("0123456789", k=9)))
        elif noisy and rng.random() < 0.03:
            i = rng.randrange(3, len(digits))
            digits = digits[:i] + rng.choice("0123456789".replace(digits[i], "")) + digits[i + 1 :]
        row.phone = _phone_text(rng, digits)
    if p.email and rng.random() < 0.55:
        email = p.email
        if noisy and rng.random() < 0.04:
            email = g._email(p.surname, p.first)  # a new box
        elif noisy and rng.random() < 0.08:
            local, _, domain = email.partition("@")
            if rng.random() < 0.6:
                email = f"{_typo(rng, local)}@{domain}"
            else:
                email = f"{local}@{rng.choice({'mail.ru': ['mail.ry', 'mial.ru', 'maill.ru'], 'gmail.com': ['gmail.con', 'gmial.com', 'gmail.ru']}.get(domain, [domain[:-1] + 'u', _typo(rng, domain)]))}"
        row.email = email if rng.random() < 0.9 else email.capitalize()
    if p.gosuslugi and rng.random() < 0.4:
        row.gosuslugi_id = p.gosuslugi
    if p.street >= 0 and (rng.random() < 0.7 or not (row.email or row.gosuslugi_id)):
        street, house, flat = p.street, p.house, p.flat
        if noisy and rng.random() < 0.04:
            street, house, flat = g._home()  # moved
        if noisy and rng.random() < 0.05:
            flat = ""
        row.postal_address = _address_text(rng, street, house, flat, typo=noisy and rng.random() < 0.05)
    if not (row.email or row.postal_address or row.gosuslugi_id):
        if p.email:
            row.email = p.email
        elif phones and not row.phone:
            row.phone = _phone_text(rng, phones[0])
    return row


def labelled_records(names: NameLists, *, people: int, seed: int) -> tuple[list[Row], list[Person]]:
    """Every person's first record plus extra noisy records for about 30% of them, shuffled."""
    g = Generator(names, random.Random(seed))
    persons = g.people(people)
    rows: list[Row] = []
    for p in persons:
        rows.append(render(g, p, f"r{p.pid}-0", noisy=False))
        if g.rng.random() < 0.3:
            extra = g.rng.choices([1, 2, 3], weights=[60, 28, 12])[0]
            rows.extend(render(g, p, f"r{p.pid}-{k}", noisy=True) for k in range(1, extra + 1))
    g.rng.shuffle(rows)
    return rows, persons


COLUMNS = ["record_id", "cluster_id", "full_name", "phone", "email", "postal_address", "gosuslugi_id"]


def write_rows(rows: list[Row], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([getattr(r, c) for c in COLUMNS])


# --- Otklik's matcher on the labelled file -----------------------------------------------


def score_otklik(path: Path) -> tuple[object, list]:
    """The records of the file through `people.matching` exactly as `otklik dedup-eval` does."""
    from django.conf import settings

    from people.matching.evaluation import evaluate, read_labelled

    records = read_labelled(path)

    def report(n: int) -> None:
        if n % 20_000 == 0:
            print(f"  Отклик: {n}/{len(records)}", file=sys.stderr)

    started = time.perf_counter()
    outcome = evaluate(
        records,
        autolink_weight=settings.OTKLIK_DEDUP_AUTOLINK_WEIGHT,
        propose_weight=settings.OTKLIK_DEDUP_PROPOSE_WEIGHT,
        progress=report,
        workers=os.cpu_count() or 1,
    )
    print(f"Отклик: {len(records)} записей за {time.perf_counter() - started:.0f} с")
    return outcome, records


# --- splink on the same records ----------------------------------------------------------


def _splink_rows(records: list) -> list[dict]:
    """The same normalised columns Otklik compares (its parsing of names, phones, e-mails, addresses)."""
    from people.matching.record import record_from_query

    rows = []
    for i, item in enumerate(records):
        r = record_from_query(item.query)
        n = r.name
        rows.append(
            {
                "unique_id": i,
                "surname": n.surname or None,
                "first_name": n.first or None,
                "first_initial": n.first_initial or None,
                "patronymic": n.patronymic or None,
                "patronymic_initial": n.patronymic_initial or None,
                "gender": n.gender or None,
                "phone": r.phones[0] if r.phones else None,
                "email": r.emails[0] if r.emails else None,
                "address": r.addresses[0] if r.addresses else None,
                "gosuslugi": r.gosuslugi or None,
            }
        )
    return rows


def score_splink(records: list) -> tuple[float, float, float, float]:
    """Best-threshold F1 of splink (unsupervised Fellegi–Sunter) in the same arrival-order framing:
    each record is linked to its most probable earlier record when that probability passes the
    threshold. Returns (f1, precision, recall, threshold)."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    rows = _splink_rows(records)
    db_api = DuckDBAPI()
    table = db_api.register(rows)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("patronymic").configure(term_frequency_adjustments=True),
            cl.ExactMatch("first_initial"),
            cl.ExactMatch("patronymic_initial"),
            cl.ExactMatch("gender"),
            cl.LevenshteinAtThresholds("phone", 1),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("address", [1, 3]),
            cl.ExactMatch("gosuslugi"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("gosuslugi"),
            block_on("phone"),
            block_on("email"),
            block_on("address"),
            block_on("surname", "first_initial"),
            block_on("first_name", "patronymic", "substr(surname, 1, 1)"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(table, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("gosuslugi"), block_on("email"), block_on("phone")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=3_000_000, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "first_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("address"))
    pairs = linker.inference.predict(threshold_match_probability=0.01)
    # The table name is splink's own, not input: nothing to inject.
    sql = f"select unique_id_l, unique_id_r, match_probability from {pairs.physical_name}"  # noqa: S608
    result = db_api._con.execute(sql).fetchall()
    best: dict[int, tuple[float, int]] = {}
    for left, right, probability in result:
        later, earlier = (left, right) if left > right else (right, left)
        if probability > best.get(later, (0.0, -1))[0]:
            best[later] = (probability, earlier)
    clusters = [item.cluster for item in records]
    seen: set[str] = set()
    known = [False] * len(records)
    for i, cluster in enumerate(clusters):
        known[i] = cluster in seen
        seen.add(cluster)
    total_known = sum(known)
    best_f1 = (0.0, 0.0, 0.0, 0.0)
    grid = [step / 100 for step in range(1, 100)] + [0.991 + step / 1000 for step in range(9)] + [0.9995, 0.9999]
    for threshold in grid:
        linked = [(i, j) for i, (p, j) in best.items() if p >= threshold]
        tp = sum(1 for i, j in linked if clusters[i] == clusters[j])
        precision = tp / len(linked) if linked else 1.0
        recall = tp / total_known if total_known else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best_f1[0]:
            best_f1 = (f1, precision, recall, threshold)
    print(f"splink: {len(result)} пар выше 0.01 за {time.perf_counter() - started:.0f} с")
    return best_f1


# --- lookup latency in the database ------------------------------------------------------


def _card_rows(records: list, start_pk: int) -> tuple[list[tuple[object, ...]], list[tuple[int, int]]]:
    """Rows of cards with their profiles and blocking keys (the benchmark's own data, built by the
    same profile and key functions the services use). No contacts: a lookup reads only the key
    table and the cards' profiles."""
    import json

    from django.utils import timezone

    from people.matching.keys import key_hash, stored_keys

    hash_key = key_hash.__wrapped__  # the same function without its cache: these keys are all new
    now = timezone.now().isoformat()
    applicants: list[tuple[object, ...]] = []
    keys: list[tuple[int, int]] = []
    for offset, (name, record) in enumerate(records):
        pk = start_pk + offset
        profile = json.dumps(record.to_json(), ensure_ascii=False)
        search = " ".join(name).lower()
        applicants.append(
            (
                pk,
                now,
                now,
                "person",
                *name,
                record.name.gender,
                "",
                "",
                record.gosuslugi,
                False,
                False,
                "",
                search,
                profile,
            )
        )
        keys.extend((pk, hash_key(k)) for k in stored_keys(record))
    return applicants, keys


def _insert(applicants: list[tuple[object, ...]], keys: list[tuple[int, int]]) -> None:
    from django.db import connection, transaction

    connection.ensure_connection()
    raw = connection.connection  # the sqlite3 connection: its executemany runs in C
    with transaction.atomic():
        raw.executemany(
            "INSERT INTO people_applicant (id, created_at, updated_at, kind, surname, first_name, patronymic, gender,"
            " organisation_name, inn, gosuslugi_id, consent_personal_data, consent_notifications, note, search_name,"
            " match_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            applicants,
        )
        raw.executemany("INSERT INTO people_matchkey (applicant_id, key) VALUES (?, ?)", keys)


@dataclass
class _WorkerData:
    """Set before the worker processes fork: they read it instead of receiving it."""

    names: NameLists | None = None
    seed: int = 0
    streets: dict[int, str] = field(default_factory=dict)
    phones: set[str] = field(default_factory=set)


_WORKER = _WorkerData()


def _stranger_chunk(task: tuple[int, int, int]) -> tuple[list, list, Counter]:
    """Build `count` strangers' card rows in a worker, from a seed of their own."""
    from people.matching.memory import frequency_keys

    chunk, count, start_pk = task
    assert _WORKER.names is not None
    g = Generator(_WORKER.names, random.Random(_WORKER.seed * 1000 + chunk))
    g.used_phones = set(_WORKER.phones)  # never a phone of the labelled people
    records = []
    counts: Counter[str] = Counter()
    for p in g.strangers(count, start=start_pk):
        record = _clean_record(p, _WORKER.streets)
        counts.update(frequency_keys(record))
        records.append(((p.surname, p.first, p.patronymic), record))
    applicants, keys = _card_rows(records, start_pk)
    return applicants, keys, counts


def _store_frequencies(counts: dict[str, int]) -> None:
    from people.models import NameFrequency

    NameFrequency.objects.all().delete()
    NameFrequency.objects.bulk_create([NameFrequency(key=k, count=v) for k, v in counts.items()], batch_size=5000)


@cache
def _given_key(first: str, patronymic: str, gender: str):  # type: ignore[no-untyped-def]
    from people.names import PersonName, name_key

    return name_key(PersonName("", first, patronymic, gender))


def _name_key(person: Person):  # type: ignore[no-untyped-def]
    """`name_key` of a clean name, its first name and patronymic part cached (a million people
    share a few thousand of those); the result is the same, checked on the first cards."""
    from dataclasses import replace

    from people.names import surname_key

    return replace(_given_key(person.first, person.patronymic, person.gender), surname=surname_key(person.surname))


def _clean_record(person: Person, street_keys: dict[int, str]):  # type: ignore[no-untyped-def]
    """A person's card as a clean record would make it (no parsing of text needed)."""
    from people.matching.record import MatchRecord
    from people.normalize import normalize_email

    phones = tuple(f"+7{d}" for d in (person.mobile, person.landline) if d)
    address = (f"{street_keys[person.street]}|{person.house}|{person.flat}",) if person.street >= 0 else ()
    return MatchRecord(
        name=_name_key(person),
        gosuslugi=person.gosuslugi,
        phones=phones,
        emails=(normalize_email(person.email),) if person.email else (),
        addresses=address,
    )


def measure_latency(names: NameLists, *, people: int, registry: int, seed: int, queries: int = 2000) -> dict:
    """p50/p99 of `people.matching.match()` against `people` and then `registry` cards in SQLite."""
    from collections import Counter

    from django.db import connection

    from people.matching import MatchQuery, match
    from people.matching.memory import frequency_keys
    from people.names import PersonName, name_key
    from people.normalize import parse_address

    g = Generator(names, random.Random(seed + 1000))
    persons = g.people(people + queries // 4)
    inside, outside = persons[:people], persons[people:]
    street_keys = {i: parse_address(f"{s[0]} {s[2]}, д. 1").street for i, s in enumerate(STREETS)}
    sample = []
    for p in g.rng.sample(inside, queries - len(outside)):
        sample.append((p.pid, render(g, p, f"q{p.pid}", noisy=True)))
    sample.extend((p.pid, render(g, p, f"q{p.pid}", noisy=False)) for p in outside)
    g.rng.shuffle(sample)
    with connection.cursor() as cursor:
        # A throw-away database: no journal while loading, indexes built once after each load.
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
            " AND tbl_name IN ('people_matchkey', 'people_applicant')"
        )
        indexes = cursor.fetchall()
    counts: Counter[str] = Counter()
    results = {}
    batch = []
    for i, p in enumerate(inside):
        record = _clean_record(p, street_keys)
        if i < 1000:
            assert record.name == name_key(PersonName(p.surname, p.first, p.patronymic, p.gender))
        counts.update(frequency_keys(record))
        batch.append(((p.surname, p.first, p.patronymic), record))
    _WORKER.names, _WORKER.seed, _WORKER.streets, _WORKER.phones = names, seed, street_keys, g.used_phones
    chunk = 50_000
    tasks = [(i, min(chunk, registry - start), start + 1) for i, start in enumerate(range(people, registry, chunk))]
    loaded = 0
    for size in (people, registry):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        if size == people:
            _insert(*_card_rows(batch, 1))
            loaded = people
        elif tasks:
            # Workers build the rows of the extra people while this process inserts them.
            with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
                for applicants, keys, chunk_counts in pool.imap(_stranger_chunk, tasks):
                    _insert(applicants, keys)
                    counts.update(chunk_counts)
                    loaded += len(applicants)
        counts["total"] = loaded
        with connection.cursor() as cursor:
            for _, sql in indexes:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        _store_frequencies(counts)
        build = time.perf_counter() - started
        timings: list[float] = []
        outcome: Counter[tuple[str, bool]] = Counter()
        for pid, row in sample:
            query = MatchQuery(
                full_name=row.full_name,
                phones=[row.phone] if row.phone else [],
                emails=[row.email] if row.email else [],
                postal_addresses=[row.postal_address] if row.postal_address else [],
                gosuslugi_id=row.gosuslugi_id,
            )
            t0 = time.perf_counter()
            result = match(query)
            timings.append((time.perf_counter() - t0) * 1000)
            right = pid + 1 if pid < people else None  # card ids are person ids + 1
            best = result.best.applicant.pk if result.best else None
            outcome[(result.decision, best == right if best else right is None)] += 1
        keys = connection.cursor().execute("SELECT count(*) FROM people_matchkey").fetchone()[0]
        results[size] = (percentile(timings, 50), percentile(timings, 99), max(timings), build, keys, outcome)
        print(
            f"поиск заявителя в SQLite, {size} карточек ({keys} ключей, загрузка {build:.0f} с): "
            f"p50={results[size][0]:.2f} мс p99={results[size][1]:.2f} мс max={results[size][2]:.1f} мс "
            f"на {len(sample)} запросах"
        )
        auto = outcome[("linked", True)] + outcome[("linked", False)]
        print(
            f"  решения: привязано {auto} (верно {outcome[('linked', True)]}), "
            f"предложено {outcome[('proposed', True)] + outcome[('proposed', False)]} "
            f"(первая карточка верна {outcome[('proposed', True)]}), новых {outcome[('new', True)] + outcome[('new', False)]}"
            f" (верно {outcome[('new', True)]})"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--registry", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--write", type=Path, help="сохранить размеченный файл сюда (для otklik dedup-eval)")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    django_in_temp_database()
    started = time.perf_counter()
    names = load_names()
    rows, persons = labelled_records(names, people=args.people, seed=args.seed)
    path = args.write or Path(tempfile.mkdtemp(prefix="otklik-dedup-")) / "labelled.csv"
    write_rows(rows, path)
    relatives = sum(1 for p in persons if p.household >= 0)
    print(
        f"размеченный набор: {len(persons)} человек ({relatives} живут с родственником), {len(rows)} записей, "
        f"{len(rows) - len(persons)} повторных записей; файл {path}"
    )
    outcome, records = score_otklik(path)
    for line in outcome.lines():  # type: ignore[attr-defined]
        print(line)
    ms = outcome.lookup_ms  # type: ignore[attr-defined]
    print(f"поиск в памяти при потоковой оценке: p50={percentile(ms, 50):.2f} мс p99={percentile(ms, 99):.2f} мс")
    splink_f1 = float("nan")
    if not args.skip_splink:
        f1, precision, recall, threshold = score_splink(records)
        splink_f1 = f1
        print(
            f"splink (лучший порог {threshold:.4f}, выбран по разметке): точность {precision:.4f}, "
            f"полнота {recall:.4f}, F1 {f1:.4f}"
        )
    p99_1m = float("nan")
    if not args.skip_latency:
        results = measure_latency(names, people=args.people, registry=args.registry, seed=args.seed)
        p99_1m = results[args.registry][1]
    print(f"всего {time.perf_counter() - started:.0f} с")
    print(
        f"f1={outcome.combined()[2]:.3f} autolink_precision={outcome.autolink()[0]:.3f} "  # type: ignore[attr-defined]
        f"p99_ms_1m={p99_1m:.0f} splink_f1={splink_f1:.3f}"
    )


if __name__ == "__main__":
    main()
