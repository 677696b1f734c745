"""Exchange folder: JSON, XML and .eml manifests with their files; done/ and failed/ with reasons."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from appeals.choices import Channel
from appeals.models import Appeal
from intake.choices import ItemStatus
from intake.exchange import scan
from intake.models import IncomingItem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
XML = """<?xml version="1.0" encoding="windows-1251"?>
<appeal id="СЭД-17">
  <text>Прошу проверить работу лифта в доме 9.</text>
  <summary>Лифт</summary>
  <applicant><surname>Зайцев</surname><first_name>Пётр</first_name><phone>+7 900 123-45-67</phone></applicant>
  <attachment file="акт.pdf"/>
</appeal>
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    return tmp_path


def _done(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "done").rglob("*") if p.is_file())


@pytest.mark.django_db
def test_json_xml_and_eml_manifests(cast, root, eml, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    inbox = root / "inbox"
    (inbox / "скан.pdf").write_bytes(PDF)
    doc = {"id": "42", "text": "Прошу убрать мусор у дома 1.", "files": ["скан.pdf"]}
    (inbox / "a.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (inbox / "акт.pdf").write_bytes(PDF)
    (inbox / "b.xml").write_bytes(XML.encode("cp1251"))
    (inbox / "c.eml").write_bytes(eml("cp1251_qp.eml"))
    (inbox / "d.json.part").write_text("{", encoding="utf-8")  # still being written
    with django_capture_on_commit_callbacks(execute=True):
        result = scan(root)
    assert (result.new, result.repeated, result.failed) == (3, 0, 0)
    assert _done(root) == sorted(["a.json", "скан.pdf", "b.xml", "акт.pdf", "c.eml"])
    assert [p.name for p in (root / "inbox").iterdir()] == ["d.json.part"]
    json_item = IncomingItem.objects.get(source_id="exchange:42")
    assert json_item.channel == Channel.EDMS and json_item.status == ItemStatus.REGISTERED, json_item.error
    assert json_item.appeal.attachments.get().original_name == "скан.pdf"
    xml_item = IncomingItem.objects.get(source_id="exchange:СЭД-17")
    assert xml_item.appeal.summary == "Лифт"
    assert xml_item.appeal.applicants.get().surname == "Зайцев"
    assert IncomingItem.objects.get(channel=Channel.EMAIL).appeal is not None
    # The same manifest dropped again is recognised, moved to done/, and adds nothing.
    (inbox / "a.json").write_text(json.dumps({**doc, "files": []}, ensure_ascii=False), encoding="utf-8")
    assert scan(root).repeated == 1
    assert Appeal.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bad.json", b"{not json", "не читается как JSON"),
        ("missing.json", json.dumps({"text": "Текст", "files": ["нет.pdf"]}).encode(), "не найден"),
        ("escape.json", json.dumps({"text": "Текст", "files": ["../secret.pdf"]}).encode(), "Недопустимое имя"),
        ("empty.json", json.dumps({"text": ""}).encode(), "Нет текста"),
        ("bomb.xml", b'<!DOCTYPE a [<!ENTITY x "y">]><appeal><text>&x;</text></appeal>', "DTD"),
        ("other.xml", b"<letter><text>x</text></letter>", "<appeal>"),
    ],
)
def test_unreadable_manifests_go_to_failed_with_reason(cast, root, name, content, reason) -> None:  # type: ignore[no-untyped-def]
    (root / "inbox" / name).write_bytes(content)
    result = scan(root)
    assert result.failed == 1
    [kept] = [p for p in (root / "failed").rglob(name)]
    assert kept.read_bytes() == content
    assert reason in (kept.parent / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_command(cast, root, capsys) -> None:  # type: ignore[no-untyped-def]
    (root / "inbox" / "a.json").write_text(json.dumps({"text": "Прошу покрасить забор."}), encoding="utf-8")
    call_command("exchange_scan", dir=root)
    assert "Новых: 1" in capsys.readouterr().out
