"""Finding the commitments an answer makes: «будут выполнены до 30.06.2021».

Pure functions, no database. `extract_promises(text, answered_on=...)` splits the answer into
sentences and keeps those that commit to something in the future: a future or planning verb
(«будут выполнены», «запланировано», «включено в план ремонта на 2027 год», «предложено
устранить») together with a date, a period or a duration that falls after the answer date.
Statements about the past («работы выполнены 12.03.2021»), references to documents («от
06.10.2016 № 875») and refusals without a future act («не представляется возможным») are
not promises.

Each promise carries the sentence, the due date (a period resolves to its LAST day; «в
течение 10 рабочих дней» counts working days with the production calendar), the body or
organisation named as responsible, and a confidence.

An interim answer that commits without a date of its own («в летний период», «после
проведения мониторинга») is completed by `PeriodConventions`: the body's own habits learned
from its earlier answers (the date it gave to a series of similar answers, or the last offset
from the answer date). See docs/promises.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.calendar import ProductionCalendar
from nlp.dates import DateMention, find_dates

# --- sentences ---------------------------------------------------------------------------

# Abbreviations after which a full stop does not end the sentence.
_ABBREVIATIONS = frozenset(
    [
        "г",
        "гг",
        "д",
        "ул",
        "пр",
        "пр-т",
        "просп",
        "пер",
        "наб",
        "ш",
        "пл",
        "корп",
        "кор",
        "лит",
        "стр",
        "кв",
        "п",
        "пп",
        "ст",
        "ч",
        "им",
        "т",
        "тел",
        "каб",
        "эт",
        "пом",
        "рег",
        "обл",
        "р-н",
        "м",
        "мо",
        "ооо",
        "зао",
        "пао",
        "оао",
        "ао",
        "спб",
        "гку",
        "гбу",
        "ген",
        "руб",
        "тыс",
        "млн",
        "см",
        "мм",
        "др",
        "т.е",
        "т.д",
        "т.п",
    ]
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"(]?[А-ЯЁA-Z0-9])|\n+")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets; abbreviations («г.», «д.», «ул.») do not end a sentence."""
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if "\n" not in match.group(0):
            before = re.search(r"([\w.-]+)[.]$", text[start : match.start()])
            if before and before.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
            if re.search(r"\d[.]$", text[start : match.start()]) and text[match.end() : match.end() + 1].isdigit():
                continue
        _append(sentences, text, start, match.start())
        start = match.end()
    _append(sentences, text, start, len(text))
    return sentences


def _append(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        offset = start + chunk.index(stripped)
        sentences.append(Sentence(stripped, offset, offset + len(stripped)))


# --- cues --------------------------------------------------------------------------------

_FUTURE = re.compile(
    r"\bбуд(?:ет|ут)\b|\bпланиру\w*|\bзапланирован\w*|\bпредусмотрен\w*|\bпредполага\w*|\bориентировочн\w*|"
    r"\bвключ[её]н\w*|\bвключены\b|\bвнесен\w*\s+в\s+(?:\w+\s+){0,3}(?:план|программ|график|перечень)\w*|"
    r"\bпредложено\b|\bобязу\w*|\bдат\w*\s+(?:устранени|выполнени|рассмотрени|окончани)\w*|\bконтрол\w*|\bгарантиру\w*|\bнеобходим\w*\s+срок|\bсрок\w*\s+(?:\w+\s+){0,6}назначен\w*|\bпредписан\w*|\bобязан\w*|\bуведомлен\w*\s+о\s+необходимости|"
    r"\bна\s+контроле\b|\bпоставлен\w*\s+на\s+контроль|\bсрок\w*\s+(?:исполнения|выполнения|устранения|проведения)|"
    r"\bв\s+срок\s+до\b|\bсрок\s+до\b|\bсрок\s*[:–-]?\s*\d|\bне\s+позднее\b|\bпосле\s+(?:наступления|поступления|завершения|проведения)\b|"
    r"\bпроизвести\b|\bвыполнить\b|\bустранить\b|\bпровести\b|\bпланов\w*\s+срок|\bрассмотрен\w*\s+вопрос\w*|"
    r"\bпринят\w*\s+меры\b(?=.*\bбудут\b)",
    re.IGNORECASE,
)
_IMPOSSIBLE = re.compile(
    r"не\s+представляется\s+возможным|невозможно|не\s+может\s+быть|отказано|не\s+планиру|не\s+предусмотрен|"
    r"не\s+включ|не\s+был[аио]?\s+включ|не\s+относится|не\s+входит|не\s+требуется|не\s+будут?\b",
    re.IGNORECASE,
)
_POSITIVE_AFTER_REFUSAL = re.compile(r"\bбуд(?:ет|ут)\s+(?!не\b)\w+|\bвключ[её]н\w*\s+в|\bзапланирован", re.I)
_CONDITIONAL = re.compile(r"^\s*(?:в\s+случае|при\s+(?:не)?выполнении|если)\b", re.IGNORECASE)
_DOCUMENT_BEFORE = re.compile(
    r"(?:\bот|\bN|№|\bдат\w*|\bрождени\w*|\bзарегистрирован\w*|\bпоступивш\w*)\s*[«\"]?\s*$", re.IGNORECASE
)
_SINCE_BEFORE = re.compile(r"(?:\bс|\bначиная\s+с|\bпосле)\s*$", re.IGNORECASE)
_WORKING_DURATION = re.compile(
    r"\b(?:в\s+течени[ие]|в\s+срок(?:\s+не\s+более)?|не\s+позднее|через)\s+(?P<n>\d{1,3}|[а-яё]+)\s*(?:\(\w+\)\s*)?"
    r"(?P<kind>рабоч\w+\s+|календарн\w+\s+)?(?P<unit>дн(?:я|ей|и)|день|суток|сутки|недел[ьиюяе]\w*|месяц\w*)\b",
    re.IGNORECASE,
)
_FROM_OTHER_EVENT = re.compile(r"\s*(?:со\s+дня|с\s+момента|с\s+даты|после|с\s+начала|по\s+окончани)", re.I)
_ONE_PERIOD = re.compile(r"\b(?:в\s+течени[ие]|через)\s+(?P<unit>недели|неделю|месяца|месяц|года|год)\b", re.I)
_NUMBER_WORDS = {
    "одного": 1, "один": 1, "одну": 1, "двух": 2, "два": 2, "две": 2, "трех": 3, "трёх": 3, "три": 3,
    "четырех": 4, "четырёх": 4, "пяти": 5, "пять": 5, "шести": 6, "семи": 7, "десяти": 10, "десять": 10,
    "пятнадцати": 15, "двадцати": 20, "тридцати": 30, "тридцать": 30, "сорока": 40, "шестидесяти": 60,
}  # fmt: skip

_ORG = re.compile(
    r"(?:\b(?:ООО|ОАО|ЗАО|ПАО|АО|ГУП|МУП|ГБУ|ГКУ|СПб\s+ГКУ|СПб\s+ГБУ|СПб\s+ГУП|ФГБУ|ИП|МКУ|МБУ|ТСЖ|ЖСК)\s*"
    r"(?:[«\"][^«»\"]{2,80}[»\"]|[А-ЯЁ][\w-]*(?:\s+[А-ЯЁ№][\w-]*){0,4}))"
    r"|(?:\b(?:[Аа]дминистраци[яией]|Комитет\w*|[Уу]правлени[ея]|[Жж]илищн\w+\s+агентств\w*|[Мм]естн\w+\s+администраци\w+|"
    r"[Уу]правляющ\w+\s+(?:организаци|компани)\w*|[Пп]одрядн\w+\s+организаци\w*|[Сс]обственник\w*|[Аа]рендатор\w*|"
    r"[Вв]ладел\w+)"
    r"(?:\s+(?:[«\"][^«»\"]{2,80}[»\"]|(?:по\s+)?[А-ЯЁа-яё][\w-]*(?:\s+(?:и\s+)?[а-яё][\w-]*)?\s+(?:района|округа|города)"
    r"(?:\s+[А-ЯЁ][\w-]*)*|[А-ЯЁ][\w-]*(?:\s+[А-ЯЁ][\w-]*){0,3}))?)",
)

# Phrase patterns that name a body's typical conventions for an undated commitment.
_CONVENTION_CUES: dict[str, re.Pattern[str]] = {
    "agro": re.compile(r"агротехническ\w+\s+период|период\s+вегетац|положительн\w+\s+температур", re.I),
    "program": re.compile(r"адресн\w+\s+программ|план\w*\s+(?:текущего\s+)?ремонт|перспективн\w+\s+программ", re.I),
    "monitoring": re.compile(r"план\w*\s+мониторинг|план\w*\s+работ\w*\s+(?:СПб|учреждени)", re.I),
    "summons": re.compile(r"уведомлени\w+\s+о\s+явке|протокол\w*\s+об\s+административн", re.I),
    "notice": re.compile(r"предписани|уведомлени\w+\s+об\s+устранени|требовани\w+\s+об\s+устранени", re.I),
    "purchase": re.compile(r"закупк|конкурсн\w+\s+процедур|поставк\w+\s+материал|заказан", re.I),
    "dismantle": re.compile(r"демонтаж", re.I),
    "control": re.compile(r"на\s+контрол", re.I),
}

_CUE_NAMES = {
    "template": "по похожим ответам",
    "agro": "агротехнический период",
    "program": "адресная программа",
    "monitoring": "план мониторинга",
    "summons": "административное производство",
    "notice": "предписание",
    "purchase": "закупка",
    "dismantle": "демонтаж",
    "control": "контроль",
    "*": "по всем ответам органа",
}


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Promise:
    """One commitment found in an answer."""

    sentence: str
    start: int
    end: int
    due: dt.date
    due_text: str  # the words that gave the date («до 30.06.2021», «в III квартале», …)
    responsible: str
    confidence: float
    source: str  # "date" | "period" | "duration" | "convention"

    def as_dict(self) -> dict[str, object]:
        return {
            "sentence": self.sentence,
            "due": self.due.isoformat(),
            "due_text": self.due_text,
            "responsible": self.responsible,
            "confidence": round(self.confidence, 2),
            "source": self.source,
        }


# --- dates inside a sentence -------------------------------------------------------------


def _has_year(text: str) -> bool:
    return bool(re.search(r"(?:19|20)\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2}\b", text))


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _number(raw: str) -> int | None:
    raw = raw.lower()
    if raw.isdigit():
        return int(raw)
    return _NUMBER_WORDS.get(raw)


@dataclass(frozen=True)
class _Due:
    due: dt.date
    text: str
    kind: str  # "date" | "period" | "duration"
    until: bool


def _mention_due(mention: DateMention, sentence: str, answered_on: dt.date) -> _Due | None:
    """The future day a date or a period mention points to, or None (past, document reference)."""
    if mention.kind == "duration" or mention.last is None:
        return None
    before = sentence[max(0, mention.start - 40) : mention.start]
    if _DOCUMENT_BEFORE.search(before):
        return None
    due = mention.last
    if not _has_year(mention.text) and mention.kind in ("date", "period") and "конца" not in mention.text.lower():
        # «до 01 мая», «в летний период», «в III квартале» written in December: the next one
        while due < answered_on:
            due = _shift_year(due, 1)
    if due <= answered_on:
        return None
    if mention.kind == "date" and _SINCE_BEFORE.search(before[-12:]) and not mention.until:
        return None
    until = mention.until or mention.kind == "period"
    return _Due(due, mention.text, mention.kind, until)


def _duration_dues(sentence: str, answered_on: dt.date, calendar_: ProductionCalendar) -> list[tuple[int, _Due]]:
    found = []
    for m in _WORKING_DURATION.finditer(sentence):
        if _FROM_OTHER_EVENT.match(sentence, m.end()):
            continue  # «в течение двух месяцев со дня обнаружения»: not counted from the answer
        count = _number(m.group("n"))
        if not count:
            continue
        unit = m.group("unit").lower()
        working = bool(m.group("kind")) and m.group("kind").lower().startswith("рабоч")
        if unit.startswith(("дн", "ден", "сут")):
            due = calendar_.add_working_days(answered_on, count) if working else answered_on + dt.timedelta(count)
        elif unit.startswith("недел"):
            due = answered_on + dt.timedelta(weeks=count)
        else:
            due = _add_months(answered_on, count)
        found.append((m.start(), _Due(due, m.group(0).strip(), "duration", True)))
    for m in _ONE_PERIOD.finditer(sentence):
        if _FROM_OTHER_EVENT.match(sentence, m.end()):
            continue
        unit = m.group("unit").lower()
        if unit.startswith("недел"):
            due = answered_on + dt.timedelta(weeks=1)
        elif unit.startswith("месяц"):
            due = _add_months(answered_on, 1)
        else:
            due = _add_months(answered_on, 12)
        if all(abs(start - m.start()) > 3 for start, _ in found):
            found.append((m.start(), _Due(due, m.group(0).strip(), "duration", True)))
    return found


# Below this confidence a sentence is shown as a hint, not proposed as a promise.
PROPOSE_FROM = 0.72
_DEMAND = re.compile(
    r"\bнаправлен\w*\s+(?:\w+\s+){0,3}(?:уведомлени|предписани|требовани|предостережени|письм)\w*|\bвыдан\w*\s+"
    r"(?:\w+\s+){0,2}(?:предписани|уведомлени)\w*",
    re.IGNORECASE,
)
_QUOTED_DAY = re.compile(r"[«\"](\d{1,2})[»\"]")
_KIND_RANK = {"date": 3, "duration": 2, "period": 1}
_CONTROL = re.compile(
    r"\bконтрол\w*|\b(?:срок|дат)\w*\s+(?:\w+\s+)?(?:устранени|выполнени|исполнени|рассмотрени|окончани|завершени|"
    r"продлева|проведени|ремонт|работ)\w*|\bсрок\w*\s+продл\w*|\bпредполагаем\w+\s+(?:дат|срок)",
    re.IGNORECASE,
)
_STRONG = re.compile(r"\bбуд(?:ет|ут)\b|\bв\s+срок\s+до\b|\bне\s+позднее\b|\bсрок\w*\s*(?:до|[:–-])?\s*\d", re.I)
_POSSIBLE_ONLY = re.compile(r"\bвозможн\w*\b|\bдопуска\w*\b|\bмогут\b|\bможет\b", re.IGNORECASE)


def _confidence(sentence: str, due: _Due) -> float:
    """How sure the sentence commits to this day: a control date or «будут … до DD.MM.YYYY» most."""
    base = {"date": 0.85 if due.until else 0.7, "duration": 0.75, "period": 0.7}
    value = base[due.kind]
    if _STRONG.search(sentence):
        value += 0.07
    if _CONTROL.search(sentence):
        value += 0.05
    if _CONDITIONAL.search(sentence):
        value -= 0.08
    if _DEMAND.search(sentence) and not re.search(r"\bбуд(?:ет|ут)\b", sentence, re.I):
        value -= 0.25  # a demand sent to a third party: its term, not the body's own promise
    if _POSSIBLE_ONLY.search(sentence) and not re.search(r"\bбуд(?:ет|ут)\b", sentence, re.I):
        value -= 0.3
    return round(min(value, 0.97), 2)


def _responsible(sentence: str, default: str) -> str:
    match = _ORG.search(sentence)
    if match:
        return re.sub(r"\s+", " ", match.group(0)).strip(" ,.")
    return default


def _is_commitment(sentence: str) -> bool:
    if not _FUTURE.search(sentence):
        return False
    refused = _IMPOSSIBLE.search(sentence) and not _POSITIVE_AFTER_REFUSAL.search(sentence)
    return not refused


# --- extraction --------------------------------------------------------------------------


def extract_promises(
    text: str,
    *,
    answered_on: dt.date,
    body: str = "",
    calendar_: ProductionCalendar | None = None,
) -> list[Promise]:
    """Every commitment in an answer, in reading order, each with its own due date."""
    calendar_ = calendar_ or ProductionCalendar()
    promises: list[Promise] = []
    for sentence in split_sentences(text or ""):
        if not _is_commitment(sentence.text):
            continue
        dues: list[tuple[int, _Due]] = []
        # «22» июня 2021 года → 22 июня (same length, so offsets stay valid)
        plain = _QUOTED_DAY.sub(r" \1 ", sentence.text)
        for mention in find_dates(plain, today=answered_on):
            found = _mention_due(mention, plain, answered_on)
            if found:
                dues.append((mention.start, found))
        dues.extend(_duration_dues(sentence.text, answered_on, calendar_))
        if _CONDITIONAL.search(sentence.text):
            # «в случае невнесения в 2024 году …»: a condition names a period, not a due date
            dues = [(start, d) for start, d in dues if d.kind == "date"]
        if not re.search(r"\bбуд(?:ет|ут)\b|\bпланиру|\bобязу", sentence.text, re.I):
            dues = [(start, d) for start, d in dues if d.kind != "duration"]
        if not dues:
            continue
        # «до 15.10.2022» beats «на 2021 год» in the same sentence; among equals the latest day.
        best = max((d for _, d in dues), key=lambda d: (_KIND_RANK[d.kind] + d.until, d.due))
        confidence = _confidence(sentence.text, best)
        promises.append(
            Promise(
                sentence=re.sub(r"\s+", " ", sentence.text),
                start=sentence.start,
                end=sentence.end,
                due=best.due,
                due_text=best.text,
                responsible=_responsible(sentence.text, body),
                confidence=confidence,
                source=best.kind,
            )
        )
    return promises


def main_promise(promises: Iterable[Promise]) -> Promise | None:
    """The commitment an interim answer is controlled by: the latest due date among the most
    certain ones (a list «до 31.05 … до 07.06» is kept until its last item)."""
    items = list(promises)
    if not items:
        return None
    control = [p for p in items if _CONTROL.search(p.sentence) and p.source == "date" and p.confidence >= 0.6]
    if control:
        return max(control, key=lambda p: p.due)
    top = max(p.confidence for p in items)
    return max((p for p in items if p.confidence >= top - 0.1), key=lambda p: (p.source == "date", p.due))


# --- a body's conventions, learned from its history ----------------------------------------


def _template(text: str) -> str:
    """The opening words of an answer without numbers and names: answers written from the same
    template share it («собственнику помещения допустившему самовольное размещение …»)."""
    words = re.sub(r"[^а-яё ]+", " ", (text or "").lower().replace("ё", "е")).split()
    return " ".join(words[:12])


def convention_keys(text: str, body: str) -> list[str]:
    """From specific to general: the answer's template, its set of cues, each cue, the body, the
    cues at any body."""
    cues = sorted(name for name, pattern in _CONVENTION_CUES.items() if pattern.search(text or ""))
    keys = [f"{body}|template:{_template(text)}"]
    if cues:
        keys.append(f"{body}|{'+'.join(cues)}")
        keys.extend(f"{body}|{cue}" for cue in cues)
    keys.append(f"{body}|*")
    if cues:
        keys.append(f"*|{'+'.join(cues)}")
    return keys


@dataclass
class _Seen:
    count: int = 0
    last_answered: dt.date = dt.date.min
    last_promised: dt.date = dt.date.min


@dataclass
class PeriodConventions:
    """What a body's undated commitments usually mean, remembered from its own past answers.

    Every remembered interim answer updates each of its `convention_keys`: how often the key was
    seen and the last (answer date, promised date) under it. A prediction uses the most specific
    key seen at least `min_support` times. A body answering a series of similar reports within
    `batch_days` gives them the same date (the last one it promised, while it is still ahead);
    otherwise the last offset from the answer date is repeated.
    """

    min_support: int = 2
    batch_days: int = 7
    seen: dict[str, _Seen] = field(default_factory=lambda: defaultdict(_Seen))

    def learn(self, text: str, body: str, answered_on: dt.date, promised: dt.date) -> None:
        for key in convention_keys(text, body):
            entry = self.seen[key]
            entry.count += 1
            if answered_on >= entry.last_answered:
                entry.last_answered, entry.last_promised = answered_on, promised

    def learn_many(self, rows: Iterable[tuple[str, str, dt.date, dt.date]]) -> None:
        for text, body, answered_on, promised in sorted(rows, key=lambda row: row[2]):
            self.learn(text, body, answered_on, promised)

    def predict(self, text: str, body: str, answered_on: dt.date) -> tuple[dt.date, float, str] | None:
        for level, key in enumerate(convention_keys(text, body)):
            entry = self.seen.get(key)
            if entry is None or entry.count < self.min_support:
                continue
            recent = (answered_on - entry.last_answered).days <= self.batch_days
            if recent and entry.last_promised > answered_on:
                due = entry.last_promised
            else:
                due = answered_on + (entry.last_promised - entry.last_answered)
            if due <= answered_on:
                continue
            confidence = max(0.3, 0.6 - 0.08 * level)
            return due, confidence, key.split("|", 1)[1].split(":", 1)[0]
        return None


def promised_date(
    text: str,
    *,
    answered_on: dt.date,
    body: str = "",
    interim: bool = False,
    conventions: PeriodConventions | None = None,
    calendar_: ProductionCalendar | None = None,
) -> Promise | None:
    """The one date an answer is controlled by: the main explicit commitment, or for an interim
    answer without one, the body's learned convention."""
    found = main_promise(
        p
        for p in extract_promises(text, answered_on=answered_on, body=body, calendar_=calendar_)
        if p.confidence >= PROPOSE_FROM
    )
    if not interim or conventions is None or (found is not None and found.source == "date"):
        return found
    predicted = conventions.predict(text, body, answered_on)
    if predicted is None or (found is not None and predicted[1] < found.confidence - 0.25):
        return found
    due, confidence, cue = predicted
    return Promise(
        sentence="",
        start=0,
        end=0,
        due=due,
        due_text=f"обычный срок органа ({_CUE_NAMES.get(cue, cue)})",
        responsible=body,
        confidence=confidence,
        source="convention",
    )


_UNDATED = re.compile(
    r"\bбуд(?:ет|ут)\s+(?:\w+\s+){0,2}(?:выполнен|устранен|проведен|произведен|отремонтирован|установлен|"
    r"восстановлен|убран|вывезен|демонтирован|рассмотрен|направлен|включен|заменен|организован)\w*|"
    r"\bзапланирован\w*|\bвключ[её]н\w*\s+в\s+(?:\w+\s+){0,3}(?:план|программ|график|перечень)\w*",
    re.IGNORECASE,
)


def has_undated_commitment(text: str) -> str | None:
    """The first sentence that commits to an act without saying when («будут выполнены в
    агротехнический период»), or None."""
    for sentence in split_sentences(text or ""):
        if _UNDATED.search(sentence.text) and _is_commitment(sentence.text):
            return re.sub(r"\s+", " ", sentence.text)
    return None
