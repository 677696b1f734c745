"""`otklik dedup-eval FILE`."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROWS = """record_id,cluster_id,full_name,phone,email,postal_address,gosuslugi_id
1,a,Смирнова Анна Петровна,8 912 000-00-01,,"ул. Мира, 1-1",
2,b,Козлов Олег Ильич,,kozlov@ya.ru,,
3,a,СМИРНОВА АННА,+79120000001,,,
4,c,Орлова Вера Павловна,,,"ул. Садовая, 9",
5,b,Олег Ильич Козлов,,Kozlov@Yandex.ru,,
6,a,от Смирновой А. П.,,,"Мира ул, д. 1, кв. 1",
"""


def test_dedup_eval_prints_the_figures_and_the_summary_last(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    path.write_text(ROWS, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("dedup_eval", str(path), stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    assert re.fullmatch(r"f1=\d\.\d{3} autolink_precision=\d\.\d{3}", lines[-1])
    assert lines[-1] == "f1=1.000 autolink_precision=1.000"
    assert any(line.startswith("записей: 6, из них уже известных к моменту поступления: 3") for line in lines)
    assert "сопоставление [" in err.getvalue()


def test_dedup_eval_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="не найден"):
        call_command("dedup_eval", str(tmp_path / "absent.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nИванов\n", encoding="utf-8")
    with pytest.raises(CommandError, match="обязательных столбцов"):
        call_command("dedup_eval", str(bad))
    good = tmp_path / "good.csv"
    good.write_text(ROWS, encoding="utf-8")
    with pytest.raises(CommandError, match="порог"):
        call_command("dedup_eval", str(good), "--autolink", "1", "--propose", "5")
