"""Staff pages and API: access, rendering, registration, actions, export."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from appeals import services
from appeals.choices import AppealStatus, Outcome, QuestionStatus
from appeals.models import Appeal
from people.models import Applicant, DuplicateSuspicion, PersonalDataAccess
from tests.factories import ApplicantFactory, ContactFactory, make_appeal


@pytest.fixture
def appeal(cast):
    a = make_appeal(body=cast.body, text="Не горит фонарь у дома 7", applicants=[ApplicantFactory(surname="Смирнов")])
    services.question_assign(
        question=a.questions.get(), actor=cast.operator.user, department=None, executor=cast.executor
    )
    return a


def all_urls(appeal: Appeal) -> list[tuple[str, str]]:
    """(method, url) of every staff page and endpoint."""
    q = appeal.questions.get()
    a, qa = [appeal.pk], [appeal.pk, q.pk]
    return [
        ("get", reverse("dashboard")),
        ("get", reverse("appeals:registry")),
        ("get", reverse("appeals:export", args=["csv"])),
        ("get", reverse("appeals:export", args=["xlsx"])),
        ("get", reverse("appeals:register")),
        ("post", reverse("appeals:register")),
        ("get", reverse("appeals:applicant_lookup") + "?surname=Смирнов"),
        ("get", reverse("appeals:applicant", args=[appeal.signatories.get().applicant_id])),
        ("get", reverse("appeals:detail", args=a)),
        ("post", reverse("appeals:edit", args=a)),
        ("post", reverse("appeals:close", args=a)),
        ("post", reverse("appeals:comment", args=a)),
        ("post", reverse("appeals:attach", args=a)),
        ("post", reverse("appeals:question_add", args=a)),
        ("post", reverse("appeals:question_assign", args=qa)),
        ("post", reverse("appeals:question_answer", args=qa)),
        ("post", reverse("appeals:question_edit", args=qa)),
        ("post", reverse("appeals:question_decide", args=[*qa, "approve"])),
        ("post", reverse("appeals:question_decide", args=[*qa, "return"])),
        ("get", "/api/v1/appeals/"),
        ("get", f"/api/v1/appeals/{appeal.pk}/"),
        ("get", "/api/v1/classifier/"),
        ("get", "/api/v1/schema/"),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_every_view_and_endpoint_refuses_users_without_a_role(cast, appeal, login, who) -> None:
    client = login(getattr(cast, who))
    before = Appeal.objects.count()
    for method, url in all_urls(appeal):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url, response.status_code)
    assert Appeal.objects.count() == before
    assert not PersonalDataAccess.objects.exists()


def test_every_page_sends_anonymous_visitors_to_login(cast, appeal, client) -> None:
    for method, url in all_urls(appeal):
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code in (401, 403), url
        else:
            assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_staff_without_access_to_an_appeal_get_404(cast, appeal, login) -> None:
    client = login(cast.other_executor)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert client.get(f"/api/v1/appeals/{appeal.pk}/").status_code == 404


def test_dashboard_lists_my_questions(cast, appeal, login) -> None:
    response = login(cast.executor).get(reverse("dashboard"))
    assert response.status_code == 200
    assert appeal.number in response.content.decode()
    other = login(cast.other_executor).get(reverse("dashboard")).content.decode()
    assert appeal.number not in other


def test_registry_filters_search_and_bounded_queries(cast, appeal, login) -> None:
    for i in range(12):
        make_appeal(body=cast.body, text=f"Вопрос о мусоре №{i}", applicants=[ApplicantFactory(), ApplicantFactory()])
    client = login(cast.operator)
    url = reverse("appeals:registry")
    page = client.get(url + "?q=фонарь").content.decode()
    assert appeal.number in page and "Найдено: 1" in page
    assert "Найдено: 12" in client.get(url + "?q=МУСОРЕ").content.decode()
    assert "Найдено: 1" in client.get(url + "?q=смирнов").content.decode()
    assert "Найдено: 12" in client.get(url + "?status=registered").content.decode()
    assert "Найдено: 1" in client.get(url + f"?executor={cast.executor.pk}").content.decode()
    assert "Найдено: 0" in client.get(url + "?overdue=on").content.decode()
    htmx = client.get(url + "?q=фонарь", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in htmx and appeal.number in htmx
    # Bad filter values are ignored with a message, not a crash.
    assert client.get(url + "?date_from=2026-05-01&date_to=2026-04-01&department=abc").status_code == 200

    with CaptureQueriesContext(connection) as few:
        client.get(url + "?q=мусоре&sort=number")
    for i in range(12):
        make_appeal(body=cast.body, text=f"Ещё о мусоре {i}", applicants=[ApplicantFactory()])
    with CaptureQueriesContext(connection) as many:
        client.get(url + "?q=мусоре&sort=number")
    assert len(many) == len(few), "the registry must not run a query per row"


def test_detail_shows_card_and_logs_personal_data_view(cast, appeal, login) -> None:
    response = login(cast.executor).get(reverse("appeals:detail", args=[appeal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Смирнов" in html and "Не горит фонарь" in html and "Зарегистрировано" in html
    log = PersonalDataAccess.objects.get()
    assert log.user == cast.executor.user and log.applicant.surname == "Смирнов"


def test_registration_form_creates_appeal_applicant_and_attachment(cast, login) -> None:
    client = login(cast.operator)
    data = {
        "channel": "post",
        "kind": "appeal",
        "received_at": "2026-03-02T10:00",
        "applicant_kind": "person",
        "surname": "петрова",
        "first_name": "анна",
        "patronymic": "ивановна",
        "gender": "f",
        "phone": "8 (912) 345-67-89",
        "email": "anna@mail.ru",
        "postal_address": "ул. Ленина, 1, кв. 2",
        "text": "Прошу убрать мусор во дворе дома 1 по ул. Ленина.",
        "qtype": "statement",
        "attachments": [SimpleUploadedFile("скан.jpg", b"\xff\xd8\xff\xe0jpegdata", content_type="image/jpeg")],
    }
    response = client.post(reverse("appeals:register"), data)
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == appeal.get_absolute_url()
    applicant = appeal.signatories.get().applicant
    assert (applicant.surname, applicant.first_name, applicant.patronymic) == ("Петрова", "Анна", "Ивановна")
    assert set(applicant.contacts.values_list("normalized", flat=True)) == {
        "+79123456789",
        "anna@mail.ru",
        "ленина|1|2",  # street|house|flat: the form people.normalize compares addresses in
    }
    assert appeal.attachments.get().original_name == "скан.jpg"
    assert appeal.registered_by == cast.operator.user


def test_registration_with_existing_applicant_adds_no_duplicate(cast, login) -> None:
    existing = ApplicantFactory(surname="Орлов")
    ContactFactory(applicant=existing, kind="phone", value="+7 912 000-00-01")
    client = login(cast.operator)
    lookup = client.get(reverse("appeals:applicant_lookup") + "?phone=89120000001").content.decode()
    assert "Орлов" in lookup and "совпадает телефон" in lookup
    client.post(
        reverse("appeals:register"),
        {
            "channel": "phone",
            "kind": "appeal",
            "received_at": "2026-03-02T10:00",
            "applicant_kind": "person",
            "applicant_id": existing.pk,
            "text": "Снова про двор",
            "qtype": "statement",
            "email": "orlov@yandex.ru",
        },
    )
    assert Applicant.objects.count() == 1
    assert Appeal.objects.get().signatories.get().applicant == existing
    assert existing.contacts.filter(kind="email").exists()


def test_registration_without_choosing_recognises_or_asks(cast, login) -> None:
    """The operator did not pick a suggestion: a sure match is used, a doubtful one is asked about."""
    sure = ApplicantFactory(surname="Орлов", first_name="Пётр", patronymic="Ильич")
    ContactFactory(applicant=sure, kind="phone", value="+7 912 000-00-01")
    client = login(cast.operator)
    base = {
        "channel": "phone",
        "kind": "appeal",
        "received_at": "2026-03-02T10:00",
        "applicant_kind": "person",
        "text": "Снова про двор",
        "qtype": "statement",
    }
    client.post(
        reverse("appeals:register"),
        {**base, "surname": "Орлов", "first_name": "Пётр", "patronymic": "Ильич", "phone": "89120000001"},
    )
    assert Applicant.objects.count() == 1 and Appeal.objects.get().signatories.get().applicant == sure
    # Same rare surname and first name, nothing else in common: a suspicion, not a certainty.
    doubtful = {**base, "surname": "Орлов", "first_name": "Пётр", "email": "other@mail.ru"}
    response = client.post(reverse("appeals:register"), doubtful)
    assert response.status_code == 200  # asked: nothing was saved, the form offers "another person"
    assert "Похожий заявитель уже есть" in response.content.decode()
    assert 'name="new_applicant"' in response.content.decode()
    assert Appeal.objects.count() == 1 and Applicant.objects.count() == 1
    client.post(reverse("appeals:register"), {**doubtful, "new_applicant": "on"})
    assert Appeal.objects.count() == 2 and Applicant.objects.count() == 2
    assert DuplicateSuspicion.objects.filter(status="pending").exists()  # still reviewed later


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "   "}, "Текст обращения"),
        ({"received_at": "вчера"}, "Дата и время поступления"),
        ({"received_at": "2099-01-01T10:00"}, "в будущем"),
        ({"email": "not-an-email"}, "E-mail"),
        ({"phone": "12"}, "Неверный номер телефона"),
        ({"classifier_code": "9999.9999.9999.9999"}, "нет"),
        ({"applicant_kind": "organisation", "organisation_name": ""}, "наименование организации"),
    ],
)
def test_registration_form_reports_errors_and_changes_nothing(cast, login, changes, message) -> None:
    data = {
        "channel": "post",
        "kind": "appeal",
        "received_at": "2026-03-02T10:00",
        "applicant_kind": "person",
        "surname": "Иванов",
        "first_name": "Иван",
        "text": "Текст",
        "qtype": "statement",
        **changes,
    }
    response = login(cast.operator).post(reverse("appeals:register"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Обращение не зарегистрировано" in html and message in html
    assert not Appeal.objects.exists() and not Applicant.objects.exists()


def test_registration_refuses_oversized_attachment(cast, login, settings) -> None:
    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    response = login(cast.operator).post(
        reverse("appeals:register"),
        {
            "channel": "post",
            "kind": "appeal",
            "received_at": "2026-03-02T10:00",
            "applicant_kind": "person",
            "surname": "Иванов",
            "text": "Текст",
            "qtype": "statement",
            "attachments": [SimpleUploadedFile("huge.pdf", b"x" * (1024 * 1024 + 10))],
        },
    )
    assert "больше 1 МБ" in response.content.decode()
    assert not Appeal.objects.exists() and not Applicant.objects.exists()


def test_only_operators_register(cast, login) -> None:
    for who in (cast.executor, cast.head, cast.controller):
        assert login(who).get(reverse("appeals:register")).status_code == 403


def test_actions_through_the_card(cast, appeal, login) -> None:
    q = appeal.questions.get()
    url = reverse("appeals:question_answer", args=[appeal.pk, q.pk])
    # The head of another unit cannot answer; the service refuses and the page says why.
    response = login(cast.other_executor).post(url, {f"a{q.pk}-outcome": "explained", f"a{q.pk}-answer": "x"})
    assert response.status_code == 404  # not even visible to them
    client = login(cast.executor)
    response = client.post(url, {f"a{q.pk}-outcome": "explained", f"a{q.pk}-answer": "Разъяснено: замена 05.03."})
    assert response.status_code == 302
    q.refresh_from_db()
    assert q.status == QuestionStatus.ON_APPROVAL and q.outcome == Outcome.EXPLAINED
    response = client.post(reverse("appeals:question_decide", args=[appeal.pk, q.pk, "approve"]), follow=True)
    assert response.status_code == 403
    login(cast.head).post(reverse("appeals:question_decide", args=[appeal.pk, q.pk, "approve"]))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    response = login(cast.controller).post(
        reverse("appeals:comment", args=[appeal.pk]), {"note": "Проверено"}, follow=True
    )
    assert "Комментарий добавлен" in response.content.decode()
    response = login(cast.controller).post(reverse("appeals:comment", args=[appeal.pk]), {"note": ""}, follow=True)
    assert "Комментарий" in response.content.decode() and appeal.events.filter(kind="comment").count() == 1


def test_assign_form_errors_are_reported(cast, appeal, login) -> None:
    q = appeal.questions.get()
    response = login(cast.head).post(reverse("appeals:question_assign", args=[appeal.pk, q.pk]), {}, follow=True)
    assert "Выберите подразделение или исполнителя" in response.content.decode()


def test_export_without_personal_data_by_default(cast, appeal, login) -> None:
    client = login(cast.executor)
    response = client.get(reverse("appeals:export", args=["csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == "Номер" and "Заявители" not in rows[0]
    assert rows[1][0] == appeal.number and "Смирнов" not in body
    assert client.get(reverse("appeals:export", args=["xlsx"]) + "?personal=1").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_export_with_personal_data_for_controller_is_logged(cast, appeal, login) -> None:
    response = login(cast.controller).get(reverse("appeals:export", args=["xlsx"]) + "?personal=1")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "Заявители" in rows[0] and "Смирнов Пётр Сергеевич" in rows[1]
    assert PersonalDataAccess.objects.filter(action="export", user=cast.controller.user).count() == 1


def test_attachment_download_checks_access(cast, login) -> None:
    a = make_appeal(body=cast.body, attachments=[SimpleUploadedFile("a.txt", b"hello")])
    att = a.attachments.get()
    url = reverse("appeals:attachment", args=[a.pk, att.pk])
    assert b"".join(login(cast.operator).get(url).streaming_content) == b"hello"
    assert login(cast.executor).get(url).status_code == 404


def test_api_lists_visible_appeals(cast, appeal, login) -> None:
    data = login(cast.executor).get("/api/v1/appeals/").json()
    assert [r["number"] for r in data["results"]] == [appeal.number]
    assert login(cast.other_executor).get("/api/v1/appeals/").json()["count"] == 0
    schema = login(cast.operator).get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/appeals/" in schema.content
