"""A paper letter from scan to registered appeal, in a real browser on a phone and a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appeals.models import Appeal
from intake.tests import scans as samples
from intake.tests.scans import LETTER, needs_ocr
from tests.browser.test_staff_ui import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_ocr]


def test_operator_registers_a_scanned_letter(live_server, page: Page, cast, screen: str) -> None:
    log_in(page, live_server.url, "operator")
    page.goto(live_server.url + "/intake/")
    page.get_by_role("main").get_by_role("link", name="Скан письма").click()
    form = page.get_by_test_id("scan-upload-form")
    # A Word file is not a scan: refused with the reason, nothing stored.
    form.get_by_label("Скан письма").set_input_files(
        {"name": "письмо.docx", "mimeType": "application/octet-stream", "buffer": "Не скан".encode()}
    )
    form.get_by_role("button", name="Загрузить и распознать").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Скан не принят")
    form = page.get_by_test_id("scan-upload-form")
    form.get_by_label("Скан письма").set_input_files(
        {"name": "письмо.png", "mimeType": "image/png", "buffer": samples.png(LETTER)}
    )
    form.get_by_role("button", name="Загрузить и распознать").click()
    expect(page.get_by_text("Скан принят")).to_be_visible()
    expect(page.get_by_role("img", name="Страница 1 скана")).to_be_visible()
    check = page.get_by_test_id("scan-check-form")
    expect(check.get_by_label("Текст обращения")).to_have_value(re.compile("крышу"))
    expect(check.get_by_label("Фамилия")).to_have_value("Смирнова")
    check.get_by_label("Краткое содержание").fill("Протекает крыша")
    page.screenshot(path=f"test-results/scan-check-{screen}.png", full_page=True)
    submit = check.get_by_role("button", name="Зарегистрировать")
    submit.scroll_into_view_if_needed()
    submit.click()
    expect(page.get_by_text("Обращение зарегистрировано под №")).to_be_visible()
    appeal = Appeal.objects.get()
    expect(page.get_by_test_id("appeal-number")).to_have_text(appeal.number)
    assert appeal.summary == "Протекает крыша" and appeal.attachments.get().original_name == "письмо.png"
