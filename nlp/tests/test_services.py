"""The gazetteer import and the analysis stored at registration."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from nlp.models import AppealAnalysis, GazetteerAddress
from nlp.services import gazetteer_import
from nlp.signals import SignalCode
from people.models import Applicant
from tests.factories import ApplicantFactory, ContactFactory, make_appeal

SMALL = (
    "address,lat,lon,n,district,street\n"
    '"г.Санкт-Петербург, улица Седова, дом 140, литера Е",59.8666,30.4467,3,Невский,улица Седова\n'
    '"г.Санкт-Петербург, Мебельная улица, дом 47, корпус 1, литера А",59.9943,30.1971,1,Приморский,Мебельная улица\n'
)


def test_import_command_replaces_and_bad_file_changes_nothing(db, tmp_path: Path, capsys) -> None:
    good = tmp_path / "g.csv"
    good.write_text(SMALL, encoding="utf-8")
    call_command("import_gazetteer", str(good))
    assert "Загружено адресов: 2 (районов: 2)" in capsys.readouterr().out
    call_command("import_gazetteer", str(good))
    assert GazetteerAddress.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(
        SMALL + '"г.Санкт-Петербург, улица Седова, дом 1",north,30.1,1,Невский,улица Седова\n', encoding="utf-8"
    )
    with pytest.raises(CommandError, match="строка 4: координаты не числа"):
        call_command("import_gazetteer", str(bad))
    assert GazetteerAddress.objects.count() == 2
    with pytest.raises(CommandError, match="не найден"):
        call_command("import_gazetteer", str(tmp_path / "none.csv"))


def test_real_gazetteer_imports(db, gazetteer_text) -> None:
    report = gazetteer_import(text=gazetteer_text)
    assert report.loaded == 8558 and report.districts == 18


def test_registration_stores_place_entities_and_signals(cast) -> None:
    gazetteer_import(text=SMALL)
    applicant = ApplicantFactory(surname="Петров", first_name="Иван", patronymic="Сергеевич")
    ContactFactory(applicant=applicant, kind="email", value="petrov@example.ru")
    appeal = make_appeal(
        body=cast.body,
        applicants=[applicant],
        text="Добрый день! Третий день не горит фонарь у дома 140 по улице Седова.\nС уважением, Петров И. С.",
    )
    analysis = AppealAnalysis.objects.get(appeal=appeal)
    assert analysis.district == "Невский" and analysis.place_precision == "house"
    assert analysis.body.startswith("Третий день")
    persons = analysis.data["persons"]
    assert persons and persons[0]["is_applicant"] is True
    assert analysis.data["dates"][0]["days"] == 3
    assert analysis.signal_codes == []


def test_anonymous_and_abusive_appeals_are_flagged(cast) -> None:
    nobody = Applicant.objects.create(first_name="Аноним")
    appeal = make_appeal(body=cast.body, applicants=[nobody], text="Вы там все идиоты, почините наконец дорогу")
    codes = set(AppealAnalysis.objects.get(appeal=appeal).signal_codes)
    assert codes == {SignalCode.OFFENSIVE, SignalCode.NO_SURNAME, SignalCode.NO_ADDRESS}
