"""The same staff functions on a 390 px phone and a 1366 px desktop, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from appeals import services
from appeals.models import Appeal
from tests.factories import PASSWORD, ApplicantFactory, make_appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(cast):
    fonar = make_appeal(
        body=cast.body, text="Не горит фонарь у дома 7 по ул. Садовой", applicants=[ApplicantFactory(surname="Смирнов")]
    )
    services.question_assign(
        question=fonar.questions.get(), actor=cast.operator.user, department=None, executor=cast.executor
    )
    for i in range(5):
        make_appeal(body=cast.body, text=f"Мусор во дворе дома {i}")
    return fonar


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Мои задачи")).to_be_visible()


def open_menu(page: Page, screen: str) -> None:
    if screen == "phone":
        page.get_by_role("button", name="Открыть меню").click()


def test_login_wrong_password(live_server, page: Page, cast) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Имя пользователя").fill("executor")
    page.get_by_label("Пароль").fill("wrong")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Неверное имя пользователя или пароль")).to_be_visible()


def test_executor_sees_task_and_opens_card(live_server, page: Page, data, screen: str) -> None:
    log_in(page, live_server.url, "executor")
    task = page.get_by_test_id("my-tasks").get_by_role("link").first
    expect(task).to_contain_text(data.number)
    task.click()
    expect(page.get_by_test_id("appeal-number")).to_have_text(data.number)
    expect(page.get_by_test_id("appeal-text")).to_contain_text("Не горит фонарь")
    expect(page.get_by_test_id("applicants")).to_contain_text("Смирнов")
    expect(page.get_by_test_id("timeline")).to_contain_text("Зарегистрировано")
    page.get_by_role("button", name="Подготовить ответ").click()
    page.get_by_label("Текст ответа по вопросу").fill("Фонарь заменён 05.03.")
    submit = page.get_by_role("button", name="На согласование")
    submit.scroll_into_view_if_needed()
    with page.expect_navigation():
        submit.click()
    expect(page.get_by_text("ответ отправлен на согласование")).to_be_visible()
    page.screenshot(path=f"test-results/card-{screen}.png", full_page=True)


def test_operator_filters_registry(live_server, page: Page, data, screen: str) -> None:
    log_in(page, live_server.url, "operator")
    open_menu(page, screen)
    page.get_by_role("link", name="Реестр").click()
    expect(page.get_by_test_id("registry-count")).to_contain_text("Найдено: 6")
    if screen == "phone":
        expect(page.get_by_test_id("registry-table")).to_be_hidden()
        page.get_by_role("button", name="Фильтры").click()
    page.get_by_label("Поиск").fill("фонарь")
    page.get_by_role("button", name="Найти").click()
    expect(page.get_by_test_id("registry-count")).to_contain_text("Найдено: 1")
    results = page.get_by_test_id("registry-cards" if screen == "phone" else "registry-table")
    expect(results).to_contain_text(data.number)
    page.screenshot(path=f"test-results/registry-{screen}.png", full_page=True)
    results.get_by_role("link").filter(has_text=data.number).first.click()
    expect(page.get_by_test_id("appeal-number")).to_have_text(data.number)


def test_operator_registers_new_appeal(live_server, page: Page, cast, screen: str) -> None:
    log_in(page, live_server.url, "operator")
    open_menu(page, screen)
    page.get_by_role("link", name="Зарегистрировать").click()
    form = page.get_by_test_id("register-form")
    form.get_by_label("Канал поступления").select_option("personal")
    # Submitting without text shows a clear error and registers nothing.
    form.get_by_role("button", name="Зарегистрировать").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Обращение не зарегистрировано")
    form = page.get_by_test_id("register-form")
    form.get_by_label("Фамилия").fill("Кузнецова")
    form.get_by_label("Имя").first.fill("Ольга")
    form.get_by_label("Телефон").fill("8 912 111-22-33")
    form.get_by_label("Текст обращения").fill("Прошу установить скамейку у подъезда дома 3.")
    page.screenshot(path=f"test-results/register-{screen}.png", full_page=True)
    form.get_by_role("button", name="Зарегистрировать").click()
    expect(page.get_by_text("Обращение зарегистрировано под №")).to_be_visible()
    appeal = Appeal.objects.get()
    expect(page.get_by_test_id("appeal-number")).to_have_text(appeal.number)
    assert appeal.signatories.get().applicant.surname == "Кузнецова"
    assert appeal.channel == "personal" and appeal.form == "oral"
