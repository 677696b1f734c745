"""Writes to the classifier: import of the official file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from classification.models import ClassifierEntry

CODE_RE = re.compile(r"^\d{4}(\.\d{4}){3}(\.\d{4})?$")
REQUIRED_COLUMNS = ("code", "level", "name", "parent_code")


class ClassifierImportError(ValueError):
    """The file cannot be imported; nothing was changed."""


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


@dataclass(frozen=True)
class _Row:
    code: str
    level: int
    name: str
    parent_code: str


def _parse(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ClassifierImportError(f"в файле нет столбцов: {', '.join(missing)}")
    rows: list[_Row] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line_no, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = " ".join((raw.get("name") or "").split())
        parent = (raw.get("parent_code") or "").strip()
        level_raw = (raw.get("level") or "").strip()
        if not CODE_RE.match(code):
            errors.append(f"строка {line_no}: неверный код {code!r}")
            continue
        if not level_raw.isdigit() or not 1 <= int(level_raw) <= 5:
            errors.append(f"строка {line_no}: неверный уровень {level_raw!r}")
            continue
        if not name:
            errors.append(f"строка {line_no}: пустое наименование")
            continue
        if code in seen:
            errors.append(f"строка {line_no}: код {code} повторяется")
            continue
        if parent and not CODE_RE.match(parent):
            errors.append(f"строка {line_no}: неверный код родителя {parent!r}")
            continue
        seen.add(code)
        rows.append(_Row(code=code, level=int(level_raw), name=name, parent_code=parent))
    for row in rows:
        if row.parent_code and row.parent_code not in seen:
            errors.append(f"код {row.code}: родитель {row.parent_code} отсутствует в файле")
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n… и ещё {len(errors) - 20}" if len(errors) > 20 else ""
        raise ClassifierImportError(f"файл не загружен, ошибок: {len(errors)}\n{shown}{more}")
    if not rows:
        raise ClassifierImportError("файл не содержит ни одного кода")
    return rows


def read_classifier_file(path: Path) -> str:
    """Read the file as UTF-8 (with or without BOM), falling back to cp1251."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ClassifierImportError("файл не в кодировке UTF-8 или Windows-1251")


@transaction.atomic
def classifier_import(*, text: str, deactivate_missing: bool = False) -> ImportReport:
    """Create or update the codes of the file; idempotent. Validates everything before writing."""
    rows = _parse(text)
    report = ImportReport()
    existing = {e.code: e for e in ClassifierEntry.objects.all()}
    # Parents come before children once sorted by level, so every parent exists when needed.
    for row in sorted(rows, key=lambda r: (r.level, r.code)):
        parent = existing.get(row.parent_code) if row.parent_code else None
        entry = existing.get(row.code)
        if entry is None:
            entry = ClassifierEntry.objects.create(
                code=row.code, level=row.level, name=row.name, parent=parent, section=row.code[:4], is_active=True
            )
            existing[row.code] = entry
            report.created.append(row.code)
            continue
        changes = {
            "level": row.level,
            "name": row.name,
            "parent_id": parent.pk if parent else None,
            "is_active": True,
        }
        dirty = [f for f, v in changes.items() if getattr(entry, f) != v]
        if dirty:
            for f in dirty:
                setattr(entry, f, changes[f])
            entry.save(update_fields=dirty)
            report.updated.append(row.code)
        else:
            report.unchanged += 1
    if deactivate_missing:
        in_file = {r.code for r in rows}
        stale = [code for code, e in existing.items() if code not in in_file and e.is_active]
        ClassifierEntry.objects.filter(code__in=stale).update(is_active=False)
        report.deactivated.extend(sorted(stale))
    return report


def entries_by_codes(codes: Iterable[str]) -> dict[str, ClassifierEntry]:
    return {e.code: e for e in ClassifierEntry.objects.filter(code__in=list(codes))}
