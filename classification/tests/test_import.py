"""Import of the official thematic classifier."""

import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from classification.models import ClassifierEntry
from classification.services import ClassifierImportError, classifier_import

STARTER = Path(__file__).resolve().parents[1] / "fixtures" / "starter_classifier.csv"
OFFICIAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "classifier" / "thematic_classifier.csv"

SMALL = """code,level,name,parent_code
0003.0000.0000.0000,1,Экономика,
0003.0009.0000.0000,2,Хозяйственная деятельность,0003.0000.0000.0000
0003.0009.0097.0000,3,Градостроительство и архитектура,0003.0009.0000.0000
0003.0009.0097.0690,4,Уличное освещение,0003.0009.0097.0000
"""


@pytest.mark.django_db
def test_import_builds_tree_and_is_idempotent() -> None:
    report = classifier_import(text=SMALL)
    assert len(report.created) == 4
    leaf = ClassifierEntry.objects.get(code="0003.0009.0097.0690")
    assert leaf.parent.code == "0003.0009.0097.0000" and leaf.section == "0003" and leaf.level == 4
    again = classifier_import(text=SMALL)
    assert not again.changed and again.unchanged == 4


@pytest.mark.django_db
def test_import_reports_renames_and_deactivates_missing() -> None:
    classifier_import(text=SMALL)
    renamed = SMALL.replace("Уличное освещение", "Уличное  освещение и подсветка")
    report = classifier_import(text=renamed)
    assert report.updated == ["0003.0009.0097.0690"]
    assert ClassifierEntry.objects.get(code="0003.0009.0097.0690").name == "Уличное освещение и подсветка"
    shorter = "\n".join(SMALL.splitlines()[:3]) + "\n"
    report = classifier_import(text=shorter, deactivate_missing=True)
    assert report.deactivated == ["0003.0009.0097.0000", "0003.0009.0097.0690"]
    assert not ClassifierEntry.objects.get(code="0003.0009.0097.0690").is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,name\n1,x\n", "нет столбцов"),
        ("code,level,name,parent_code\n0003.0000,1,x,\n", "неверный код"),
        ("code,level,name,parent_code\n0003.0000.0000.0000,9,x,\n", "неверный уровень"),
        ("code,level,name,parent_code\n0003.0000.0000.0000,1,,\n", "пустое наименование"),
        ("code,level,name,parent_code\n0003.0009.0000.0000,2,x,0003.0000.0000.0000\n", "отсутствует в файле"),
        (SMALL + "0003.0009.0097.0690,4,Дубль,0003.0009.0097.0000\n", "повторяется"),
        ("code,level,name,parent_code\n", "ни одного кода"),
    ],
)
def test_bad_files_change_nothing(text: str, message: str) -> None:
    with pytest.raises(ClassifierImportError, match=message):
        classifier_import(text=text)
    assert not ClassifierEntry.objects.exists()


@pytest.mark.django_db
def test_command_with_starter_file(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_classifier", str(STARTER))
    assert "Добавлено: 71" in capsys.readouterr().out
    call_command("import_classifier", str(STARTER))
    assert "уже актуален" in capsys.readouterr().out
    assert ClassifierEntry.objects.filter(level=1).count() == 5


@pytest.mark.django_db
def test_command_refuses_missing_and_cp1251_broken_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="не найден"):
        call_command("import_classifier", str(tmp_path / "nope.csv"))
    cp1251 = tmp_path / "cp1251.csv"
    cp1251.write_bytes(SMALL.encode("cp1251"))
    call_command("import_classifier", str(cp1251))
    assert ClassifierEntry.objects.get(code="0003.0000.0000.0000").name == "Экономика"


@pytest.mark.django_db
def test_official_classifier_file_imports() -> None:
    if not OFFICIAL.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{OFFICIAL} must exist under CI")
        pytest.skip("../shared/data is not present")
    call_command("import_classifier", str(OFFICIAL))
    assert ClassifierEntry.objects.count() == 2108
    assert ClassifierEntry.objects.filter(level=1).count() == 5
    assert ClassifierEntry.objects.filter(level=4, parent__isnull=True).count() == 0
