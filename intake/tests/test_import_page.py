"""The import page: preview, run with progress and the row report, access."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appeals.models import Appeal
from intake.models import ImportMapping, ImportRun

CSV = "Номер;Текст;ФИО\nS-1;Прошу починить качели во дворе.;Орлова Вера\nS-2;;Пустой\nS-3;Прошу вывезти ветки после обрезки.;Ким Олег\n"


def _file() -> SimpleUploadedFile:
    return SimpleUploadedFile("sstu.csv", CSV.encode("utf-8"), content_type="text/csv")


FORM = {"source": "sstu", "channel": "sstu", "id_column": "Номер", "columns": "text=Текст\nfull_name=ФИО"}


@pytest.mark.django_db
def test_preview_then_import_with_report(cast, login, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    page = client.post(reverse("intake:import"), {**FORM, "file": _file(), "preview": "1"}).content.decode()
    assert "Прошу починить качели" in page and "Нет текста обращения." in page
    assert not ImportMapping.objects.exists() and not ImportRun.objects.exists()  # a preview stores nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:import"), {**FORM, "file": _file(), "run": "1"})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:import_run", args=[run.pk])
    assert (run.status, run.total, run.done, run.new, run.invalid) == ("done", 3, 3, 2, 1)
    assert run.errors == [[3, "Нет текста обращения."]]
    progress = client.get(reverse("intake:import_run", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in progress and "Нет текста обращения." in progress and "hx-trigger" not in progress
    assert ImportMapping.objects.get(source="sstu").id_column == "Номер"
    # The saved mapping is reused when no columns are given; the rows are recognised.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:import"), {"source": "sstu", "channel": "sstu", "file": _file(), "run": "1"})
    assert ImportRun.objects.order_by("-pk").first().repeated == 2
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
def test_new_source_needs_a_mapping_and_missing_columns_are_named(cast, login) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    response = client.post(reverse("intake:import"), {"source": "x", "channel": "edms", "file": _file(), "run": "1"})
    assert response.status_code == 400 and "укажите сопоставление" in response.content.decode()
    response = client.post(
        reverse("intake:import"), {**FORM, "columns": "text=Обращение", "file": _file(), "preview": "1"}
    )
    assert "нет столбцов: Обращение" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "executor", "controller"])
def test_import_is_for_operators(cast, login, who) -> None:  # type: ignore[no-untyped-def]
    assert login(getattr(cast, who)).get(reverse("intake:import")).status_code == 403
