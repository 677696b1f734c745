"""Writes of text analysis: the gazetteer import and the analysis stored with each appeal."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import clock
from nlp.analysis import ApplicantFacts, analyze
from nlp.gazetteer import GazetteerError, GazetteerIndex, parse_gazetteer_csv
from nlp.models import AppealAnalysis, GazetteerAddress
from nlp.selectors import gazetteer_index

REPLY_CONTACT_KINDS = frozenset({"email", "postal"})


@dataclass(frozen=True)
class GazetteerReport:
    """What an import did."""

    loaded: int
    replaced: int
    districts: int


def read_text_file(path: Path) -> str:
    """A CSV file as text: UTF-8 (with or without BOM) or Windows-1251."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise GazetteerError("файл не в кодировке UTF-8 или Windows-1251")


@transaction.atomic
def gazetteer_import(*, text: str) -> GazetteerReport:
    """Replace the gazetteer with the file's buildings; the file is validated before anything changes."""
    buildings = parse_gazetteer_csv(text)
    replaced, _ = GazetteerAddress.objects.all().delete()
    GazetteerAddress.objects.bulk_create(
        [
            GazetteerAddress(
                address=b.address[:500],
                street_key=b.street_key[:200],
                house=b.house[:50],
                district=b.district[:200],
                lat=b.lat,
                lon=b.lon,
            )
            for b in buildings
        ],
        batch_size=2000,
    )
    return GazetteerReport(
        loaded=len(buildings), replaced=replaced, districts=len({b.district for b in buildings if b.district})
    )


def _applicant_facts(appeals: Sequence[Any]) -> dict[int, list[ApplicantFacts]]:
    """Names and reply channels of the signatories of each appeal, in two plain queries."""
    from appeals.models import AppealApplicant
    from people.models import Contact

    people = list(
        AppealApplicant.objects.filter(appeal__in=[a.pk for a in appeals])
        .order_by("appeal_id", "position", "pk")
        .values(
            "appeal_id",
            "applicant_id",
            "applicant__surname",
            "applicant__first_name",
            "applicant__patronymic",
            "applicant__kind",
            "applicant__gosuslugi_id",
        )
    )
    kinds: dict[int, set[str]] = {}
    for applicant_id, kind in Contact.objects.filter(applicant_id__in=[p["applicant_id"] for p in people]).values_list(
        "applicant_id", "kind"
    ):
        kinds.setdefault(applicant_id, set()).add(kind)
    facts: dict[int, list[ApplicantFacts]] = {a.pk: [] for a in appeals}
    for p in people:
        facts[p["appeal_id"]].append(
            ApplicantFacts(
                surname=p["applicant__surname"],
                first_name=p["applicant__first_name"],
                patronymic=p["applicant__patronymic"],
                has_reply_address=bool(kinds.get(p["applicant_id"], set()) & REPLY_CONTACT_KINDS)
                or bool(p["applicant__gosuslugi_id"]),
                is_organisation=p["applicant__kind"] == "organisation",
            )
        )
    return facts


def _analysis_values(
    appeal: Any, facts: list[ApplicantFacts], structured_address: str, gazetteer: GazetteerIndex
) -> dict[str, Any]:
    result = analyze(
        appeal.text,
        applicants=facts or [ApplicantFacts()],
        structured_address=structured_address,
        gazetteer=gazetteer,
        today=timezone.localdate(clock.now()),
    )
    place = result.place
    data = result.to_dict()
    return {
        "body": result.text,
        "data": {k: data[k] for k in ("persons", "phones", "emails", "addresses", "dates", "place", "letter")},
        "signals": data["signals"],
        "district": place.district if place else "",
        "place_precision": place.precision if place else "",
        "place_address": (place.address if place else "")[:500],
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "analysed_at": clock.now(),
    }


@transaction.atomic
def appeal_analyse(*, appeal: Any, structured_address: str = "", replace: bool = True) -> AppealAnalysis:
    """Read the appeal's text and store what was found (a second run replaces the first).

    `replace=False` is the registration path: the appeal is new, the row is simply created.
    """
    if not replace:
        return appeals_analyse_new([appeal], structured_address=structured_address)[0]
    values = _analysis_values(appeal, _applicant_facts([appeal])[appeal.pk], structured_address, gazetteer_index())
    analysis, _ = AppealAnalysis.objects.update_or_create(appeal=appeal, defaults=values)
    return analysis


@transaction.atomic
def appeals_analyse_new(appeals: Sequence[Any], *, structured_address: str = "") -> list[AppealAnalysis]:
    """The registration path for many new appeals: analyse each, insert the rows together."""
    facts = _applicant_facts(appeals)
    gazetteer = gazetteer_index()  # checked once for the batch
    rows = [
        AppealAnalysis(appeal=appeal, **_analysis_values(appeal, facts[appeal.pk], structured_address, gazetteer))
        for appeal in appeals
    ]
    return AppealAnalysis.objects.bulk_create(rows)
