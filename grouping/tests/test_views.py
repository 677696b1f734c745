"""Group pages, card panels and the public page through the test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from appeals.choices import Outcome, QuestionStatus
from grouping import services
from grouping.choices import GroupStatus
from grouping.models import GroupMembership, MatchProposal, SubjectGroup
from grouping.tests.helpers import question_of, register
from tests.factories import ApplicantFactory


@pytest.fixture
def group(cast) -> SubjectGroup:
    a1 = register(cast, hours_ago=2)
    a2 = register(cast)
    return services.group_create(questions=[question_of(a1), question_of(a2)], actor=cast.operator.user)


def group_urls(group: SubjectGroup) -> list[tuple[str, str]]:
    q = group.memberships.first().question
    return [
        ("get", reverse("groups:list")),
        ("get", reverse("groups:detail", args=[group.pk])),
        ("post", reverse("groups:lead", args=[group.pk])),
        ("post", reverse("groups:answer", args=[group.pk])),
        ("post", reverse("groups:decide", args=[group.pk, "approve"])),
        ("post", reverse("groups:letters", args=[group.pk])),
        ("post", reverse("groups:leave", args=[q.pk])),
        ("post", reverse("groups:create", args=[q.pk])),
        ("post", reverse("groups:join", args=[q.pk])),
        ("post", reverse("groups:merge", args=[q.pk])),
        ("post", reverse("groups:split", args=[q.appeal_id])),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_group_pages_refuse_users_without_a_role(cast, group, login, who) -> None:
    client = login(getattr(cast, who))
    for method, url in group_urls(group):
        assert getattr(client, method)(url).status_code == 403, url
    assert GroupMembership.objects.filter(left_at__isnull=True).count() == 2


def test_group_pages_send_anonymous_visitors_to_login(group, client) -> None:
    for method, url in group_urls(group):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_executor_of_another_unit_does_not_see_the_group(cast, group, login) -> None:
    client = login(cast.other_executor)
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    assert group.title not in client.get(reverse("groups:list")).content.decode()


def test_lead_sees_the_group_and_answers_it_head_approves(cast, group, login) -> None:
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    client = login(cast.executor)
    page = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert group.title in page and "На согласование" in page
    response = client.post(
        reverse("groups:answer", args=[group.pk]), {"answer": "Отопление включено.", "outcome": Outcome.SUPPORTED}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupStatus.ON_APPROVAL
    login(cast.head).post(reverse("groups:decide", args=[group.pk, "approve"]))
    group.refresh_from_db()
    assert group.status == GroupStatus.ANSWERED
    assert {m.question.status for m in group.memberships.all()} == {QuestionStatus.DONE}


def test_bad_answer_form_changes_nothing_and_says_why(cast, group, login) -> None:
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    client = login(cast.executor)
    response = client.post(
        reverse("groups:answer", args=[group.pk]), {"answer": "", "outcome": "nonsense"}, follow=True
    )
    assert response.status_code == 200
    group.refresh_from_db()
    assert group.status == GroupStatus.OPEN and group.answer == ""
    assert "alert-danger" in response.content.decode()


def test_card_shows_the_proposal_and_one_click_joins(cast, group, login) -> None:
    third = register(cast)
    client = login(cast.operator)
    page = client.get(third.get_absolute_url()).content.decode()
    assert "2 похожих вопроса" in page and "Присоединить" in page
    proposal = MatchProposal.objects.get(question=question_of(third))
    response = client.post(reverse("groups:proposal", args=[proposal.pk, "accept"]))
    assert response.status_code == 302
    assert GroupMembership.objects.get(question=question_of(third), left_at__isnull=True).group == group
    page = client.get(third.get_absolute_url()).content.decode()
    assert "В группе" in page and group.title in page


def test_card_split_panel_accept_and_edit(cast, login) -> None:
    text = "Во дворе яма на дороге, машины ломаются. Также в квартире нет отопления, батареи холодные."
    appeal = register(cast, text=text)
    client = login(cast.operator)
    page = client.get(appeal.get_absolute_url()).content.decode()
    assert 'data-testid="split-panel"' in page and "Принять разбивку" in page
    client.post(reverse("groups:split", args=[appeal.pk]), {"accept": "1"})
    assert appeal.questions.count() == 2
    client.post(reverse("groups:split", args=[appeal.pk]), {"s0": "1", "s1": "1"})
    assert appeal.questions.count() == 1
    response = client.post(reverse("groups:split", args=[appeal.pk]), {"s0": "x"}, follow=True)
    assert "укажите номер вопроса" in response.content.decode()
    assert appeal.questions.count() == 1
    # The executor sees no split editor.
    appeal.questions.update(executor=cast.executor, department=cast.housing, status=QuestionStatus.ASSIGNED)
    assert 'data-testid="split-panel"' not in login(cast.executor).get(appeal.get_absolute_url()).content.decode()


def test_public_page_carries_no_personal_data(cast, login, client) -> None:
    applicant = ApplicantFactory(surname="Смирнова", first_name="Ольга", patronymic="Игоревна")
    appeal = register(cast, applicant=applicant)
    group = services.group_create(questions=[question_of(appeal)], actor=cast.operator.user)
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(
        group=group, actor=cast.executor.user, answer="Отопление включено 5 ноября.", outcome=Outcome.SUPPORTED
    )
    services.group_approve(group=group, actor=cast.head.user)
    url = group.get_public_url()
    assert client.get(url).status_code == 404  # not published yet
    login(cast.controller).post(reverse("groups:decide", args=[group.pk, "publish"]))
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Отопление включено 5 ноября." in page
    for personal in ("Смирнова", "Ольга", "Игоревна", appeal.number, cast.executor.user.last_name):
        assert personal not in page
    assert client.get(reverse("groups:public", args=["unknown-token"])).status_code == 404


def test_leave_from_the_card(cast, group, login) -> None:
    q = group.memberships.first().question
    login(cast.operator).post(reverse("groups:leave", args=[q.pk]), {"reason": "не тот дом"})
    assert not GroupMembership.objects.filter(question=q, left_at__isnull=True).exists()


def test_looking_at_personalised_answers_is_logged(cast, group, login) -> None:
    from people.models import PersonalDataAccess

    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(group=group, actor=cast.executor.user, answer="Включено.", outcome=Outcome.SUPPORTED)
    services.group_approve(group=group, actor=cast.head.user)
    page = login(cast.controller).get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert 'data-testid="member-answers"' in page
    assert PersonalDataAccess.objects.filter(user=cast.controller.user).count() == 2


def test_send_letters_button_answers_members_or_explains(cast, group, login) -> None:
    from letters.models import Letter

    client = login(cast.controller)
    response = client.post(reverse("groups:letters", args=[group.pk]), follow=True)
    assert "Сначала утвердите общий ответ группы" in response.content.decode()
    services.group_set_lead(group=group, actor=cast.head.user, lead=cast.executor)
    services.group_submit_answer(group=group, actor=cast.executor.user, answer="Сделано.", outcome=Outcome.SUPPORTED)
    services.group_approve(group=group, actor=cast.head.user)
    assert "Письма с ответом всем участникам" in client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    response = client.post(reverse("groups:letters", args=[group.pk]), follow=True)
    page = response.content.decode()
    # The members have no address for any channel: the letters are not registered, and the page says why.
    assert Letter.objects.filter(status="issued").count() == 0
    assert "Ни одно письмо не отправлено" in page
