"""Paper letters: scans recognised by Tesseract, checked by the operator beside the pages, registered."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.timezone import localtime

from appeals.models import Appeal
from intake import ocr, scans
from intake.choices import ItemStatus
from intake.models import IncomingItem, ScanPage
from intake.services import item_retry
from intake.tests import scans as samples
from intake.tests.scans import LETTER, needs_ocr
from people.models import Applicant

UPLOAD = {"channel": "post", "received_at": "2026-03-02T10:00"}


def _upload(client, name: str, content: bytes, **extra):  # type: ignore[no-untyped-def]
    return client.post(reverse("intake:scan_upload"), {**UPLOAD, **extra, "file": SimpleUploadedFile(name, content)})


def _check_data(**changes: object) -> dict[str, object]:
    return {
        "kind": "appeal",
        "applicant_kind": "person",
        "surname": "Смирнова",
        "first_name": "Анна",
        "patronymic": "Петровна",
        "postal_address": "ул. Садовая, д. 5, кв. 12",
        "text": "Прошу отремонтировать крышу нашего дома, после дождей протекает потолок в подъезде.",
        "qtype": "statement",
        **changes,
    }


# --- recognition of real pixels ---------------------------------------------------------------


@needs_ocr
def test_tesseract_reads_cyrillic_letter_from_png() -> None:
    pages = ocr.recognise_scan("письмо.png", samples.png(LETTER))
    assert len(pages) == 1
    text = pages[0].text.lower()
    for word in ("администрации", "смирновой", "садовая", "отремонтировать", "крышу", "потолок", "подъезде"):
        assert word in text
    assert pages[0].preview.startswith(b"\xff\xd8\xff")  # a JPEG to show beside the text
    assert (pages[0].width, pages[0].height) == samples.page(LETTER).size


@needs_ocr
def test_pdf_scan_every_page_rendered_and_read() -> None:
    content = samples.pdf(
        [["Первая страница письма", "про уличное освещение"], ["Вторая страница", "подпись заявителя"]]
    )
    pages = ocr.recognise_scan("scan.pdf", content)
    assert [p.number for p in pages] == [1, 2]
    assert "освещение" in pages[0].text.lower() and "подпись" in pages[1].text.lower()
    assert "подпись" not in pages[0].text.lower()
    # 200-dpi pages rendered at OTKLIK_OCR_DPI (300): one and a half times the drawn size.
    assert pages[0].width == pytest.approx(1400 * 300 / 200, abs=2)


@needs_ocr
def test_multipage_tiff_every_frame_read() -> None:
    content = samples.tiff(
        [["Страница один", "жалоба на шум"], ["Страница два", "просьба"], ["Страница три", "спасибо"]]
    )
    pages = ocr.recognise_scan("scan.tiff", content)
    assert len(pages) == 3
    assert "шум" in pages[0].text.lower() and "просьба" in pages[1].text.lower() and "спасибо" in pages[2].text.lower()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("scan.pdf", b"", "пустой"),
        ("scan.pdf", "Это не скан, а текст".encode(), "принимается в PDF, JPEG, PNG или TIFF"),
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 60, "исполняемые файлы"),
        ("scan.pdf", samples.encrypted_pdf(), "паролем"),
        ("scan.pdf", b"%PDF-1.4\n%broken", "PDF повреждён"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "Изображение повреждено"),
    ],
)
def test_what_is_not_a_readable_scan_is_refused_with_the_reason(name: str, content: bytes, reason: str) -> None:
    with pytest.raises(ValidationError) as exc:
        ocr.inspect_scan(name, content)
    assert reason in " ".join(exc.value.messages)


def test_too_many_pages_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_SCAN_MAX_PAGES = 2
    with pytest.raises(ValidationError, match="не больше 2"):
        ocr.inspect_scan("scan.tif", samples.tiff([["а"], ["б"], ["в"]]))
    assert ocr.inspect_scan("scan.tif", samples.tiff([["а"], ["б"]])).pages == 2


def test_prefill_takes_the_applicant_from_the_header_and_contacts() -> None:
    text = "\n".join(LETTER)
    found = scans.scan_prefill(text)
    assert (found["surname"], found["first_name"], found["patronymic"]) == ("Смирнова", "Анна", "Петровна")
    assert found["postal_address"] == "ул. Садовая, д. 5, кв. 12"
    assert found["phone"] == "+79123456789"
    assert found["text"] == text
    assert "surname" not in scans.scan_prefill("Прошу починить фонарь у дома.")


# --- the operator's flow ------------------------------------------------------------------------


@needs_ocr
def test_upload_recognise_check_and_register(cast, login, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    content = samples.png(LETTER)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "письмо Смирновой.png", content)
    item = IncomingItem.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:scan", args=[item.pk])
    assert item.status == ItemStatus.RECOGNISED and item.channel == "post" and item.content_type == "image/png"
    assert item.source_id.startswith("scan:") and localtime(item.received_at).strftime("%d.%m %H:%M") == "02.03 10:00"
    assert ScanPage.objects.filter(item=item).count() == 1

    # The inbox offers the check; the page shows the image beside the text, prefilled.
    inbox = client.get(reverse("intake:inbox")).content.decode()
    assert "Проверить текст и зарегистрировать" in inbox
    html = client.get(reverse("intake:scan", args=[item.pk])).content.decode()
    assert reverse("intake:scan_page", args=[item.pk, 1]) in html
    assert "отремонтировать крышу" in html
    assert 'value="Смирнова"' in html and 'value="Анна"' in html and 'value="Петровна"' in html
    assert "Садовая" in html
    image = client.get(reverse("intake:scan_page", args=[item.pk, 1]))
    assert image["Content-Type"] == "image/jpeg" and b"".join(image.streaming_content).startswith(b"\xff\xd8")
    assert client.get(reverse("intake:scan_page", args=[item.pk, 2])).status_code == 404

    # The operator corrects and registers; the number is there at once.
    response = client.post(reverse("intake:scan", args=[item.pk]), _check_data(summary="Протекает крыша"))
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED and item.appeal == appeal
    assert item.checked["summary"] == "Протекает крыша"
    assert appeal.channel == "post" and appeal.registered_by == cast.operator.user
    assert appeal.received_at == item.received_at and appeal.summary == "Протекает крыша"
    applicant = appeal.signatories.get().applicant
    assert (applicant.surname, applicant.first_name) == ("Смирнова", "Анна")
    assert applicant.contacts.filter(kind="postal").exists()
    scan = appeal.attachments.get()
    assert scan.original_name == "письмо Смирновой.png"
    with scan.file.open("rb") as f:
        assert f.read() == content  # the scan itself, as received

    # A second click of the same form changes nothing.
    again = client.post(reverse("intake:scan", args=[item.pk]), _check_data(summary="Другое"))
    assert again.status_code == 302 and again["Location"] == appeal.get_absolute_url()
    assert Appeal.objects.count() == 1
    item.refresh_from_db()
    assert item.checked["summary"] == "Протекает крыша"


@needs_ocr
def test_pdf_upload_shows_every_page(cast, login, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "scan.pdf", samples.pdf([["Лист первый", "о ремонте дороги"], ["Лист второй", "подпись"]]))
    item = IncomingItem.objects.get()
    assert item.status == ItemStatus.RECOGNISED and item.headers["pages"] == 2
    html = client.get(reverse("intake:scan", args=[item.pk])).content.decode()
    assert "Страница 1 из 2" in html and "Страница 2 из 2" in html
    assert "ремонте дороги" in html and "подпись" in html


def test_same_scan_uploaded_twice_is_one_item(cast, login, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    client = login(cast.operator)
    content = samples.png(["Одно и то же письмо"])
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(client, "a.png", content)
        second = _upload(client, "копия.png", content)
    item = IncomingItem.objects.get()
    assert first["Location"] == second["Location"] == reverse("intake:scan", args=[item.pk])
    assert item.status == ItemStatus.RECEIVED
    # Not recognised yet: the page waits (htmx asks again) and offers no form.
    html = client.get(reverse("intake:scan", args=[item.pk])).content.decode()
    assert 'data-testid="scan-waiting"' in html and "scan-check-form" not in html
    poll = client.get(reverse("intake:scan", args=[item.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in poll.content.decode()
    response = client.post(reverse("intake:scan", args=[item.pk]), _check_data())
    assert "Скан ещё распознаётся" in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("пусто.pdf", b"", "пуст"),
        ("письмо.docx", "просто текст".encode(), "принимается в PDF, JPEG, PNG или TIFF"),
        ("secret.pdf", samples.encrypted_pdf(), "паролем"),
    ],
)
def test_bad_upload_refused_and_nothing_stored(cast, login, name: str, content: bytes, reason: str) -> None:  # type: ignore[no-untyped-def]
    response = _upload(login(cast.operator), name, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Скан не принят" in html and reason in html
    assert not IncomingItem.objects.exists() and not Appeal.objects.exists()


def test_too_many_pages_upload_refused(cast, login, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_SCAN_MAX_PAGES = 1
    response = _upload(login(cast.operator), "scan.tif", samples.tiff([["а"], ["б"]]))
    assert "страниц, принимается не больше 1" in response.content.decode()
    assert not IncomingItem.objects.exists()


@needs_ocr
def test_recognition_failure_kept_and_retried(cast, login, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_OCR_LANGUAGES = "xyz"  # no such language data: Tesseract refuses
    client = login(cast.operator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "a.png", samples.png(["Прошу помочь"]))
    item = IncomingItem.objects.get()
    assert item.status == ItemStatus.FAILED and "нет языковых данных Tesseract «xyz»" in item.error
    assert "Распознать заново" in client.get(reverse("intake:inbox")).content.decode()
    settings.OTKLIK_OCR_LANGUAGES = "rus"
    with django_capture_on_commit_callbacks(execute=True):
        item_retry(item=item, actor=cast.operator.user)
    item.refresh_from_db()
    assert item.status == ItemStatus.RECOGNISED and "помочь" in scans.scan_text(item).lower()


def _recognised_item(cast) -> IncomingItem:  # type: ignore[no-untyped-def]
    """A received scan with a recognised page (recognition itself is tested above)."""
    receipt = scans.scan_receive(name="a.png", content=samples.png(["Письмо"]), actor=cast.operator.user)
    item = receipt.item
    ScanPage.objects.create(item=item, number=1, text="Прошу починить крышу", width=10, height=10)
    IncomingItem.objects.filter(pk=item.pk).update(status=ItemStatus.RECOGNISED)
    item.refresh_from_db()
    return item


def test_check_form_errors_and_doubtful_applicant_register_nothing(cast, login) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import ApplicantFactory

    item = _recognised_item(cast)
    client = login(cast.operator)
    url = reverse("intake:scan", args=[item.pk])
    response = client.post(url, _check_data(text="  "))
    assert "Обращение не зарегистрировано" in response.content.decode()
    assert "Обязательное поле" in response.content.decode()
    response = client.post(url, _check_data(phone="12"))
    assert "Неверный номер телефона" in response.content.decode()
    ApplicantFactory(surname="Смирнова", first_name="Анна", patronymic="")
    response = client.post(url, _check_data(patronymic="", email="anna@example.org", postal_address=""))
    html = response.content.decode()
    assert "Похожий заявитель уже есть" in html and 'name="new_applicant"' in html
    item.refresh_from_db()
    assert item.status == ItemStatus.RECOGNISED and not item.checked and not Appeal.objects.exists()
    # The operator says this is another person: registered, the pair goes to the duplicates queue.
    response = client.post(
        url, _check_data(patronymic="", email="anna@example.org", postal_address="", new_applicant="on")
    )
    assert response.status_code == 302 and Appeal.objects.count() == 1 and Applicant.objects.count() == 2


def test_registration_failure_stays_in_inbox_with_the_reason(cast, login, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    item = _recognised_item(cast)
    client = login(cast.operator)

    def broken(*args: object, **kwargs: object) -> None:
        raise ValidationError("Нумератор органа не настроен.")

    monkeypatch.setattr("intake.services.appeals_register", broken)
    response = client.post(reverse("intake:scan", args=[item.pk]), _check_data())
    assert response.status_code == 200 and "Нумератор органа не настроен" in response.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED and item.error == "Нумератор органа не настроен."
    assert item.checked["applicant"]["surname"] == "Смирнова"
    assert not Appeal.objects.exists() and not Applicant.objects.exists()
    # Fixed: the page shows what was checked, and a retry from the inbox registers it.
    monkeypatch.undo()
    html = client.get(reverse("intake:scan", args=[item.pk])).content.decode()
    assert "Нумератор органа не настроен" in html and 'value="Смирнова"' in html
    item = item_retry(item=item, actor=cast.operator.user)
    from intake.services import item_register

    item = item_register(item_id=item.pk)
    assert item.status == ItemStatus.REGISTERED and item.appeal.registered_by == cast.operator.user
    assert item.appeal.attachments.get().original_name == "a.png"


@pytest.mark.parametrize("who", ["executor", "head"])
def test_scans_only_for_intake_staff(cast, login, who: str) -> None:  # type: ignore[no-untyped-def]
    item = _recognised_item(cast)
    client = login(getattr(cast, who))
    assert client.get(reverse("intake:scan_upload")).status_code == 403
    assert client.get(reverse("intake:scan", args=[item.pk])).status_code == 403
    assert client.get(reverse("intake:scan_page", args=[item.pk, 1])).status_code == 403


def test_controller_sees_the_scan_but_cannot_register(cast, login) -> None:  # type: ignore[no-untyped-def]
    item = _recognised_item(cast)
    client = login(cast.controller)
    html = client.get(reverse("intake:scan", args=[item.pk])).content.decode()
    assert "Прошу починить крышу" in html and "scan-check-form" not in html
    assert client.post(reverse("intake:scan", args=[item.pk]), _check_data()).status_code == 403
    assert client.get(reverse("intake:scan_upload")).status_code == 403
    with pytest.raises(Exception, match="оператор или администратор"):
        scans.scan_receive(name="b.png", content=samples.png(["x"]), actor=cast.controller.user)
    assert not Appeal.objects.exists()


def test_not_a_scan_has_no_scan_page(cast, login) -> None:  # type: ignore[no-untyped-def]
    from intake.parsers import document_bytes
    from intake.services import item_receive

    item = item_receive(
        channel="edms",
        source_id="x-1",
        payload=document_bytes({"text": "Текст"}),
        content_type="application/vnd.otklik.item+json",
        enqueue=False,
    ).item
    assert login(cast.operator).get(reverse("intake:scan", args=[item.pk])).status_code == 404


def test_stale_and_retried_scans_go_to_recognition_checked_ones_to_registration(
    cast, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.tasks import default_task_backend

    from core import clock
    from intake.services import items_requeue_stale

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        item = scans.scan_receive(name="a.png", content=samples.png(["Письмо"]), actor=cast.operator.user).item
    IncomingItem.objects.filter(pk=item.pk).update(updated_at=clock.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert items_requeue_stale() == 1
    paths = [r.task.module_path for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert paths == ["intake.tasks.recognise_scan", "intake.tasks.recognise_scan"]
    IncomingItem.objects.filter(pk=item.pk).update(status=ItemStatus.FAILED, checked={"text": "x"})
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        item_retry(item=item, actor=cast.operator.user)
    assert default_task_backend.results[-1].task.module_path == "intake.tasks.register_incoming"  # type: ignore[attr-defined]
