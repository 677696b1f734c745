"""Export of the registry to XLSX and CSV, streamed so that large lists do not exhaust memory."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from appeals.models import Appeal
from appeals.selectors import DeadlineMarker, with_list_relations

STATE_LABELS = {"overdue": "просрочено", "at_risk": "под угрозой", "ok": "в срок", "done": "исполнено"}


@dataclass(frozen=True)
class Column:
    title: str
    personal: bool = False


COLUMNS = [
    Column("Номер"),
    Column("Зарегистрировано"),
    Column("Поступило"),
    Column("Канал"),
    Column("Вид"),
    Column("Форма"),
    Column("Характер"),
    Column("Статус"),
    Column("Срок"),
    Column("Состояние срока"),
    Column("Вопросов"),
    Column("Коды классификатора"),
    Column("Подразделения"),
    Column("Исполнители"),
    Column("Заявители", personal=True),
    Column("Краткое содержание", personal=True),
]


def _rows(qs: QuerySet[Appeal], *, personal: bool, limit: int) -> Iterator[list[str]]:
    marker = DeadlineMarker()
    for appeal in with_list_relations(qs)[:limit].iterator(chunk_size=500):
        questions = list(appeal.questions.all())
        row = [
            appeal.number,
            timezone.localtime(appeal.registered_at).strftime("%d.%m.%Y %H:%M"),
            timezone.localtime(appeal.received_at).strftime("%d.%m.%Y %H:%M"),
            appeal.get_channel_display(),
            appeal.get_kind_display(),
            appeal.get_form_display(),
            appeal.get_character_display(),
            appeal.get_status_display(),
            appeal.due_date.strftime("%d.%m.%Y"),
            STATE_LABELS[marker.appeal(appeal)],
            str(len(questions)),
            "; ".join(q.classifier.code for q in questions if q.classifier),
            "; ".join(sorted({str(q.department) for q in questions if q.department})),
            "; ".join(sorted({q.executor.short_name for q in questions if q.executor})),
        ]
        if personal:
            row.append("; ".join(s.applicant.display_name for s in appeal.signatories.all()))
            row.append(appeal.summary)
        yield row


def header(*, personal: bool) -> list[str]:
    return [c.title for c in COLUMNS if personal or not c.personal]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(qs: QuerySet[Appeal], *, personal: bool, limit: int) -> Iterator[str]:
    """CSV with a BOM and semicolons, which is what Russian Excel opens correctly."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(header(personal=personal))
    for row in _rows(qs, personal=personal, limit=limit):
        yield writer.writerow(row)


def xlsx_file(qs: QuerySet[Appeal], *, personal: bool, limit: int) -> io.BufferedRandom:
    """An XLSX file written row by row (write-only mode) to a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обращения")
    sheet.append(header(personal=personal))
    for row in _rows(qs, personal=personal, limit=limit):
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it after streaming
    workbook.save(handle)
    handle.seek(0)
    return handle  # type: ignore[return-value]
