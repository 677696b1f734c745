"""Normal forms of contacts and names used for search and for matching applicants."""

from __future__ import annotations

import re

from core.text import fold, normalize_spaces

_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(value: str) -> str:
    """Russian phone numbers as +7XXXXXXXXXX; other numbers keep their digits with a plus."""
    digits = _NON_DIGITS.sub("", value)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    return "+" + digits if digits else ""


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_contact(kind: str, value: str) -> str:
    if kind == "phone":
        return normalize_phone(value)
    if kind == "email":
        return normalize_email(value)
    return fold(value)


def normalize_name_part(value: str) -> str:
    """Capitalise each part of a (possibly hyphenated) name: «иванова-петрова» → «Иванова-Петрова»."""
    value = normalize_spaces(value)
    return "-".join(part[:1].upper() + part[1:].lower() for part in value.split("-"))


def search_key(*parts: str) -> str:
    """Folded full name for case- and ё-insensitive search."""
    return fold(" ".join(p for p in parts if p))
