"""File import of other systems' exports (ПОС, ССТУ.РФ, old registries): CSV, XLSX, JSON Lines
or a JSON array. Rows are read one at a time, mapped by the source's saved column mapping,
checked, and each valid row goes through `item_receive` like any channel — the row's id (or the
digest of its content) is the source id, so importing the same file again adds nothing."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.choices import Channel
from intake.attachments import check_attachments
from intake.choices import DOCUMENT_CONTENT_TYPE
from intake.models import ImportMapping
from intake.parsers import APPLICANT_FIELDS, ParseError, document_bytes, parse_document
from intake.services import item_receive

# Fields a column can be mapped to: the document's own and the applicant's.
DOCUMENT_TARGETS = ("text", "summary", "kind", "addressee", "received_at")
TARGETS = (*DOCUMENT_TARGETS, *sorted(APPLICANT_FIELDS))
FORMATS = ("csv", "xlsx", "json", "jsonl")
MAX_ERRORS_KEPT = 1000


@dataclass
class ImportReport:
    total: int = 0
    new: int = 0
    repeated: int = 0
    invalid: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)

    def add_error(self, row: int, reason: str) -> None:
        self.invalid += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append((row, reason))


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix == "ndjson":
        return "jsonl"
    raise ValidationError(f"Формат файла «{path.name}» не распознан: нужен CSV, XLSX, JSON или JSON Lines.")


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the start decodes as such, otherwise windows-1251 —
    what Russian spreadsheet programs write."""
    with path.open("rb") as stream:
        head = stream.read(1 << 16)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a letter cut at the sample's end
            return "cp1251"
    return "utf-8"


def _rows_csv(path: Path) -> Iterator[dict[str, Any]]:
    encoding = _csv_encoding(path)
    with path.open("r", encoding=encoding, newline="") as stream:
        sample = stream.read(1 << 14)
        stream.seek(0)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(stream, dialect=dialect)
        try:
            yield from reader
        except UnicodeDecodeError:
            raise ValidationError(f"Файл не в кодировке {encoding}: строка {reader.line_num + 1}.") from None
        except csv.Error as exc:
            raise ValidationError(f"Файл CSV повреждён в строке {reader.line_num}: {exc}.") from None


def _rows_xlsx(path: Path) -> Iterator[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationError(f"Файл «{path.name}» не читается как книга Excel (XLSX).") from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = [str(h).strip() if h is not None else "" for h in header]
        for values in rows:
            if values is None or all(v is None or v == "" for v in values):
                continue
            yield {name: value for name, value in zip(names, values, strict=False) if name}
    finally:
        workbook.close()


def _rows_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("r", encoding="utf-8-sig") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                value = None
            # A broken line is reported as that row's error, not the whole file's.
            yield value if isinstance(value, dict) else {"__error__": f"строка {number} не является объектом JSON"}


def _rows_json(path: Path) -> Iterator[dict[str, Any]]:
    # A JSON array has to be read whole; exports of 100,000 rows should use JSON Lines or CSV.
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Файл «{path.name}» не читается как JSON в UTF-8: {exc}.") from None
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), None)
    if not isinstance(data, list):
        raise ValidationError("В файле JSON нет списка записей.")
    for value in data:
        yield value if isinstance(value, dict) else {"__error__": "запись не является объектом JSON"}


def read_rows(path: Path, fmt: str | None = None) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        raise ValidationError(f"Файл «{path}» не найден.")
    readers: dict[str, Callable[[Path], Iterator[dict[str, Any]]]] = {
        "csv": _rows_csv,
        "xlsx": _rows_xlsx,
        "json": _rows_json,
        "jsonl": _rows_jsonl,
    }
    return readers[fmt or detect_format(path)](path)


def count_rows(path: Path, fmt: str | None = None) -> int:
    """Rows in the file, read in one streaming pass (for the progress bar)."""
    return sum(1 for _ in read_rows(path, fmt))


def mapping_save(*, source: str, channel: str, columns: dict[str, str], id_column: str = "") -> ImportMapping:
    unknown = set(columns) - set(TARGETS)
    if unknown:
        raise ValidationError(f"Неизвестные поля: {', '.join(sorted(unknown))}. Возможные: {', '.join(TARGETS)}.")
    if "text" not in columns:
        raise ValidationError("Укажите столбец с текстом обращения: text=ИМЯ_СТОЛБЦА.")
    if channel not in Channel.values:
        raise ValidationError(f"Неизвестный канал: «{channel}».")
    mapping, _ = ImportMapping.objects.update_or_create(
        source=source, defaults={"channel": channel, "columns": columns, "id_column": id_column}
    )
    mapping.full_clean()
    return mapping


def check_header(mapping: ImportMapping, header: list[str]) -> None:
    """Columns the mapping needs but the file lacks — a clear error before any row is read."""
    present = set(header)
    needed = [*mapping.columns.values(), *([mapping.id_column] if mapping.id_column else [])]
    missing = [c for c in needed if c not in present]
    if missing:
        raise ValidationError(f"В файле нет столбцов: {', '.join(missing)}. Есть: {', '.join(header) or '—'}.")


def _parse_moment(text: str) -> dt.datetime:
    for fmt in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ParseError(f"дата поступления «{text[:40]}» не распознана") from None


def _received_at(value: Any) -> dt.datetime | None:
    """A receipt time from the export; a time without a zone is the body's local time."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else _parse_moment(str(value).strip())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@dataclass(frozen=True)
class MappedRow:
    source_id: str
    payload: bytes
    received_at: dt.datetime | None
    title: str


def map_row(mapping: ImportMapping, row: dict[str, Any]) -> MappedRow:
    """One row as Otklik's document; raises ParseError or ValidationError with the reason."""
    if "__error__" in row:
        raise ParseError(row["__error__"])
    document: dict[str, Any] = {}
    applicant: dict[str, str] = {}
    received_at = None
    for target, column in mapping.columns.items():
        value = row.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if target == "received_at":
            received_at = _received_at(value)
        elif target in APPLICANT_FIELDS:
            applicant[target] = str(value).strip()
        else:
            document[target] = str(value).strip()
    if applicant:
        document["applicant"] = applicant
    payload = document_bytes(document)
    parsed = parse_document(payload)  # the same checks registration will make
    check_attachments(parsed.attachments)
    if mapping.id_column:
        source_id = str(row.get(mapping.id_column) or "").strip()
        if not source_id:
            raise ParseError(f"пустой номер в столбце «{mapping.id_column}»")
    else:
        source_id = "sha256:" + hashlib.sha256(payload).hexdigest()
    return MappedRow(f"{mapping.source}:{source_id}", payload, received_at, document.get("summary", "")[:300])


def preview(
    path: Path, mapping: ImportMapping, *, limit: int = 10, fmt: str | None = None
) -> list[tuple[int, dict[str, Any] | None, str]]:
    """The first rows as they would be imported: (row number, document or None, error)."""
    shown: list[tuple[int, dict[str, Any] | None, str]] = []
    for number, row in _numbered(path, mapping, fmt):
        try:
            mapped = map_row(mapping, row)
        except (ParseError, ValidationError) as exc:
            shown.append((number, None, _reason(exc)))
        else:
            shown.append((number, json.loads(mapped.payload), ""))
        if len(shown) >= limit:
            break
    return shown


def _reason(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def _numbered(path: Path, mapping: ImportMapping, fmt: str | None) -> Iterator[tuple[int, dict[str, Any]]]:
    tabular = (fmt or detect_format(path)) in ("csv", "xlsx")
    # In a table the header is line 1, so the first record is line 2, as a spreadsheet shows it.
    for number, row in enumerate(read_rows(path, fmt), start=2 if tabular else 1):
        if tabular and number == 2:
            check_header(mapping, list(row))
        yield number, row


def import_file(
    path: Path,
    mapping: ImportMapping,
    *,
    fmt: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import every valid row; invalid rows are reported (row number, reason) and skipped.
    Rows imported before are recognised by their source id and not added again."""
    report = ImportReport()
    for number, row in _numbered(path, mapping, fmt):
        report.total += 1
        try:
            mapped = map_row(mapping, row)
            receipt = item_receive(
                channel=mapping.channel,
                source_id=mapped.source_id,
                payload=mapped.payload,
                content_type=DOCUMENT_CONTENT_TYPE,
                headers={"import": mapping.source, "row": number},
                received_at=mapped.received_at,
                title=mapped.title,
            )
        except (ParseError, ValidationError) as exc:
            report.add_error(number, _reason(exc))
        else:
            if receipt.created:
                report.new += 1
            else:
                report.repeated += 1
        if progress is not None:
            progress(report.total)
    return report


def report_csv(report: ImportReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["строка", "причина"])
    writer.writerows(report.errors)
    return buffer.getvalue()


# --- imports started from the web page ------------------------------------------------------------


def parse_mapping_lines(text: str) -> dict[str, str]:
    """«поле=столбец» per line, as typed on the import page."""
    columns: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        target, sep, column = line.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise ValidationError(f"Строка {number} сопоставления: нужно поле=столбец.")
        columns[target.strip()] = column.strip()
    return columns


def import_run_start(*, actor: Any, mapping: ImportMapping, upload: Any) -> Any:
    """Keep the uploaded file and queue its import; the page follows the run's progress."""
    from django.db import transaction

    from intake.models import ImportRun
    from intake.tasks import run_import

    name = Path(upload.name or "import").name
    detect_format(Path(name))
    run = ImportRun(mapping=mapping, original_name=name[:255], started_by=actor)
    run.file.save(name, upload, save=False)
    run.save()
    transaction.on_commit(lambda: run_import.enqueue(run_id=run.pk))
    return run


@contextmanager
def local_copy(stored: Any, *, suffix: str) -> Iterator[Path]:
    """A stored file (a FieldFile, whatever the storage: the filesystem, S3…) copied in chunks to
    a temporary local file, for readers that need a seekable file by name (openpyxl, two passes
    over a CSV); removed afterwards."""
    handle = tempfile.NamedTemporaryFile(prefix="otklik-import-", suffix=suffix, delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            try:
                source = stored.open("rb")
            except OSError:
                raise ValidationError("Файл импорта не найден в хранилище.") from None
            with source:
                for chunk in source.chunks():
                    handle.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _import_run(run: Any, path: Path, fmt: str) -> ImportReport:
    from intake.models import ImportRun

    total = count_rows(path, fmt)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, total=total)

    def progress(done: int) -> None:
        if done % 100 == 0 or done == total:
            ImportRun.objects.filter(pk=run.pk).update(done=done)

    return import_file(path, run.mapping, fmt=fmt, progress=progress)


def import_run_execute(*, run_id: int) -> Any:
    from intake.models import ImportRun

    run = ImportRun.objects.select_related("mapping").get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED:
        return run
    fmt = detect_format(Path(run.original_name))
    try:
        with local_copy(run.file, suffix=f".{fmt}") as path:
            report = _import_run(run, path, fmt)
    except ValidationError as exc:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, error=" ".join(exc.messages), finished_at=timezone.now()
        )
    else:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.DONE,
            done=report.total,
            new=report.new,
            repeated=report.repeated,
            invalid=report.invalid,
            errors=[list(e) for e in report.errors],
            finished_at=timezone.now(),
        )
    run.refresh_from_db()
    return run
