"""Routing at registration: rules with load balancing, competence and forwarding, applying a proposal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from appeals.choices import EventKind, QuestionStatus
from appeals.models import AppealEvent
from appeals.services import QuestionDraft, question_assign
from classification.models import ClassifierEntry
from org.models import Substitution
from routing.choices import DecisionSource, ProposalStatus
from routing.models import Competence, ExternalBody, ForwardingProposal, RoutingDecision, RoutingRule
from routing.services import forwarding_accept, forwarding_dismiss, routing_apply
from tests.factories import StaffFactory, UserFactory, make_appeal

LIGHT = "0003.0009.0097.0690"


@pytest.fixture
def light(starter) -> ClassifierEntry:
    return ClassifierEntry.objects.get(code=LIGHT)


def test_rule_routes_at_registration_and_the_history_says_why(cast, light) -> None:
    RoutingRule.objects.create(
        name="Свет", priority=10, code_prefix="0003.0009.0097", department=cast.housing, balance=True
    )
    busy = make_appeal(body=cast.body, questions=[QuestionDraft(text="Другое")])
    question_assign(
        question=busy.questions.get(), actor=cast.administrator.user, department=cast.housing, executor=cast.executor
    )
    spare = StaffFactory(
        user=UserFactory(username="spare"), body=cast.body, department=cast.housing, roles=["executor"]
    )
    appeal = make_appeal(body=cast.body, questions=[QuestionDraft(text="Не горит фонарь", classifier=light)])
    question = appeal.questions.get()
    assert (
        question.department == cast.housing
        and question.executor == spare
        and question.status == QuestionStatus.ASSIGNED
    )
    decision = RoutingDecision.objects.get(question=question)
    assert decision.source == DecisionSource.RULE and decision.applied
    assert "правило «Свет»" in decision.reason and "наименьшая загрузка" in decision.reason
    event = AppealEvent.objects.filter(question=question, kind=EventKind.ASSIGNED).first()
    assert event is not None and event.actor is None and event.note.startswith("Маршрутизация: правило «Свет»")


def test_named_executor_on_leave_goes_to_the_substitute(cast, light) -> None:
    RoutingRule.objects.create(name="Свет", code_prefix=LIGHT, executor=cast.executor)
    cast.executor.is_absent = True
    cast.executor.save()
    colleague = StaffFactory(
        user=UserFactory(username="colleague"), body=cast.body, department=cast.housing, roles=["executor"]
    )
    today = timezone.localdate()
    Substitution.objects.create(
        absent=cast.executor,
        substitute=colleague,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=5),
    )
    question = make_appeal(body=cast.body, questions=[QuestionDraft(text="Фонарь", classifier=light)]).questions.get()
    assert question.executor == colleague
    assert "замещает" in RoutingDecision.objects.get(question=question).reason


def test_without_rules_or_history_nothing_is_routed_but_the_reason_is_kept(cast) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    assert question.department is None and question.status == QuestionStatus.NEW
    decision = RoutingDecision.objects.get(question=question)
    assert decision.source == DecisionSource.NONE and not decision.applied and "ни одно правило" in decision.reason


def test_routing_is_idempotent(cast, light) -> None:
    from routing.pipeline import route_appeal

    RoutingRule.objects.create(name="Свет", code_prefix=LIGHT, department=cast.housing)
    appeal = make_appeal(body=cast.body, questions=[QuestionDraft(text="Фонарь", classifier=light)])
    route_appeal(appeal=appeal, actor=None)
    assert RoutingDecision.objects.filter(question__appeal=appeal).count() == 1


@pytest.fixture
def pension_fund(db) -> ExternalBody:
    return ExternalBody.objects.create(name="Отделение Социального фонда", aliases="СФР", keywords="пенсия\nпособие")


def test_out_of_competence_is_proposed_for_forwarding_within_seven_days(cast, pension_fund, light) -> None:
    Competence.objects.create(code_prefix="0003")
    appeal = make_appeal(body=cast.body, text="Мне не начислили пенсию за май", actor=cast.operator.user)
    question = appeal.questions.get()
    proposal = ForwardingProposal.objects.get(question=question)
    assert proposal.external_body == pension_fund and proposal.status == ProposalStatus.PROPOSED
    registered = appeal.registered_at.astimezone(dt.timezone(dt.timedelta(hours=3))).date()
    assert proposal.forward_by == registered + dt.timedelta(days=7)
    decision = RoutingDecision.objects.get(question=question)
    assert decision.source == DecisionSource.COMPETENCE and "уведомив заявителя" in decision.reason
    assert question.department is None  # not routed inside
    with pytest.raises(PermissionDenied):
        forwarding_accept(proposal=proposal, actor=cast.other_executor.user)
    forwarding_accept(proposal=proposal, actor=cast.operator.user)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED
    from workflow.models import QuestionPlan

    assert QuestionPlan.objects.get(question=question).path == "forwarding"
    with pytest.raises(ValidationError, match="уже принято"):
        forwarding_dismiss(proposal=proposal, actor=cast.operator.user)


def test_dismissing_a_proposal_keeps_the_question(cast, pension_fund) -> None:
    question = make_appeal(body=cast.body, text="Вопрос о пособии на ребёнка").questions.get()
    proposal = ForwardingProposal.objects.get(question=question)
    forwarding_dismiss(proposal=proposal, actor=cast.operator.user, note="пособие платит администрация")
    assert ForwardingProposal.objects.get(pk=proposal.pk).status == ProposalStatus.DISMISSED
    assert AppealEvent.objects.filter(question=question, note__contains="пособие платит").exists()


def test_a_proposed_route_is_applied_in_one_click(cast) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    decision = RoutingDecision.objects.create(
        question=question, source=DecisionSource.MODEL, department=cast.roads, reason="по истории", confidence=0.6
    )
    with pytest.raises(PermissionDenied):
        routing_apply(decision=decision, actor=cast.executor.user)
    routing_apply(decision=decision, actor=cast.operator.user)
    question.refresh_from_db()
    assert question.department == cast.roads
    with pytest.raises(ValidationError, match="уже применён"):
        routing_apply(decision=decision, actor=cast.operator.user)


def _endpoints(cast, pension_fund) -> list[tuple[str, str]]:
    question = make_appeal(body=cast.body, text="Мне не начислили пенсию").questions.get()
    proposal = ForwardingProposal.objects.get(question=question)
    decision = RoutingDecision.objects.create(
        question=question, source=DecisionSource.MODEL, department=cast.roads, reason="x"
    )
    return [
        ("get", reverse("routing:test")),
        ("post", reverse("routing:test")),
        ("post", reverse("routing:apply", args=[decision.pk])),
        ("post", reverse("routing:proposal", args=[proposal.pk, "accept"])),
        ("post", reverse("routing:proposal", args=[proposal.pk, "dismiss"])),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_every_routing_page_refuses_users_without_a_role(cast, pension_fund, login, who) -> None:
    urls = _endpoints(cast, pension_fund)
    client = login(getattr(cast, who))
    for method, url in urls:
        assert getattr(client, method)(url, {"text": "яма"}).status_code == 403, url
    assert ForwardingProposal.objects.get().status == ProposalStatus.PROPOSED
    assert not RoutingDecision.objects.filter(applied=True).exists()


def test_test_panel_shows_where_a_text_would_go_and_writes_nothing(cast, light, login) -> None:
    RoutingRule.objects.create(name="Свет", code_prefix="0003.0009.0097", department=cast.housing)
    from classification.models import ClassificationRule

    ClassificationRule.objects.create(name="Фонари", classifier=light, keywords="фонарь", weight=5)
    client = login(cast.operator)
    assert client.get(reverse("routing:test")).status_code == 200
    page = client.post(reverse("routing:test"), {"text": "Не горит фонарь во дворе"}).content.decode()
    assert "Управление ЖКХ" in page and "правило «Свет»" in page and LIGHT in page
    assert not RoutingDecision.objects.exists()
    empty = client.post(reverse("routing:test"), {"text": "   "}).content.decode()
    assert "Введите текст" in empty
    assert login(cast.executor).get(reverse("routing:test")).status_code == 403


def test_apply_and_proposal_views(cast, pension_fund, login) -> None:
    question = make_appeal(body=cast.body, text="Мне не начислили пенсию").questions.get()
    client = login(cast.operator)
    proposal = ForwardingProposal.objects.get(question=question)
    response = client.post(reverse("routing:proposal", args=[proposal.pk, "accept"]), follow=True)
    assert "переадресация по компетенции" in response.content.decode()
    again = client.post(reverse("routing:proposal", args=[proposal.pk, "accept"]), follow=True)
    assert "уже принято решение" in again.content.decode()
    assert client.get(reverse("routing:proposal", args=[proposal.pk, "accept"])).status_code == 405
    assert client.post(reverse("routing:proposal", args=[proposal.pk, "maybe"])).status_code == 404
    decision = RoutingDecision.objects.create(question=question, source=DecisionSource.MODEL, reason="x")
    response = client.post(reverse("routing:apply", args=[decision.pk]), follow=True)
    assert "некуда направлять" in response.content.decode()
    other = login(cast.other_executor)
    assert other.post(reverse("routing:apply", args=[decision.pk])).status_code == 404
