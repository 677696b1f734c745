"""Promises in a real browser: found in the typed answer, confirmed, approved, seen in the registry."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from appeals import services
from tests.browser.test_staff_ui import log_in, open_menu
from tests.factories import ApplicantFactory, make_appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_executor_confirms_a_found_promise(live_server, page: Page, cast, screen: str) -> None:
    appeal = make_appeal(body=cast.body, text="Разбита дорожка у дома 3", applicants=[ApplicantFactory()])
    services.question_assign(
        question=appeal.questions.get(), actor=cast.operator.user, department=None, executor=cast.executor
    )
    due = timezone.localdate() + dt.timedelta(days=45)
    log_in(page, live_server.url, "executor")
    page.goto(live_server.url + appeal.get_absolute_url())
    page.get_by_role("button", name="Подготовить ответ").click()
    page.get_by_label("Текст ответа по вопросу").fill(f"Ремонт дорожки будет выполнен в срок до {due:%d.%m.%Y}.")
    page.get_by_role("button", name="Найти обещания в тексте ответа").click()
    proposal = page.get_by_test_id("promise-proposal")
    expect(proposal).to_contain_text(f"{due:%d.%m.%Y}")
    confirm = proposal.get_by_role("button", name="Подтвердить")
    confirm.scroll_into_view_if_needed()
    with page.expect_navigation():
        confirm.click()
    expect(page.get_by_text("Обещание добавлено к ответу")).to_be_visible()
    expect(page.get_by_test_id("promise-draft")).to_have_count(1)
    open_menu(page, screen)
    page.get_by_role("link", name="Обещания").click()
    expect(page).to_have_url(re.compile(r"/promises/"))
    expect(page.get_by_text("Обещаний по этим условиям нет.")).to_be_visible()  # a draft is not given yet
