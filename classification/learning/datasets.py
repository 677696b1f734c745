"""Reading labelled appeal files for evaluation: the SPb portal export and the Kursk platform export.

Only what a real incoming item carries becomes a feature: for `spb` the text, address,
district, coordinates and object type; for `kursk` the text. Answers, statuses and the other
labels are never read into a record. Rows without the target label are skipped.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path

from classification.learning.features import Record

csv.field_size_limit(16 * 1024 * 1024)

FORMATS = ("spb", "kursk")
# target name → column in the file
TARGETS: dict[str, dict[str, str]] = {
    "spb": {"category": "category", "reason": "reason", "executor_org": "executor_org"},
    "kursk": {"group": "Категория", "topic": "Тематика", "executor": "Ответственное лицо"},
}
# Targets that say who answers: they learn from the place.
ROUTING_TARGETS = frozenset({"executor_org", "executor"})
TEXT_COLUMNS = {"spb": "text", "kursk": "Текст Сообщения"}
TIME_COLUMNS = {"spb": "created_at", "kursk": ""}


class DatasetError(ValueError):
    """The file cannot be used as asked; the message says why."""


@dataclass(frozen=True)
class Dataset:
    """Records with their labels, in file order (or time order when the file has times)."""

    records: list[Record]
    labels: list[str]
    skipped: int
    times: list[str] = field(default_factory=list)  # ISO submission times when the format has them

    def __len__(self) -> int:
        return len(self.records)


def _open_text(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return io.StringIO(raw.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise DatasetError(f"{path.name}: не UTF-8 и не Windows-1251")


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _record(row: dict[str, str], fmt: str) -> Record:
    text = row.get(TEXT_COLUMNS[fmt]) or ""
    if fmt == "spb":
        return Record(
            text=text,
            fields={"object": (row.get("city_object") or "").strip(), "district": (row.get("district") or "").strip()},
            address=(row.get("address") or "").strip(),
            lat=_float(row.get("lat")),
            lon=_float(row.get("lon")),
        )
    return Record(text=text)


def load(path: Path, *, fmt: str, target: str) -> Dataset:
    """Read a file of the format (CSV or gzip CSV) with the labels of `target`."""
    if fmt not in FORMATS:
        raise DatasetError(f"неизвестный формат {fmt!r}; допустимы: {', '.join(FORMATS)}")
    if target not in TARGETS[fmt]:
        raise DatasetError(f"для формата {fmt} цель {target!r} недоступна; допустимы: {', '.join(TARGETS[fmt])}")
    if not path.is_file():
        raise DatasetError(f"файл не найден: {path}")
    try:
        reader = csv.DictReader(_open_text(path))
        columns = reader.fieldnames or []
    except (OSError, gzip.BadGzipFile, EOFError) as exc:
        raise DatasetError(f"{path.name}: файл не читается ({exc.__class__.__name__})") from None
    needed = [TEXT_COLUMNS[fmt], TARGETS[fmt][target]]
    missing = [c for c in needed if c not in columns]
    if missing:
        raise DatasetError(f"{path.name}: нет столбцов {', '.join(missing)} — это не формат {fmt}")
    label_column = TARGETS[fmt][target]
    time_column = TIME_COLUMNS[fmt]
    rows: list[tuple[str, Record, str]] = []
    skipped = 0
    for row in reader:
        label = (row.get(label_column) or "").strip()
        text = row.get(TEXT_COLUMNS[fmt]) or ""
        if not label or not text.strip():
            skipped += 1
            continue
        rows.append(((row.get(time_column) or "") if time_column else "", _record(row, fmt), label))
    if time_column:
        rows.sort(key=lambda r: r[0])
    return Dataset(
        records=[r[1] for r in rows], labels=[r[2] for r in rows], skipped=skipped, times=[r[0] for r in rows]
    )
