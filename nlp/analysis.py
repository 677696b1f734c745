"""One call that reads an incoming text: `analyze()` → cleaned text, entities, place, dates, signals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from nlp.addresses import AddressMention, find_addresses, parse_address
from nlp.clean import Letter, split_letter
from nlp.dates import DateMention, find_dates
from nlp.entities import Email, Person, Phone, find_emails, find_persons, find_phones
from nlp.gazetteer import GazetteerIndex, PlaceMatch
from nlp.signals import Signal, anonymity_signals, text_signals


@dataclass(frozen=True)
class ApplicantFacts:
    """What the registration knows about one signatory: names and whether a reply address exists."""

    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    has_reply_address: bool = False
    is_organisation: bool = False


@dataclass(frozen=True)
class TextAnalysis:
    """Everything read from one text."""

    letter: Letter
    persons: list[Person] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    addresses: list[AddressMention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    place: PlaceMatch | None = None
    signals: list[Signal] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.letter.body

    @property
    def signal_codes(self) -> set[str]:
        return {s.code for s in self.signals}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for storage (dates as ISO strings)."""

        def plain(value: Any) -> Any:
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        data = asdict(self)
        data["signals"] = [{"code": s.code, "label": s.label, "evidence": s.evidence} for s in self.signals]
        return plain(data)


def analyze(
    raw: str,
    *,
    applicants: Sequence[ApplicantFacts] = (),
    structured_address: str = "",
    gazetteer: GazetteerIndex | None = None,
    today: dt.date | None = None,
    use_ner: bool = False,
) -> TextAnalysis:
    """Read an incoming text; `applicants` enable the anonymity signals and recognising their names."""
    letter = split_letter(raw)
    # Names and contacts are looked for in the whole letter: the signature names the applicant.
    whole = "\n".join(p for p in (letter.greeting, letter.body, letter.signature) if p)
    names = [(a.surname, a.first_name, a.patronymic) for a in applicants if a.surname]
    persons = find_persons(whole, applicants=names, use_ner=use_ner)
    addresses = find_addresses(letter.body)
    place: PlaceMatch | None = None
    if gazetteer is not None and len(gazetteer):
        parsed = parse_address(structured_address) if structured_address else None
        if parsed is not None:
            place = gazetteer.match(parsed, mention=structured_address)
        if place is None:
            place = gazetteer.find_in_text(letter.body)
    signals = text_signals(letter.body or whole)
    if applicants:
        has_surname = any(a.surname or a.is_organisation for a in applicants)
        has_address = any(a.has_reply_address for a in applicants)
        signals.extend(anonymity_signals(has_surname=has_surname, has_address=has_address))
    return TextAnalysis(
        letter=letter,
        persons=persons,
        phones=find_phones(whole),
        emails=find_emails(whole),
        addresses=addresses,
        dates=find_dates(letter.body, today=today),
        place=place,
        signals=signals,
    )
