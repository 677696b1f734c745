"""File import: mapping saved per source, preview, row report, idempotent re-import, streaming."""

import json
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from appeals.models import Appeal
from intake.choices import ItemStatus
from intake.imports import import_file, map_row, mapping_save, preview, read_rows
from intake.models import ImportMapping, IncomingItem

POS_CSV = (
    "Номер;Дата;Текст;Тема;ФИО;Почта\r\n"
    "П-1;05.03.2026 10:30;Не убран снег на тротуаре у дома 8.;Снег;Белова Анна Сергеевна;belova@example.org\r\n"
    'П-2;06.03.2026;"Протекает крыша, квартира 12; прошу отремонтировать.";Крыша;Гусев Олег;\r\n'
    "П-3;07.03.2026;;Пусто;Никто;\r\n"
    "П-4;31.02.2026;Текст с неверной датой.;Дата;Сомов Иван;\r\n"
)


@pytest.fixture
def pos_file(tmp_path: Path) -> Path:
    path = tmp_path / "pos.csv"
    path.write_bytes(POS_CSV.encode("cp1251"))  # what a Russian spreadsheet program writes
    return path


def _pos_mapping() -> ImportMapping:
    return mapping_save(
        source="pos",
        channel="epgu",
        columns={"text": "Текст", "summary": "Тема", "full_name": "ФИО", "email": "Почта", "received_at": "Дата"},
        id_column="Номер",
    )


@pytest.mark.django_db
def test_csv_import_reports_bad_rows_and_is_idempotent(cast, pos_file, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    mapping = _pos_mapping()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_file(pos_file, mapping)
    assert (report.total, report.new, report.invalid) == (4, 2, 2)
    assert report.errors == [(4, "Нет текста обращения."), (5, "дата поступления «31.02.2026» не распознана")]
    item = IncomingItem.objects.get(source_id="pos:П-1")
    assert item.status == ItemStatus.REGISTERED, item.error
    assert item.appeal.received_at.isoformat() == "2026-03-05T07:30:00+00:00"  # Moscow 10:30
    assert item.appeal.summary == "Снег"
    again = import_file(pos_file, mapping)
    assert (again.new, again.repeated, again.invalid) == (0, 2, 2)
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_missing_columns_are_named_before_anything_is_imported(cast, pos_file) -> None:  # type: ignore[no-untyped-def]
    mapping = mapping_save(source="pos", channel="epgu", columns={"text": "Обращение"})
    with pytest.raises(ValidationError, match="нет столбцов: Обращение"):
        import_file(pos_file, mapping)
    assert not IncomingItem.objects.exists()
    with pytest.raises(ValidationError, match="Неизвестные поля: colour"):
        mapping_save(source="pos", channel="epgu", columns={"text": "Текст", "colour": "Цвет"})


@pytest.mark.django_db
def test_preview_changes_nothing(cast, pos_file) -> None:  # type: ignore[no-untyped-def]
    rows = preview(pos_file, _pos_mapping())
    assert rows[0][0] == 2 and rows[0][1]["applicant"]["email"] == "belova@example.org"
    assert rows[2] == (4, None, "Нет текста обращения.")
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_xlsx_and_json_lines(cast, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text", "phone"])
    sheet.append([101, "Нет горячей воды в доме 4.", "+7 911 000-11-22"])
    sheet.append([None, None, None])
    sheet.append([102, "Яма на дороге у остановки.", None])
    xlsx = tmp_path / "sstu.xlsx"
    book.save(xlsx)
    mapping = mapping_save(source="sstu", channel="sstu", columns={"text": "text", "phone": "phone"}, id_column="id")
    report = import_file(xlsx, mapping)
    assert (report.total, report.new, report.invalid) == (2, 2, 0)
    assert IncomingItem.objects.filter(source_id="sstu:101").exists()

    jsonl = tmp_path / "old.jsonl"
    jsonl.write_text(
        json.dumps({"body": "Прошу спилить аварийное дерево."}, ensure_ascii=False) + "\n{broken\n",
        encoding="utf-8",
    )
    old = mapping_save(source="old", channel="edms", columns={"text": "body"})  # no id column: content hash
    report = import_file(jsonl, old)
    assert (report.new, report.invalid) == (1, 1) and report.errors[0][0] == 2
    assert IncomingItem.objects.get(channel="edms").source_id.startswith("old:sha256:")
    assert import_file(jsonl, old).repeated == 1


@pytest.mark.django_db
def test_command_saves_the_mapping_for_reuse(cast, pos_file, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="нет сохранённого сопоставления"):
        call_command("import_file", str(pos_file), source="pos")
    call_command(
        "import_file",
        str(pos_file),
        source="pos",
        channel="epgu",
        map=["text=Текст", "summary=Тема", "full_name=ФИО", "received_at=Дата"],
        id_column="Номер",
        report=tmp_path / "errors.csv",
    )
    captured = capsys.readouterr()
    assert "новых: 2" in captured.out and "с ошибками: 2" in captured.out
    assert "4/4 строк" in captured.err  # the progress bar
    assert "строка,причина" in (tmp_path / "errors.csv").read_text(encoding="utf-8")
    call_command("import_file", str(pos_file), source="pos")  # the saved mapping
    assert "уже импортированных раньше: 2" in capsys.readouterr().out


def test_a_hundred_thousand_rows_stream_in_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,text\n")
        for i in range(100_000):
            out.write(f"{i},Обращение номер {i}: прошу отремонтировать освещение во дворе дома {i % 300}.\n")
    mapping = ImportMapping(source="big", channel="edms", columns={"text": "text"}, id_column="id")
    tracemalloc.start()
    count = 0
    for row in read_rows(path):
        map_row(mapping, row)
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 100_000
    assert path.stat().st_size > 10 * 1024 * 1024
    assert peak < 5 * 1024 * 1024  # the file is over 10 MB; reading never holds it
