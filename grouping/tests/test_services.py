"""Groups through the services: index, proposals, joining, the joint answer, publication, repeats, resonance."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from appeals.choices import AppealStatus, Character, EventKind, Outcome, QuestionStatus
from appeals.models import AppealEvent
from appeals.services import appeal_close, question_approve, question_assign, question_submit_answer
from delivery.models import OutboxMessage
from grouping import services
from grouping.choices import AnswerKind, GroupStatus, JoinedBy, ProposalState
from grouping.models import GroupingSettings, GroupMembership, MatchProposal, MemberAnswer, QuestionSignature
from grouping.tests.helpers import HEATING_TEXT, question_of, register
from nlp.services import gazetteer_import
from tests.factories import ApplicantFactory, ClassifierEntryFactory, ContactFactory
from workflow.models import Notification, QuestionPlan


def test_registration_indexes_each_question_with_topic_and_building(cast) -> None:
    appeal = register(cast)
    signature = QuestionSignature.objects.get(question=question_of(appeal))
    assert signature.topic == "0005.0005.0056.1153"
    assert signature.building == "ленина|15"
    assert "отопление" in signature.tokens.split()


def test_second_similar_question_gets_a_proposal_and_one_click_founds_a_group(cast) -> None:
    first = register(cast, hours_ago=5)
    second = register(cast)
    proposal = MatchProposal.objects.get(question=question_of(second), state=ProposalState.PROPOSED)
    assert proposal.group is None and proposal.similar_ids == [question_of(first).pk]
    assert proposal.summary.startswith("1 похожий вопрос: Отопление")
    assert "за 5 ч" in proposal.summary
    group = services.proposal_accept(proposal=proposal, actor=cast.operator.user)
    assert set(group.memberships.values_list("question_id", flat=True)) == {
        question_of(first).pk,
        question_of(second).pk,
    }
    assert AppealEvent.objects.filter(appeal=first, field=services.GROUP_FIELD, new_value=group.title).exists()
    # A third one is proposed the group itself.
    third = register(cast)
    proposal3 = MatchProposal.objects.get(question=question_of(third))
    assert proposal3.group == group
    assert proposal3.summary.startswith("2 похожих вопроса")


def test_other_topic_other_building_or_old_question_is_not_proposed(cast) -> None:
    register(cast, hours_ago=24 * 8)  # outside the 7-day window
    register(cast, text="Нет отопления в доме по ул. Ленина, д. 99, батареи холодные.")
    register(cast, code=ClassifierEntryFactory(code="0003.0009.0097.0690", name="Освещение"))
    latest = register(cast)
    assert not MatchProposal.objects.filter(question=question_of(latest)).exists()


def test_auto_join_only_when_the_administrator_allows_it(cast) -> None:
    first = register(cast, hours_ago=2)
    second = register(cast, hours_ago=1)
    group = services.group_create(questions=[question_of(first), question_of(second)], actor=cast.operator.user)
    third = register(cast)
    assert not GroupMembership.objects.filter(question=question_of(third)).exists()  # proposed only
    settings_row = GroupingSettings.current()
    settings_row.auto_join = True
    settings_row.save()
    fourth = register(cast)
    membership = GroupMembership.objects.get(question=question_of(fourth))
    assert membership.group == group and membership.joined_by == JoinedBy.AUTOMATIC
    assert membership.score is not None and membership.score >= settings_row.auto_join_score


def test_joint_answer_is_personalised_and_recorded_on_every_question(cast) -> None:
    ivanova = ApplicantFactory(surname="Иванова", first_name="Мария", patronymic="Петровна", gender="f")
    petrov = ApplicantFactory(surname="Петров", first_name="Олег", patronymic="Ильич", gender="m")
    a1 = register(cast, applicant=ivanova, hours_ago=3)
    a2 = register(cast, applicant=petrov)
    group = services.group_create(questions=[question_of(a1), question_of(a2)], actor=cast.operator.user)
    with pytest.raises(PermissionDenied):
        services.group_submit_answer(group=group, actor=cast.executor.user, answer="x", outcome=Outcome.EXPLAINED)
    services.group_set_lead(group=group, actor=cast.head.user, lead=cast.executor)
    for appeal in (a1, a2):
        assert question_of(appeal).executor == cast.executor
    with pytest.raises(ValidationError):
        services.group_submit_answer(group=group, actor=cast.executor.user, answer="  ", outcome=Outcome.EXPLAINED)
    services.group_submit_answer(
        group=group,
        actor=cast.executor.user,
        answer="Отопление восстановлено 5 ноября.",
        outcome=Outcome.SUPPORTED,
        measures_taken=True,
    )
    assert {question_of(a).status for a in (a1, a2)} == {QuestionStatus.ON_APPROVAL}
    with pytest.raises(PermissionDenied):
        services.group_approve(group=group, actor=cast.executor.user)
    assert services.group_approve(group=group, actor=cast.head.user) == 2
    group.refresh_from_db()
    assert group.status == GroupStatus.ANSWERED
    q1, q2 = question_of(a1), question_of(a2)
    assert q1.status == q2.status == QuestionStatus.DONE
    assert q1.outcome == Outcome.SUPPORTED and q1.measures_taken
    assert q1.answer == q2.answer == group.answer  # the paragraph of each appeal's letter
    letters = {m.question_id: m.text for m in MemberAnswer.objects.filter(group=group, kind=AnswerKind.LETTER)}
    assert set(letters) == {q1.pk, q2.pk}
    assert letters[q1.pk].startswith("Уважаемая Мария Петровна!")
    # The letter dates the appeal as the body's clock does (3 hours ago may be yesterday in UTC).
    received = timezone.localtime(a1.received_at).strftime("%d.%m.%Y")
    assert f"№ {a1.number}" in letters[q1.pk] and received in letters[q1.pk]
    assert letters[q2.pk].startswith("Уважаемый Олег Ильич!") and a2.number in letters[q2.pk]
    a1.refresh_from_db()
    assert a1.status == AppealStatus.ANSWERED
    # Each question is still its own row: the report counts two questions, two outcomes.
    assert QuestionPlan.objects.filter(question__in=[q1, q2]).count() == 2
    appeal_close(appeal=a1, actor=cast.controller.user)


def test_one_click_sends_every_member_its_own_answer_letter(cast) -> None:
    from letters.models import Letter

    ivanova = ApplicantFactory(surname="Иванова", first_name="Мария", patronymic="Петровна", gender="f")
    ContactFactory(applicant=ivanova, kind="email", value="ivanova@mail.ru")
    petrov = ApplicantFactory(surname="Петров", first_name="Олег", patronymic="Ильич", gender="m")
    ContactFactory(applicant=petrov, kind="email", value="petrov@yandex.ru")
    a1, a2 = register(cast, applicant=ivanova, hours_ago=3), register(cast, applicant=petrov)
    group = services.group_create(questions=[question_of(a1), question_of(a2)], actor=cast.operator.user)
    services.group_set_lead(group=group, actor=cast.head.user, lead=cast.executor)
    with pytest.raises(ValidationError, match="утвердите"):  # nothing to send before the answer is approved
        services.group_send_letters(group=group, actor=cast.controller.user)
    services.group_submit_answer(
        group=group, actor=cast.executor.user, answer="Отопление восстановлено.", outcome=Outcome.SUPPORTED
    )
    services.group_approve(group=group, actor=cast.head.user)
    sent, skipped = services.group_send_letters(group=group, actor=cast.controller.user)
    assert (sent, skipped) == (2, [])
    for appeal, greeting, address in (
        (a1, "Уважаемая Мария Петровна!", "ivanova@mail.ru"),
        (a2, "Уважаемый Олег Ильич!", "petrov@yandex.ru"),
    ):
        letter = Letter.objects.get(appeal=appeal)
        assert letter.status == "issued" and letter.number and greeting in letter.text
        assert appeal.number in letter.text and "Отопление восстановлено." in letter.text
        assert OutboxMessage.objects.get(appeal=appeal).address == address
    again = services.group_send_letters
    with pytest.raises(ValidationError, match="уже есть"):
        again(group=group, actor=cast.controller.user)  # nobody gets the answer twice
    assert Letter.objects.count() == 2


def test_late_joiner_gets_the_answer_and_after_publication_the_link(cast) -> None:
    a1 = register(cast, hours_ago=30)
    group = services.group_create(questions=[question_of(a1)], actor=cast.operator.user)
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(
        group=group, actor=cast.executor.user, answer="Отопление включено.", outcome=Outcome.SUPPORTED
    )
    services.group_approve(group=group, actor=cast.head.user)
    late = register(cast)
    services.group_join(group=group, question=question_of(late), actor=cast.operator.user)
    q = question_of(late)
    assert q.status == QuestionStatus.DONE and q.answer == "Отопление включено."
    assert late.number in MemberAnswer.objects.get(question=q, kind=AnswerKind.LETTER).text
    services.group_publish(group=group, actor=cast.controller.user)
    reader = ApplicantFactory()
    ContactFactory(applicant=reader, kind="email", value="reader@mail.ru")
    later = register(cast, applicant=reader)
    services.group_join(group=group, question=question_of(later), actor=cast.operator.user)
    link = MemberAnswer.objects.get(question=question_of(later), kind=AnswerKind.LINK)
    assert group.get_public_url() in link.text
    registered = later.registered_at.astimezone().date()
    assert (link.send_by - registered).days == 7
    # Sent at once by the applicant's channel (here e-mail).
    queued = OutboxMessage.objects.get(reference=f"group-link:{link.pk}")
    assert link.sent_at is not None and queued.address == "reader@mail.ru" and queued.text == link.text


def test_publication_is_refused_while_the_answer_carries_personal_data(cast) -> None:
    applicant = ApplicantFactory(surname="Кузнецова", first_name="Анна", patronymic="Львовна")
    a1 = register(cast, applicant=applicant)
    group = services.group_create(questions=[question_of(a1)], actor=cast.operator.user)
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(
        group=group,
        actor=cast.executor.user,
        answer="Кузнецова А. Л. получит перерасчёт, звоните +7 911 123-45-67.",
        outcome=Outcome.SUPPORTED,
    )
    services.group_approve(group=group, actor=cast.head.user)
    with pytest.raises(ValidationError) as exc:
        services.group_publish(group=group, actor=cast.head.user)
    assert "персональные данные" in str(exc.value)
    group.refresh_from_db()
    assert group.published_at is None
    with pytest.raises(PermissionDenied):
        services.group_publish(group=group, actor=cast.executor.user)


def test_leaving_a_group_returns_the_draft_and_is_recorded(cast) -> None:
    a1, a2 = register(cast, hours_ago=1), register(cast)
    group = services.group_create(questions=[question_of(a1), question_of(a2)], actor=cast.operator.user)
    services.group_set_lead(group=group, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(group=group, actor=cast.executor.user, answer="Ответ.", outcome=Outcome.EXPLAINED)
    with pytest.raises(PermissionDenied):
        services.group_leave(question=question_of(a2), actor=cast.other_executor.user)
    services.group_leave(question=question_of(a2), actor=cast.operator.user, reason="Другой дом")
    q2 = question_of(a2)
    assert q2.status == QuestionStatus.ASSIGNED and q2.answer == ""
    assert not QuestionSignature.objects.get(question=q2).group_id
    assert AppealEvent.objects.filter(appeal=a2, field=services.GROUP_FIELD, new_value="—", note="Другой дом").exists()
    with pytest.raises(ValidationError):
        services.group_leave(question=q2, actor=cast.operator.user)
    services.group_approve(group=group, actor=cast.head.user)
    assert question_of(a2).status == QuestionStatus.ASSIGNED  # answered on its own later
    assert question_of(a1).status == QuestionStatus.DONE


def test_a_question_is_in_one_group_at_a_time_and_closed_groups_take_nobody(cast) -> None:
    a1, a2 = register(cast, hours_ago=1), register(cast)
    g1 = services.group_create(questions=[question_of(a1)], actor=cast.operator.user)
    g2 = services.group_create(questions=[question_of(a2)], actor=cast.operator.user)
    with pytest.raises(ValidationError):
        services.group_join(group=g2, question=question_of(a1), actor=cast.operator.user)
    services.group_set_lead(group=g2, actor=cast.operator.user, lead=cast.executor)
    services.group_submit_answer(group=g2, actor=cast.executor.user, answer="Ответ.", outcome=Outcome.EXPLAINED)
    services.group_approve(group=g2, actor=cast.head.user)
    services.group_close(group=g2, actor=cast.controller.user)
    services.group_leave(question=question_of(a1), actor=cast.operator.user)
    with pytest.raises(ValidationError):
        services.group_join(group=g2, question=question_of(a1), actor=cast.operator.user)
    assert g1.memberships.filter(left_at__isnull=True).count() == 0


def test_same_applicant_same_question_again_is_marked_repeated(cast) -> None:
    applicant = ApplicantFactory()
    earlier = register(cast, applicant=applicant, executor=cast.executor, hours_ago=24 * 40)
    q = question_of(earlier)
    question_submit_answer(question=q, actor=cast.executor.user, answer="Включено.", outcome=Outcome.SUPPORTED)
    question_approve(question=q, actor=cast.head.user)
    again = register(cast, applicant=applicant)
    again.refresh_from_db()
    assert again.character == Character.REPEATED
    assert again.previous_appeal == earlier
    assert question_of(again).repeat_link.earlier == q
    # Another applicant with the same text is not a repeat.
    other = register(cast)
    other.refresh_from_db()
    assert other.character == Character.INDIVIDUAL


def test_resonance_alerts_head_and_controller_once(cast, settings) -> None:
    gazetteer_import(text='address,lat,lon,district\n"ул. Ленина, д. 15",59.93,30.31,Центральный\n')
    settings_row = GroupingSettings.current()
    settings_row.resonance_min = 3
    settings_row.save()
    cast.housing.head = cast.head.user
    cast.housing.save()
    for i in range(2):
        register(cast, executor=cast.executor, hours_ago=3 - i)
    assert not Notification.objects.filter(key__startswith="resonance:").exists()
    register(cast, executor=cast.executor)
    alerts = Notification.objects.filter(key__startswith="resonance:")
    assert {n.user for n in alerts} == {cast.head.user, cast.controller.user}
    assert "Резонанс: 3 вопросов" in alerts.first().title
    register(cast, executor=cast.executor)
    assert Notification.objects.filter(key__startswith="resonance:").count() == 2  # same key: no second alert


def test_closing_the_appeal_still_needs_every_question(cast) -> None:
    a1 = register(cast)
    services.questions_recut(appeal=a1, actor=cast.operator.user, texts=["Нет отопления.", "Яма на дороге у дома."])
    q1, q2 = a1.questions.order_by("position")
    question_assign(question=q1, actor=cast.operator.user, department=cast.housing, executor=cast.executor)
    question_submit_answer(question=q1, actor=cast.executor.user, answer="Включено.", outcome=Outcome.SUPPORTED)
    question_approve(question=q1, actor=cast.head.user)
    with pytest.raises(ValidationError):
        appeal_close(appeal=a1, actor=cast.controller.user)
    assert q2.status != QuestionStatus.DONE


def test_split_apply_creates_planned_questions_and_merge_split_move_work(cast) -> None:
    text = "Во дворе яма на дороге, машины ломаются. Также в квартире нет отопления, батареи холодные."
    appeal = register(cast, text=text)
    original = question_of(appeal)
    with pytest.raises(PermissionDenied):
        services.split_apply(appeal=appeal, actor=cast.executor.user, assignment=[1, 2])
    with pytest.raises(ValidationError):
        services.split_apply(appeal=appeal, actor=cast.operator.user, assignment=[1])
    services.split_apply(appeal=appeal, actor=cast.operator.user, assignment=[1, 2])
    q1, q2 = appeal.questions.order_by("position")
    assert q1.pk == original.pk and q1.text == "Во дворе яма на дороге, машины ломаются."
    assert q2.text.startswith("Также в квартире")
    assert QuestionPlan.objects.filter(question=q2).exists()
    assert QuestionSignature.objects.filter(question=q2).exists()
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.QUESTION_ADDED, question=q2).exists()
    # Move the first sentence to the second question: the first question disappears.
    services.sentence_move(question=q1, index=0, target=q2, actor=cast.operator.user)
    remaining = list(appeal.questions.order_by("position"))
    assert len(remaining) == 1 and remaining[0].position == 1
    assert "яма на дороге" in remaining[0].text and "нет отопления" in remaining[0].text
    # Split it again at the second sentence, then merge back.
    parts = services.question_split(question=remaining[0], actor=cast.operator.user, at=1)
    assert len(parts) == 2
    merged = services.questions_merge(question=parts[1], into=parts[0], actor=cast.operator.user)
    assert appeal.questions.count() == 1 and merged.position == 1
    with pytest.raises(ValidationError):
        services.question_split(question=merged, actor=cast.operator.user, at=0)


def test_split_refused_once_an_answer_is_drafted(cast) -> None:
    appeal = register(cast, text="Яма на дороге. Нет отопления дома.", executor=cast.executor)
    q = question_of(appeal)
    question_submit_answer(question=q, actor=cast.executor.user, answer="Ответ.", outcome=Outcome.EXPLAINED)
    with pytest.raises(PermissionDenied):
        services.split_apply(appeal=appeal, actor=cast.operator.user, assignment=[1, 2])
    assert appeal.questions.count() == 1


def test_heating_text_constant_mentions_a_building() -> None:
    assert "д. 15" in HEATING_TEXT


def test_changed_questions_are_indexed_again_by_the_periodic_task(cast) -> None:
    from appeals.services import question_update
    from grouping.tasks import rematch_changed_questions

    appeal = register(cast)
    q = question_of(appeal)
    assert services.rematch_changed() == 0
    question_update(question=q, actor=cast.operator.user, text="Нет отопления в доме по ул. Пушкина, д. 3.")
    rematch_changed_questions.enqueue()
    assert QuestionSignature.objects.get(question=q).building == "пушкина|3"
    assert services.rematch_changed() == 0


def test_a_dismissed_proposal_is_not_made_again(cast) -> None:
    register(cast, hours_ago=1)
    second = register(cast)
    q = question_of(second)
    proposal = MatchProposal.objects.get(question=q, state=ProposalState.PROPOSED)
    with pytest.raises(PermissionDenied):
        services.proposal_dismiss(proposal=proposal, actor=cast.other_executor.user)
    services.proposal_dismiss(proposal=proposal, actor=cast.operator.user)
    with pytest.raises(ValidationError):
        services.proposal_accept(proposal=proposal, actor=cast.operator.user)
    services.question_match(question=q)
    assert not MatchProposal.objects.filter(question=q, state=ProposalState.PROPOSED).exists()


def test_non_appeals_are_indexed_but_never_proposed(cast) -> None:
    from appeals.choices import Kind
    from appeals.services import QuestionDraft
    from tests.factories import make_appeal

    register(cast, hours_ago=1)
    spam = make_appeal(
        body=cast.body,
        kind=Kind.NOT_APPEAL,
        text=HEATING_TEXT,
        questions=[QuestionDraft(text=HEATING_TEXT, classifier=question_of(register(cast)).classifier)],
    )
    q = question_of(spam)
    assert QuestionSignature.objects.filter(question=q).exists()
    assert not MatchProposal.objects.filter(question=q).exists()
