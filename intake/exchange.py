"""The exchange folder, for document-management systems without an API. The system drops into
`<OTKLIK_EXCHANGE_DIR>/inbox/` a manifest — Otklik's JSON document, a small XML or an .eml
letter — with the attachment files the manifest names beside it. Each manifest is received
through the entry service; the manifest and its files then move to `done/` or, when they cannot
be read, to `failed/` with `<name>.reason.txt`. Write files under a temporary name (a leading
dot or a `.part` / `.tmp` ending) and rename them when complete: those are not touched.

XML shape: <appeal id="…"><text>…</text><summary>…</summary><addressee>…</addressee>
<applicant><surname>…</surname><first_name>…</first_name><email>…</email>…</applicant>
<attachment file="scan.pdf"/></appeal>; the JSON manifest is the document of `parsers.py`
with "id" and "files": ["scan.pdf", …]."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from intake.choices import DOCUMENT_CONTENT_TYPE
from intake.mail import email_receive
from intake.parsers import APPLICANT_FIELDS, ParseError, document_bytes, parse_document
from intake.services import Receipt, item_receive

MANIFESTS = {".json", ".xml", ".eml"}
_IGNORED_SUFFIXES = (".part", ".tmp", ".reason.txt")


@dataclass
class ScanResult:
    new: int = 0
    repeated: int = 0
    failed: int = 0


def folders(root: Path) -> dict[str, Path]:
    paths = {name: root / name for name in ("inbox", "done", "failed", "outbox")}
    for path in paths.values():
        path.mkdir(parents=True, exist_ok=True)
    return paths


def _safe_sibling(inbox: Path, name: str) -> Path:
    """A file named by a manifest: only a plain name inside the inbox."""
    if not name or Path(name).name != name or name.startswith("."):
        raise ParseError(f"Недопустимое имя файла вложения: «{name}».")
    path = inbox / name
    if not path.is_file():
        raise ParseError(f"Файл вложения «{name}» не найден рядом с описанием.")
    return path


def _read_json(path: Path) -> tuple[str, dict[str, Any], list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ParseError(f"Описание не читается как JSON в UTF-8: {exc}.") from None
    if not isinstance(data, dict):
        raise ParseError("Описание JSON должно быть объектом.")
    files = data.pop("files", []) or []
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ParseError("Поле «files» должно быть списком имён файлов.")
    return str(data.pop("id", "") or ""), data, files


def _text(element: ET.Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""


def _read_xml(path: Path) -> tuple[str, dict[str, Any], list[str]]:
    raw = path.read_bytes()
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise ParseError("XML с DTD или сущностями не принимается.")
    try:
        root = ET.fromstring(raw)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as exc:
        raise ParseError(f"XML не читается: {exc}.") from None
    if root.tag != "appeal":
        raise ParseError(f"Ожидается корневой элемент <appeal>, а не <{root.tag}>.")
    document: dict[str, Any] = {}
    for name in ("text", "summary", "addressee", "kind"):
        if value := _text(root.find(name)):
            document[name] = value
    applicant_element = root.find("applicant")
    if applicant_element is not None:
        applicant = {child.tag: _text(child) for child in applicant_element if _text(child)}
        unknown = set(applicant) - APPLICANT_FIELDS
        if unknown:
            raise ParseError(f"Неизвестные поля заявителя: {', '.join(sorted(unknown))}.")
        document["applicant"] = applicant
    files = [a.get("file", "") for a in root.findall("attachment")]
    return root.get("id", "").strip(), document, files


def _receive(path: Path, inbox: Path, received_at: dt.datetime) -> tuple[Receipt, list[Path]]:
    if path.suffix.lower() == ".eml":
        return email_receive(path.read_bytes(), received_at=received_at), []
    source_id, document, names = (_read_json if path.suffix.lower() == ".json" else _read_xml)(path)
    attachments = [_safe_sibling(inbox, name) for name in names]
    if attachments:
        document["attachments"] = [
            {"name": f.name, "content_base64": base64.b64encode(f.read_bytes()).decode()} for f in attachments
        ]
    payload = document_bytes(document)
    parse_document(payload)  # a manifest that cannot become an appeal goes to failed/ at once
    receipt = item_receive(
        channel=settings.OTKLIK_EXCHANGE_CHANNEL,
        source_id=f"exchange:{source_id or 'sha256:' + hashlib.sha256(payload).hexdigest()}",
        payload=payload,
        content_type=DOCUMENT_CONTENT_TYPE,
        headers={"exchange_file": path.name},
        received_at=received_at,
        title=str(document.get("summary", ""))[:300],
    )
    return receipt, attachments


def _move(files: list[Path], target: Path) -> None:
    day = target / timezone.localdate().isoformat()
    day.mkdir(parents=True, exist_ok=True)
    for f in files:
        destination = day / f.name
        if destination.exists():
            destination = day / f"{f.stem}-{timezone.now():%H%M%S%f}{f.suffix}"
        shutil.move(str(f), destination)


def scan(root: Path) -> ScanResult:
    """Receive every complete manifest in the inbox, oldest first."""
    paths = folders(root)
    inbox = paths["inbox"]
    result = ScanResult()
    manifests = [
        p
        for p in inbox.iterdir()
        if p.is_file()
        and p.suffix.lower() in MANIFESTS
        and not p.name.startswith(".")
        and not p.name.endswith(_IGNORED_SUFFIXES)
    ]
    for path in sorted(manifests, key=lambda p: (p.stat().st_mtime, p.name)):
        received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        try:
            receipt, attachments = _receive(path, inbox, received_at)
        except (ParseError, ValidationError, OSError) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            result.failed += 1
            _move([path], paths["failed"])
            moved = paths["failed"] / timezone.localdate().isoformat()
            (moved / f"{path.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
            continue
        if receipt.created:
            result.new += 1
        else:
            result.repeated += 1
        _move([path, *attachments], paths["done"])
    return result


def scan_configured() -> ScanResult | None:
    if not settings.OTKLIK_EXCHANGE_WATCH:
        return None
    return scan(Path(settings.OTKLIK_EXCHANGE_DIR))
