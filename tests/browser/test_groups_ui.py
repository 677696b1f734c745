"""Splitting an appeal and joining a group from the card, on a phone and a desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from grouping.tests.helpers import register
from tests.browser.test_staff_ui import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_accepts_the_split_and_joins_similar_questions(live_server, page: Page, cast, screen: str) -> None:
    register(cast, hours_ago=3)
    text = "Нет отопления в доме по ул. Ленина, д. 15, батареи холодные. Также во дворе яма на дороге, машины ломаются."
    appeal = register(cast, text=text)
    log_in(page, live_server.url, "operator")
    page.goto(live_server.url + appeal.get_absolute_url())
    expect(page.get_by_test_id("split-panel")).to_contain_text("Предложено вопросов: 2")
    with page.expect_navigation():
        page.get_by_role("button", name="Принять разбивку").click()
    expect(page.get_by_text("Разбивка на вопросы сохранена.")).to_be_visible()
    expect(page.get_by_test_id("question")).to_have_count(2)
    proposal = page.get_by_test_id("group-proposal").first
    expect(proposal).to_contain_text("1 похожий вопрос")
    button = proposal.get_by_role("button", name="Создать группу")
    button.scroll_into_view_if_needed()
    with page.expect_navigation():
        button.click()
    expect(page.get_by_test_id("group-link").first).to_be_visible()
    page.get_by_test_id("group-link").first.click()
    expect(page.get_by_test_id("group-members").get_by_role("listitem")).to_have_count(2)
    page.screenshot(path=f"test-results/group-{screen}.png", full_page=True)
