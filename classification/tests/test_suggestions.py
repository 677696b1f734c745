"""Suggestions at registration, automatic codes, one-click confirm and correct, the panel and its access."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.choices import EventKind, QuestionType
from appeals.models import AppealEvent
from appeals.services import QuestionDraft
from classification.choices import SuggestionSource, SuggestionStatus
from classification.models import ClassificationRule, ClassifierEntry, LocalCategory, Suggestion
from classification.selectors import training_rows
from classification.services import (
    ClassifierImportError,
    local_categories_import,
    suggestion_confirm,
    suggestion_correct,
)
from classification.training import labelled
from tests.factories import make_appeal

LIGHT = "0003.0009.0097.0690"


@pytest.fixture
def rule(starter) -> ClassificationRule:
    return ClassificationRule.objects.create(
        name="Фонари", classifier=ClassifierEntry.objects.get(code=LIGHT), keywords="фонарь\nосвещение", weight=1
    )


def test_registration_suggests_a_code_for_an_uncoded_question(cast, rule) -> None:
    appeal = make_appeal(body=cast.body, text="Не горит фонарь у дома 7")
    question = appeal.questions.get()
    suggestion = Suggestion.objects.get(question=question)
    assert suggestion.classifier.code == LIGHT and suggestion.source == SuggestionSource.RULES
    assert suggestion.status == SuggestionStatus.SUGGESTED and 0 < suggestion.confidence < 0.9
    assert [w["word"] for w in suggestion.explanation] == ["фонарь"]
    assert suggestion.qtype == QuestionType.STATEMENT and suggestion.kind
    question.refresh_from_db()
    assert question.classifier is None  # below the threshold: the operator decides


def test_sure_rule_sets_the_code_with_a_history_entry(cast, rule, settings) -> None:
    settings.OTKLIK_AUTO_CLASSIFY_PERCENT = 60
    rule.weight = 3
    rule.save()
    appeal = make_appeal(body=cast.body, text="Третий день не горит фонарь")
    question = appeal.questions.get()
    assert question.classifier.code == LIGHT
    assert question.suggestion.status == SuggestionStatus.APPLIED
    event = AppealEvent.objects.get(question=question, kind=EventKind.CHANGED)
    assert event.actor is None and "автоматически" in event.note and LIGHT in event.new_value
    # An automatic code nobody confirmed is no training example.
    rows = [r for r in training_rows() if r["pk"] == question.pk]
    assert labelled(rows)["code"] == []


def test_questions_with_a_code_are_left_alone(cast, rule) -> None:
    entry = ClassifierEntry.objects.get(code=LIGHT)
    appeal = make_appeal(body=cast.body, questions=[QuestionDraft(text="Фонарь", classifier=entry)])
    assert not Suggestion.objects.filter(question__appeal=appeal).exists()


def test_confirm_and_correct_in_one_click(cast, rule) -> None:
    first = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    suggestion_confirm(question=first, actor=cast.operator.user)
    first.refresh_from_db()
    assert first.classifier.code == LIGHT and first.suggestion.status == SuggestionStatus.CONFIRMED
    second = make_appeal(body=cast.body, text="Нет освещения и яма").questions.get()
    other = ClassifierEntry.objects.filter(level=4).exclude(code=LIGHT).first()
    suggestion_correct(question=second, actor=cast.operator.user, code=other.code, qtype=QuestionType.COMPLAINT)
    second.refresh_from_db()
    assert second.classifier == other and second.qtype == QuestionType.COMPLAINT
    assert second.suggestion.status == SuggestionStatus.CORRECTED and second.suggestion.decided_by == cast.operator.user
    rows = [r for r in training_rows() if r["pk"] in (first.pk, second.pk)]
    assert sorted(label for _, label in labelled(rows)["code"]) == sorted([LIGHT, other.code])


def test_bad_corrections_change_nothing(cast, rule) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    with pytest.raises(ValidationError, match="нет среди действующих"):
        suggestion_correct(question=question, actor=cast.operator.user, code="9999.9999.9999.9999")
    with pytest.raises(ValidationError, match="Выберите"):
        suggestion_correct(question=question, actor=cast.operator.user)
    with pytest.raises(PermissionDenied):
        suggestion_confirm(question=question, actor=cast.other_executor.user)
    question.refresh_from_db()
    assert question.classifier is None and question.suggestion.status == SuggestionStatus.SUGGESTED


def test_local_categories_import_and_correction(cast, starter, tmp_path) -> None:
    text = "reason_id,reason,category,city_object,description\n17,Неисправно освещение,Благоустройство,Улица,Опора\n48,Яма на дороге,Благоустройство,Улица,\n"
    report = local_categories_import(text=text)
    assert (report.categories, report.reasons) == (1, 2)
    assert local_categories_import(text=text).reasons == 0  # idempotent
    with pytest.raises(ClassifierImportError, match="нет столбцов: category"):
        local_categories_import(text="reason_id,reason\n1,x\n")
    question = make_appeal(body=cast.body, text="Опора освещения повреждена").questions.get()
    assert question.suggestion.local_category.code == "17"  # similarity to names and descriptions
    suggestion_correct(question=question, actor=cast.operator.user, local_code="48")
    assert Suggestion.objects.get(question=question).local_assigned == LocalCategory.objects.get(code="48")


def _urls(question_id: int) -> list[str]:
    return [
        reverse("classification:confirm", args=[question_id]),
        reverse("classification:correct", args=[question_id]),
    ]


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_outsiders_are_refused_and_nothing_changes(cast, rule, login, who) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    client = login(getattr(cast, who))
    for url in _urls(question.pk):
        assert client.post(url, {"code": LIGHT}).status_code == 403
    question.refresh_from_db()
    assert question.classifier is None


def test_staff_without_access_to_the_appeal_get_404(cast, rule, login) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    client = login(cast.other_executor)
    assert client.post(_urls(question.pk)[0]).status_code == 404


def test_card_panel_confirm_and_bounded_queries(cast, rule, login) -> None:
    one = make_appeal(body=cast.body, text="Не горит фонарь")
    three = make_appeal(
        body=cast.body,
        questions=[
            QuestionDraft(text="Не горит фонарь"),
            QuestionDraft(text="Нет освещения"),
            QuestionDraft(text="Фонарь мигает"),
        ],
    )
    client = login(cast.operator)
    response = client.get(one.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="understanding"' in page and "Решили слова" in page and "фонарь" in page
    with CaptureQueriesContext(connection) as single:
        client.get(one.get_absolute_url())
    with CaptureQueriesContext(connection) as triple:
        client.get(three.get_absolute_url())

    def panel(ctx: CaptureQueriesContext) -> list[dict[str, str]]:
        return [q for q in ctx.captured_queries if "classification_suggestion" in q["sql"] or "routing_" in q["sql"]]

    assert len(panel(triple)) == len(panel(single))  # the panel's own queries do not grow with questions
    question = one.questions.get()
    response = client.post(reverse("classification:confirm", args=[question.pk]), follow=True)
    assert "классификация подтверждена" in response.content.decode()
    question.refresh_from_db()
    assert question.classifier.code == LIGHT


def test_correct_view_reports_bad_input_in_russian(cast, rule, login) -> None:
    question = make_appeal(body=cast.body, text="Не горит фонарь").questions.get()
    client = login(cast.operator)
    response = client.post(reverse("classification:correct", args=[question.pk]), {"code": "12"}, follow=True)
    assert "нет среди действующих" in response.content.decode()
    response = client.post(reverse("classification:correct", args=[question.pk]), {}, follow=True)
    assert "Выберите код классификатора" in response.content.decode()
    question.refresh_from_db()
    assert question.classifier is None
