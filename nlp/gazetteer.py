"""A gazetteer of the territory's buildings: from an address to its district and coordinates.

The index is plain data (built from the rows the database holds, or from a CSV in tests and
benchmarks), so matching is a pure function. A text address matches a building when street
and house agree, then when street and house number agree without the letter, then — with less
precision — when the street alone lies in one district.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.addresses import ParsedAddress, find_addresses, parse_address, street_key

REQUIRED_COLUMNS = ("address", "lat", "lon", "district")


@dataclass(frozen=True)
class Building:
    """One row of the gazetteer."""

    address: str
    district: str
    lat: float | None
    lon: float | None
    street_key: str
    house: str


@dataclass(frozen=True)
class PlaceMatch:
    """Where an appeal is about: the building (or street, or district) and how sure that is."""

    district: str
    precision: str  # "house" | "street" | "district"
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    mention: str = ""


class GazetteerError(ValueError):
    """The gazetteer file cannot be read; nothing was changed."""


def parse_gazetteer_csv(text: str) -> list[Building]:
    """Rows of a gazetteer CSV (address, lat, lon, district[, street, n]); every error is reported."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GazetteerError(f"в файле нет столбцов: {', '.join(missing)}")
    buildings: list[Building] = []
    errors: list[str] = []
    for line_no, row in enumerate(reader, start=2):
        address = (row.get("address") or "").strip()
        district = (row.get("district") or "").strip()
        if not address:
            errors.append(f"строка {line_no}: пустой адрес")
            continue
        try:
            lat = float(row["lat"]) if (row.get("lat") or "").strip() else None
            lon = float(row["lon"]) if (row.get("lon") or "").strip() else None
        except ValueError:
            errors.append(f"строка {line_no}: координаты не числа")
            continue
        if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
            errors.append(f"строка {line_no}: координаты вне допустимых пределов")
            continue
        parsed = parse_address(address)
        if parsed is None:
            errors.append(f"строка {line_no}: не удалось разобрать адрес")
            continue
        street_name = (row.get("street") or "").strip()
        key = street_key(re.sub(r"\s+", " ", street_name)) if street_name else parsed.street_key
        buildings.append(
            Building(address=address, district=district, lat=lat, lon=lon, street_key=key, house=parsed.house)
        )
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n… и ещё {len(errors) - 20}" if len(errors) > 20 else ""
        raise GazetteerError(f"файл не загружен, ошибок: {len(errors)}\n{shown}{more}")
    if not buildings:
        raise GazetteerError("файл не содержит ни одного адреса")
    return buildings


_DISTRICT_IN_TEXT = re.compile(r"([А-ЯЁ][а-яё]+(?:-[А-ЯЁ]?[а-яё]+)?)\s+(?:район|р-н)[а-яё]*", re.UNICODE)
_BARE_ADDRESS = re.compile(
    r"(?<![А-Яа-яЁё])(?P<name>[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?)\s*,?\s*(?:д\.?\s*|дом\s*)?"
    r"(?P<house>\d{1,4}[а-яА-Я]?(?:/\d{1,4})?)(?:\s*(?:к\.?|корп\.?|корпус)\s*(?P<building>\d{1,2}))?(?!\d)"
)


class GazetteerIndex:
    """Buildings indexed by street key and house."""

    def __init__(self, buildings: Iterable[Building]) -> None:
        self.exact: dict[tuple[str, str], Building] = {}
        self.base: dict[tuple[str, str], list[Building]] = defaultdict(list)
        self.streets: dict[str, Counter[str]] = defaultdict(Counter)
        self.district_keys: dict[str, str] = {}
        count = 0
        for b in buildings:
            count += 1
            if b.house:
                self.exact.setdefault((b.street_key, b.house), b)
                self.base[(b.street_key, re.sub(r"[а-яё]$", "", b.house))].append(b)
            if b.district:
                self.streets[b.street_key][b.district] += 1
                self.district_keys[street_key(b.district)] = b.district
        self.size = count

    def __len__(self) -> int:
        return self.size

    def match(self, address: ParsedAddress, *, mention: str = "") -> PlaceMatch | None:
        found = self.exact.get((address.street_key, address.house)) if address.house else None
        if found is None and address.house:
            same_base = self.base.get((address.street_key, address.house_base))
            found = same_base[0] if same_base else None
        if found is not None:
            return PlaceMatch(
                district=found.district,
                precision="house",
                address=found.address,
                lat=found.lat,
                lon=found.lon,
                mention=mention,
            )
        districts = self.streets.get(address.street_key)
        if districts and len(districts) == 1:
            return PlaceMatch(district=next(iter(districts)), precision="street", mention=mention)
        return None

    def district_in_text(self, text: str) -> PlaceMatch | None:
        for m in _DISTRICT_IN_TEXT.finditer(text):
            district = self.district_keys.get(street_key(m.group(1)))
            if district:
                return PlaceMatch(district=district, precision="district", mention=m.group(0))
        return None

    def find_in_text(self, text: str) -> PlaceMatch | None:
        """The best place the text names: a building, else a street in one district, else a district."""
        candidates: list[PlaceMatch] = []
        for mention in find_addresses(text):
            place = self.match(mention.address, mention=mention.text)
            if place is not None:
                candidates.append(place)
        # Streets written without their type («Седова 140») are recognised only by the gazetteer.
        for m in _BARE_ADDRESS.finditer(text):
            key = street_key(m.group("name"))
            if key not in self.streets:
                continue
            house = (m.group("house") + (f"к{m.group('building')}" if m.group("building") else "")).lower()
            parsed = ParsedAddress(street=m.group("name"), street_type="", street_key=key, house=house)
            place = self.match(parsed, mention=m.group(0))
            if place is not None:
                candidates.append(place)
        for precision in ("house", "street"):
            for place in candidates:
                if place.precision == precision:
                    return place
        return self.district_in_text(text)


def index_from_csv(text: str) -> GazetteerIndex:
    return GazetteerIndex(parse_gazetteer_csv(text))
