"""Applicant pages: access, the card's history, merging, the review queue, the batch search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals import services as appeal_services
from appeals.models import Appeal
from people.choices import DedupRunStatus, SuspicionStatus
from people.models import Applicant, ApplicantMerge, DedupRun, DuplicateSuspicion, PersonalDataAccess
from people.services import ContactInput, applicant_create, applicants_merge
from tests.factories import ClassifierEntryFactory, make_appeal


@pytest.fixture
def smirnov(cast):  # type: ignore[no-untyped-def]
    """An applicant with two appeals on the same matter, one answered, and a duplicate card."""
    card = applicant_create(
        surname="Смирнов",
        first_name="Олег",
        patronymic="Ильич",
        contacts=[ContactInput("phone", "8 912 555-44-33"), ContactInput("postal", "ул. Мира, 3-5")],
    )
    code = ClassifierEntryFactory()
    first = make_appeal(
        body=cast.body,
        text="Не горит фонарь у дома 3 по улице Мира",
        applicants=[card],
        questions=[appeal_services.QuestionDraft(text="Не горит фонарь у дома 3 по улице Мира", classifier=code)],
    )
    question = first.questions.get()
    appeal_services.question_assign(
        question=question, actor=cast.operator.user, department=None, executor=cast.executor
    )
    appeal_services.question_submit_answer(
        question=question, actor=cast.executor.user, answer="Фонарь заменён.", outcome="supported", measures_taken=True
    )
    second = make_appeal(
        body=cast.body,
        text="Снова не горит фонарь у дома 3",
        applicants=[card],
        channel="email",
        questions=[appeal_services.QuestionDraft(text="Снова не горит фонарь у дома 3", classifier=code)],
    )
    twin = applicant_create(surname="Смирнов", first_name="О.", contacts=[ContactInput("phone", "+79125554433")])
    return card, twin, first, second


def urls(card: Applicant, twin: Applicant) -> list[tuple[str, str]]:
    pair = DuplicateSuspicion.objects.get_or_create(
        first=card, second=twin, defaults={"weight": 1, "probability": 0.7, "source": "batch"}
    )[0]
    merge = ApplicantMerge.objects.create(target=card, snapshot={})
    run = DedupRun.objects.create()
    return [
        ("get", reverse("people:applicant", args=[card.pk])),
        ("get", reverse("people:queue")),
        ("post", reverse("people:dismiss", args=[pair.pk])),
        ("get", reverse("people:merge") + f"?ids={card.pk},{twin.pk}"),
        ("post", reverse("people:merge")),
        ("get", reverse("people:merges")),
        ("post", reverse("people:merge_undo", args=[merge.pk])),
        ("get", reverse("people:dedup")),
        ("post", reverse("people:dedup")),
        ("get", reverse("people:dedup_progress", args=[run.pk])),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_every_page_refuses_users_without_a_role(cast, smirnov, login, who) -> None:
    card, twin, *_ = smirnov
    client = login(getattr(cast, who))
    for method, url in urls(card, twin):
        response = getattr(client, method)(
            url, {"ids": f"{card.pk},{twin.pk}", "target": card.pk} if method == "post" else None
        )
        assert response.status_code == 403, (method, url, response.status_code)
    assert not PersonalDataAccess.objects.exists()
    assert Applicant.objects.filter(merged_into__isnull=False).count() == 0
    assert DuplicateSuspicion.objects.get().status == SuspicionStatus.PENDING


def test_every_page_sends_anonymous_visitors_to_login(cast, smirnov, client) -> None:
    card, twin, *_ = smirnov
    for method, url in urls(card, twin):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_executors_and_heads_do_not_merge(cast, smirnov, login) -> None:
    card, twin, *_ = smirnov
    for who in (cast.executor, cast.head, cast.controller):
        client = login(who)
        for method, url in urls(card, twin)[1:]:
            assert getattr(client, method)(url).status_code == 403, (who, url)


def test_the_card_shows_the_whole_history_and_logs_the_view(cast, smirnov, login) -> None:
    card, twin, first, second = smirnov
    response = login(cast.operator).get(reverse("people:applicant", args=[card.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert first.number in html and second.number in html and "Фонарь заменён." in html
    assert "Поддержано" in html or "поддерж" in html.lower()
    assert "повторных вопросов: 1" in html and f"повтор вопроса из {first.number}" in html
    assert "Электронная почта" in html or "E-mail" in html  # the channels used
    assert "Обещания и письма" in html
    assert f"ids={card.pk},{twin.pk}" in html  # the duplicate card is proposed for merging
    logged = set(PersonalDataAccess.objects.filter(user=cast.operator.user).values_list("applicant_id", flat=True))
    assert logged == {card.pk, twin.pk}


def test_the_card_is_one_click_from_the_appeal(cast, smirnov, login) -> None:
    card, _, first, _ = smirnov
    html = login(cast.executor).get(reverse("appeals:detail", args=[first.pk])).content.decode()
    assert reverse("people:applicant", args=[card.pk]) in html
    old_link = login(cast.executor).get(reverse("appeals:applicant", args=[card.pk]))
    assert old_link.status_code == 302 and old_link["Location"] == reverse("people:applicant", args=[card.pk])


def test_staff_see_only_the_appeals_they_may_see(cast, smirnov, login) -> None:
    card, twin, first, second = smirnov
    html = login(cast.executor).get(reverse("people:applicant", args=[card.pk])).content.decode()
    assert first.number in html and second.number not in html and "Возможные дубликаты" not in html
    assert login(cast.other_executor).get(reverse("people:applicant", args=[card.pk])).status_code == 404
    assert login(cast.executor).get(reverse("people:applicant", args=[twin.pk])).status_code == 404


def test_the_card_reads_a_fixed_number_of_queries(cast, smirnov, login) -> None:
    card, *_ = smirnov
    client = login(cast.controller)
    url = reverse("people:applicant", args=[card.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        make_appeal(body=cast.body, text=f"Ещё вопрос {i}", applicants=[card])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_merge_page_merges_side_by_side_and_undo_restores(cast, smirnov, login) -> None:
    card, twin, first, _ = smirnov
    client = login(cast.operator)
    page = client.get(reverse("people:merge") + f"?ids={card.pk},{twin.pk}").content.decode()
    assert "Итоговая карточка" in page and "Смирнов" in page and "8 912 555-44-33" in page
    response = client.post(
        reverse("people:merge"), {"ids": f"{card.pk},{twin.pk}", "target": twin.pk, "field_first_name": card.pk}
    )
    assert response.status_code == 302 and response["Location"] == reverse("people:applicant", args=[twin.pk])
    twin.refresh_from_db()
    card.refresh_from_db()
    assert card.merged_into == twin and twin.first_name == "Олег" and first.signatories.get().applicant == twin
    redirected = client.get(reverse("people:applicant", args=[card.pk]))
    assert redirected["Location"] == reverse("people:applicant", args=[twin.pk])
    merge = ApplicantMerge.objects.get()
    assert str(merge.pk) in client.get(reverse("people:merges")).content.decode()
    client.post(reverse("people:merge_undo", args=[merge.pk]))
    card.refresh_from_db()
    assert card.merged_into is None and first.signatories.get().applicant == card


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ids": "abc"}, "числами"),
        ({"ids": "5"}, "хотя бы две"),
        ({"ids": "1,2,3,4,5,6,7"}, "не больше"),
        ({"ids": "999998,999999"}, "не найдена"),
    ],
)
def test_merge_page_explains_bad_input(cast, smirnov, login, data, message) -> None:
    response = login(cast.operator).get(reverse("people:merge"), data, follow=True)
    assert message in response.content.decode()
    assert not ApplicantMerge.objects.exists()


def test_merge_form_reports_service_errors(cast, smirnov, login) -> None:
    card, twin, *_ = smirnov
    Applicant.objects.filter(pk=twin.pk).update(kind="organisation", organisation_name="ТСЖ")
    response = login(cast.operator).post(reverse("people:merge"), {"ids": f"{card.pk},{twin.pk}", "target": card.pk})
    assert response.status_code == 200 and "Карточки не объединены" in response.content.decode()
    assert not ApplicantMerge.objects.exists()


def test_queue_lists_pairs_and_dismiss_keeps_them_apart(cast, smirnov, login) -> None:
    card, twin, *_ = smirnov
    pair = DuplicateSuspicion.objects.filter(first=card, second=twin).first() or DuplicateSuspicion.objects.create(
        first=card, second=twin, weight=3, probability=0.8, source="batch"
    )
    client = login(cast.operator)
    html = client.get(reverse("people:queue")).content.decode()
    assert f"ids={card.pk},{twin.pk}" in html and "совпадает" in html
    client.post(reverse("people:dismiss", args=[pair.pk]))
    pair.refresh_from_db()
    assert pair.status == SuspicionStatus.DISMISSED and pair.decided_by == cast.operator.user
    assert "Очередь пуста" in client.get(reverse("people:queue")).content.decode()
    again = client.post(reverse("people:dismiss", args=[pair.pk]), follow=True)
    assert "уже принято решение" in again.content.decode()


def test_batch_page_starts_a_run_and_shows_progress(cast, smirnov, login, django_capture_on_commit_callbacks) -> None:
    operator_page = login(cast.operator).get(reverse("people:dedup")).content.decode()
    assert "Запустить проверку" not in operator_page
    assert login(cast.operator).post(reverse("people:dedup")).status_code == 403
    client = login(cast.administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:dedup"), {"auto_merge": ""})
    run = DedupRun.objects.get()
    assert run.status == DedupRunStatus.DONE and run.processed == run.total == 2  # the immediate backend ran it
    fragment = client.get(reverse("people:dedup_progress", args=[run.pk])).content.decode()
    assert "100%" in fragment and "<html" not in fragment and "hx-trigger" not in fragment
    DedupRun.objects.filter(pk=run.pk).update(status=DedupRunStatus.RUNNING, processed=1)
    assert 'hx-trigger="every 2s"' in client.get(reverse("people:dedup_progress", args=[run.pk])).content.decode()


def test_registration_lookup_links_a_certain_match_and_explains_proposals(cast, smirnov, login) -> None:
    card, twin, *_ = smirnov
    applicants_merge(target=card, others=[twin], actor=cast.operator.user)
    client = login(cast.operator)
    url = reverse("appeals:applicant_lookup")
    linked = client.get(url, {"surname": "Смирнов", "first_name": "Олег", "phone": "89125554433"}).content.decode()
    assert 'data-decision="linked"' in linked and "data-auto-pick" in linked and "совпадает телефон" in linked
    proposed = client.get(url, {"surname": "Смирнов", "first_name": "Олег", "email": "o@ya.ru"}).content.decode()
    assert 'data-decision="proposed"' in proposed and "data-auto-pick" not in proposed
    assert client.get(url, {"surname": "Козлов", "first_name": "Пётр"}).content.decode().strip() == ""
    assert Appeal.objects.count() == 2


def test_queue_and_merge_log_read_a_fixed_number_of_queries(cast, smirnov, login) -> None:
    card, twin, *_ = smirnov
    client = login(cast.operator)

    def pages() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("people:queue"))
            client.get(reverse("people:merges"))
        return len(queries)

    DuplicateSuspicion.objects.get_or_create(
        first=card, second=twin, defaults={"weight": 1, "probability": 0.7, "source": "batch"}
    )
    first = applicant_create(surname="Лосев", first_name="Ян", check_duplicates=False)
    other = applicant_create(surname="Лосев", first_name="Я.", check_duplicates=False)
    applicants_merge(target=first, others=[other], actor=cast.operator.user)
    few = pages()
    for i in range(4):
        a = applicant_create(surname=f"Орлов{i}", first_name="Пётр", check_duplicates=False)
        b = applicant_create(surname=f"Орлов{i}", first_name="П.", check_duplicates=False)
        DuplicateSuspicion.objects.create(first=a, second=b, weight=2, probability=0.8, source="batch")
        c = applicant_create(surname=f"Лосев{i}", first_name="Ян", check_duplicates=False)
        d = applicant_create(surname=f"Лосев{i}", first_name="Ян", check_duplicates=False)
        applicants_merge(target=c, others=[d], actor=cast.operator.user)
    assert pages() == few
