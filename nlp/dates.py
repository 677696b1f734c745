"""Dates, periods and durations written in Russian.

«12.03.2021», «12 марта 2021 г.», «с 1 по 15 марта», «в марте 2021», «во II квартале 2021 года»,
«в весенне-летний период 2021 года», «до конца года», «в течение двух недель». A period
resolves to its first and last day (a promise «в весенне-летний период» is due on its last
day); a duration to a number of days. A date written without a year takes the year of
`today`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    "январ": 1, "феврал": 2, "март": 3, "апрел": 4, "ма": 5, "июн": 6,
    "июл": 7, "август": 8, "сентябр": 9, "октябр": 10, "ноябр": 11, "декабр": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?P<month>января|январе|январь|февраля|феврале|февраль|марта|марте|март|апреля|апреле|апрель|мая|мае|май|"
    r"июня|июне|июнь|июля|июле|июль|августа|августе|август|сентября|сентябре|сентябрь|октября|октябре|октябрь|"
    r"ноября|ноябре|ноябрь|декабря|декабре|декабрь)"
)
_YEAR_RE = r"(?P<year>(?:19|20)\d{2})\s*(?:г\.|года|году|год|г\b)?"

SEASONS: dict[str, tuple[int, int]] = {
    # first month, last month (a last month below the first runs into the next year)
    "весн": (3, 5),
    "лет": (6, 8),
    "осен": (9, 11),
    "зим": (12, 2),
    "весенне-летн": (3, 8),
    "летне-осенн": (6, 11),
    "осенне-зимн": (9, 2),
    "зимне-весенн": (12, 5),
}
_NUMBER_WORDS = {
    "один": 1, "одна": 1, "одну": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3,
    "четыре": 4, "четырех": 4, "четырёх": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "семи": 7,
    "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10, "несколько": 3,
    "нескольких": 3, "пару": 2, "пары": 2, "полтора": 1.5, "полутора": 1.5,
}  # fmt: skip
_ORDINAL_WORDS = {
    "второй": 2, "третий": 3, "четвертый": 4, "четвёртый": 4, "пятый": 5, "шестой": 6, "седьмой": 7,
    "восьмой": 8, "девятый": 9, "десятый": 10, "вторую": 2, "третью": 3, "четвертую": 4, "пятую": 5,
    "второй год": 2, "второй месяц": 2, "вторые": 2, "третьи": 3,
}  # fmt: skip
_UNIT_DAYS = {"д": 1, "сут": 1, "недел": 7, "месяц": 30, "год": 365, "лет": 365}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class DateMention:
    """A date, a period or a duration found in a text."""

    text: str
    start: int
    end: int
    kind: str  # "date" | "period" | "duration"
    first: dt.date | None = None
    last: dt.date | None = None
    days: float | None = None
    until: bool = False  # «до 30.06.2021»: a deadline, not an event

    @property
    def due(self) -> dt.date | None:
        """The day a promise with this mention falls due: the last day of a period."""
        return self.last


def _month_number(word: str) -> int:
    word = word.lower()
    for stem, number in MONTHS.items():
        if word.startswith(stem) and (stem != "ма" or word in ("мая", "мае", "май")):
            return number
    return 0


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(raw: str | None, today: dt.date) -> int:
    if not raw:
        return today.year
    value = int(raw)
    return value + 2000 if value < 100 else value


_NUMERIC = re.compile(r"(?<!\d)(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})(?!\d)")
_ISO = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")
_SHORT_NUMERIC = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{2})(?![\d.]|\.\d)")
_TEXTUAL = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})\s+{_MONTH_RE}(?:\s+{_YEAR_RE})?", re.IGNORECASE)
_RANGE_TEXTUAL = re.compile(
    rf"\bс\s+(?P<d1>\d{{1,2}})(?:\s+(?P<m1>[а-я]+))?\s+(?:по|до)\s+(?P<d2>\d{{1,2}})\s+{_MONTH_RE}(?:\s+{_YEAR_RE})?",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"(?:\bв\s+|\bна\s+)?{_MONTH_RE}\s+{_YEAR_RE}", re.IGNORECASE)
_QUARTER = re.compile(
    r"(?P<q>I{1,3}V?|IV|[1-4])(?:-?м|-?ом)?\s+квартал\w*(?:\s+(?P<year>(?:19|20)\d{2}))?", re.IGNORECASE
)
_SEASON = re.compile(
    r"(?P<season>весенне-летн|летне-осенн|осенне-зимн|зимне-весенн|весн|лет|осен|зим)(?:\w*)(?:\s+(?:период|сезон)\w*)?"
    r"(?:\s+(?P<year>(?:19|20)\d{2})(?:\s*(?:г\.|года|году|год))?)?",
    re.IGNORECASE,
)
_SEASON_WORD = re.compile(
    r"^(весн(а|ой|у|е|ы)|лет(о|ом|а)|осен(ь|ью|и)|зим(а|ой|у|е|ы)|"
    r"(весенне-летн|летне-осенн|осенне-зимн|зимне-весенн|весенн|летн|осенн|зимн)\w*)$",
    re.IGNORECASE,
)
_YEAR_ONLY = re.compile(r"\b(?:в|на|до|к)\s+(?P<year>(?:19|20)\d{2})\s*(?:г\.|года|году|год|г\b)", re.IGNORECASE)
_END_OF = re.compile(
    r"\bдо\s+конца\s+(?:(?P<this>этого|текущего|следующего)\s+)?(?P<unit>года|месяца|недели)(?:\s+(?P<year>(?:19|20)\d{2}))?",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"(?:\b(?:в\s+течени[ие]|уже|более|больше|около|почти|свыше|на\s+протяжении|целых|за)\s+)?"
    r"(?P<n>\d+(?:[.,]\d+)?|[а-яё]+)\s+(?P<unit>дн(?:я|ей|и)|день|суток|сутки|недел[ьиюяе]\w*|месяц\w*|год(?:а|у)?|лет)\b",
    re.IGNORECASE,
)
_ORDINAL_DURATION = re.compile(
    r"\b(?P<n>второй|третий|четв[её]ртый|пятый|шестой|седьмой|десятый|вторую|третью|четв[её]ртую|пятую)\s+"
    r"(?P<unit>день|сутки|недел[юя]|месяц|год)\b",
    re.IGNORECASE,
)
_ONE_UNIT = re.compile(
    r"\b(?:более|больше|свыше|около|уже|целый|целую|целых|почти)\s+(?P<unit>месяца|месяц|недели|неделю|года|год|суток)\b",
    re.IGNORECASE,
)
_HALF_YEAR = re.compile(
    r"\b(?:более\s+|уже\s+|около\s+)?(?P<unit>полгода|полмесяца|полтора\s+года|полтора\s+месяца)\b", re.I
)


def _season_span(stem: str, year: int) -> tuple[dt.date, dt.date]:
    first_month, last_month = SEASONS[stem]
    first = dt.date(year, first_month, 1)
    last_year = year + 1 if last_month < first_month else year
    return first, _month_end(last_year, last_month)


def find_dates(text: str, *, today: dt.date | None = None) -> list[DateMention]:
    """Every date, period and duration in the text, in reading order, without overlaps."""
    today = today or dt.date.today()  # noqa: DTZ011 — a calendar date, callers pass the local one
    found: list[DateMention] = []

    def free(start: int, end: int) -> bool:
        return all(not (m.start < end and start < m.end) for m in found)

    def until_before(start: int) -> bool:
        return bool(re.search(r"(?:\bдо|\bне\s+позднее|\bк|\bпо)\s*$", text[max(0, start - 14) : start], re.I))

    def add(match: re.Match[str], kind: str, first: dt.date | None, last: dt.date | None, days: float | None = None):
        if free(match.start(), match.end()):
            found.append(
                DateMention(
                    text=match.group(0).strip(),
                    start=match.start(),
                    end=match.end(),
                    kind=kind,
                    first=first,
                    last=last,
                    days=days,
                    until=kind == "date" and until_before(match.start()),
                )
            )

    for m in _RANGE_TEXTUAL.finditer(text):
        year = _year(m.group("year"), today)
        month2 = _month_number(m.group("month"))
        month1 = _month_number(m.group("m1")) if m.group("m1") else month2
        first = _safe_date(year, month1 or month2, int(m.group("d1")))
        last = _safe_date(year, month2, int(m.group("d2")))
        if first and last:
            add(m, "period", first, last)
    for pattern in (_NUMERIC, _ISO):
        for m in pattern.finditer(text):
            day = _safe_date(_year(m.group("y"), today), int(m.group("m")), int(m.group("d")))
            if day:
                add(m, "date", day, day)
    for m in _TEXTUAL.finditer(text):
        day = _safe_date(_year(m.group("year"), today), _month_number(m.group("month")), int(m.group("d")))
        if day:
            add(m, "date", day, day)
    for m in _SHORT_NUMERIC.finditer(text):
        day = _safe_date(today.year, int(m.group("m")), int(m.group("d")))
        if day and 1 <= int(m.group("m")) <= 12:
            add(m, "date", day, day)
    for m in _MONTH_YEAR.finditer(text):
        year, month = _year(m.group("year"), today), _month_number(m.group("month"))
        add(m, "period", dt.date(year, month, 1), _month_end(year, month))
    for m in _QUARTER.finditer(text):
        quarter = _ROMAN.get(m.group("q").lower())
        if quarter:
            year = _year(m.group("year"), today)
            add(m, "period", dt.date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    for m in _SEASON.finditer(text):
        word = re.match(r"[\w-]+", m.group(0))
        if word is None or not _SEASON_WORD.match(word.group(0)):
            continue
        year = _year(m.group("year"), today)
        first, last = _season_span(m.group("season").lower(), year)
        add(m, "period", first, last)
    for m in _END_OF.finditer(text):
        year = _year(m.group("year"), today)
        unit = m.group("unit").lower()
        if unit == "года":
            if (m.group("this") or "").lower() == "следующего":
                year += 1
            add(m, "period", today if year == today.year else dt.date(year, 1, 1), dt.date(year, 12, 31))
        elif unit == "месяца":
            add(m, "period", today, _month_end(today.year, today.month))
        else:
            add(m, "period", today, today + dt.timedelta(days=6 - today.weekday()))
    for m in _YEAR_ONLY.finditer(text):
        year = int(m.group("year"))
        add(m, "period", dt.date(year, 1, 1), dt.date(year, 12, 31))
    for m in _DURATION.finditer(text):
        raw = m.group("n").lower().replace(",", ".")
        number = float(raw) if raw[0].isdigit() else _NUMBER_WORDS.get(raw)
        if number is None:
            continue
        unit = m.group("unit").lower()
        days = next((d for stem, d in _UNIT_DAYS.items() if unit.startswith(stem)), None)
        if days is not None:
            add(m, "duration", None, None, number * days)
    for m in _ORDINAL_DURATION.finditer(text):
        number = _ORDINAL_WORDS.get(m.group("n").lower().replace("ё", "е"), 0)
        unit = m.group("unit").lower()
        days = next((d for stem, d in _UNIT_DAYS.items() if unit.startswith(stem)), 1)
        if number:
            add(m, "duration", None, None, float(number * days))
    for m in _ONE_UNIT.finditer(text):
        unit = m.group("unit").lower()
        add(m, "duration", None, None, float(next(d for stem, d in _UNIT_DAYS.items() if unit.startswith(stem))))
    for m in _HALF_YEAR.finditer(text):
        unit = m.group("unit").lower()
        half = {"полгода": 182.0, "полмесяца": 15.0}.get(unit, 547.0 if "года" in unit else 45.0)
        add(m, "duration", None, None, half)
    return sorted(found, key=lambda d: d.start)
