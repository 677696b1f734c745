"""Files live in Django storage: the S3 option is built from the settings, and the whole path of
a letter, its attachments, an acknowledgement, a registered letter and a file import works on a
storage that has no local file path at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.urls import reverse

from intake import mail
from intake.choices import ItemStatus
from intake.models import ImportRun, IncomingItem

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.core.files.storage import default_storage as s
s._setup()
w = s._wrapped
out = {"backend": type(w).__module__ + "." + type(w).__name__}
if hasattr(w, "bucket_name"):
    client = w.connection.meta.client
    out.update(
        bucket=w.bucket_name, endpoint=client.meta.endpoint_url, region=client.meta.region_name,
        location=w.location, overwrite=w.file_overwrite, acl=w.default_acl,
        addressing=w.addressing_style, url=w.url("intake/2026/03/05/letter.eml"),
        key=client._request_signer._credentials.access_key,
    )
print(json.dumps(out))
"""


def _probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTKLIK_", "AWS_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="otklik.settings",
        OTKLIK_VAR_DIR=str(tmp_path),
        OTKLIK_SECRET_KEY="x" * 40,
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_filesystem_is_the_default(tmp_path: Path) -> None:
    done = _probe(tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["backend"] == "django.core.files.storage.filesystem.FileSystemStorage"


def test_s3_setting_builds_the_s3_backend(tmp_path: Path) -> None:
    done = _probe(
        tmp_path,
        OTKLIK_STORAGE="s3",
        OTKLIK_S3_BUCKET="otklik-files",
        OTKLIK_S3_ENDPOINT_URL="https://storage.example.ru",
        OTKLIK_S3_ACCESS_KEY="AKIDEXAMPLE",
        OTKLIK_S3_SECRET_KEY="secret-example",
        OTKLIK_S3_REGION="ru-central1",
        OTKLIK_S3_PREFIX="/city/",
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["backend"] == "storages.backends.s3.S3Storage"
    assert (found["bucket"], found["endpoint"], found["region"]) == (
        "otklik-files",
        "https://storage.example.ru",
        "ru-central1",
    )
    assert (found["location"], found["overwrite"], found["acl"], found["addressing"]) == ("city", False, None, "path")
    assert found["key"] == "AKIDEXAMPLE"
    # A private object: the link is signed, short-lived, on the configured endpoint, path-style.
    url = found["url"]
    assert url.startswith("https://storage.example.ru/otklik-files/city/intake/2026/03/05/letter.eml?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


def test_s3_without_a_bucket_is_refused_with_the_reason(tmp_path: Path) -> None:
    done = _probe(tmp_path, OTKLIK_STORAGE="s3")
    assert done.returncode != 0 and "OTKLIK_S3_BUCKET" in done.stderr
    done = _probe(tmp_path, OTKLIK_STORAGE="ftp")
    assert done.returncode != 0 and "OTKLIK_STORAGE" in done.stderr


@pytest.fixture
def pathless_storage(settings, monkeypatch):  # type: ignore[no-untyped-def]
    """Django's in-memory storage, and no local path for any stored file (as with S3): code that
    reaches for `FieldFile.path` instead of the storage API fails here."""
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    def no_path(self):  # type: ignore[no-untyped-def]
        raise NotImplementedError("This backend doesn't support absolute paths.")

    monkeypatch.setattr(FieldFile, "path", property(no_path))
    return default_storage


@pytest.mark.django_db
def test_intake_works_on_a_storage_without_paths(  # type: ignore[no-untyped-def]
    cast, login, eml, pathless_storage, smtp_sink, django_capture_on_commit_callbacks
) -> None:
    from letters.services import letter_issue, letter_prepare, letter_send

    raw = eml("koi8r_attachments.eml")
    with django_capture_on_commit_callbacks(execute=True):
        receipt = mail.email_receive(raw)
    item = IncomingItem.objects.get(pk=receipt.item.pk)
    assert item.status == ItemStatus.REGISTERED, item.error
    assert isinstance(pathless_storage._wrapped, InMemoryStorage)
    assert pathless_storage.exists(item.payload.name)
    client = login(cast.operator)
    payload = client.get(reverse("intake:payload", args=[item.pk]))
    assert b"".join(payload.streaming_content) == raw  # type: ignore[attr-defined]
    appeal = item.appeal
    assert appeal is not None
    attachment = appeal.attachments.get(original_name="акт.pdf")
    download = client.get(reverse("appeals:attachment", args=[appeal.pk, attachment.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert len(smtp_sink) == 1  # the acknowledgement

    # A registered letter: its PDF and DOCX are stored and attached to the e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        letter = letter_prepare(appeal=appeal, actor=cast.operator.user, situation="acknowledgement")
        letter = letter_issue(letter=letter, actor=cast.operator.user)
        letter_send(letter=letter, actor=cast.operator.user, channel="email")
    assert pathless_storage.exists(letter.pdf.name)
    assert len(smtp_sink) == 2

    # A file import started from the page: the task reads the kept file through the storage.
    csv = "Номер;Текст;ФИО\nS-1;Прошу починить качели во дворе.;Орлова Вера\n"
    upload = SimpleUploadedFile("sstu.csv", csv.encode(), content_type="text/csv")
    form = {"source": "sstu", "channel": "sstu", "id_column": "Номер", "columns": "text=Текст\nfull_name=ФИО"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("intake:import"), {**form, "file": upload, "run": "1"})
    run = ImportRun.objects.get()
    assert (run.status, run.new) == ("done", 1), run.error
