"""Training on the body's own history: versions with metrics, activation, rollback, the page, the command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from appeals.services import QuestionDraft, question_assign
from classification.choices import ModelStatus, SuggestionSource
from classification.models import ClassifierEntry, ModelVersion
from classification.selectors import engine
from classification.services import model_activate, model_train
from routing.models import RoutingDecision
from tests.factories import make_appeal

TOPICS = {
    "0003.0009.0097.0690": ("housing", ["Не горит фонарь", "Темно, фонари не работают", "Нет уличного освещения"]),
    "0003.0009.0099.0742": ("roads", ["Яма на дороге", "Разбит асфальт, ямы", "Провал дорожного покрытия"]),
}
PLACES = ["у дома 5", "во дворе", "на улице Ленина", "возле школы", "около остановки"]


@pytest.fixture
def history(cast, starter) -> None:
    """Thirty questions, topics interleaved in time, coded and taken into work by their unit."""
    for place in PLACES:
        for i in range(3):
            for code, (unit, wordings) in TOPICS.items():
                entry = ClassifierEntry.objects.get(code=code)
                appeal = make_appeal(
                    body=cast.body,
                    questions=[QuestionDraft(text=f"{wordings[i]} {place}", classifier=entry)],
                    actor=cast.operator.user,
                )
                question_assign(
                    question=appeal.questions.get(),
                    actor=cast.administrator.user,
                    department=getattr(cast, unit),
                    executor=cast.executor if unit == "housing" else cast.other_executor,
                )


@pytest.fixture
def few(settings) -> None:
    settings.OTKLIK_MODEL_MIN_SAMPLES = 10


def test_training_stores_metrics_and_the_model_suggests_and_routes(cast, history, few, settings) -> None:
    version = model_train(actor=None)
    assert version.status == ModelStatus.READY and version.is_active and version.size > 0
    assert version.metrics["code"]["accuracy"] >= 0.8 and version.metrics["code"]["n_test"] > 0
    assert "accuracy" in version.metrics["department"]
    assert "skipped" in version.metrics["local"]
    settings.OTKLIK_AUTO_ROUTE_PERCENT = 50
    appeal = make_appeal(body=cast.body, text="Яма на дороге возле остановки")
    question = appeal.questions.get()
    assert question.suggestion.source == SuggestionSource.MODEL
    assert question.suggestion.classifier.code == "0003.0009.0099.0742"
    assert question.suggestion.model_version_id == version.pk
    decision = RoutingDecision.objects.get(question=question)
    assert decision.source == "model" and decision.applied and "по истории" in decision.reason
    question.refresh_from_db()
    assert question.department == cast.roads


def test_rollback_and_switching_off(cast, history, few) -> None:
    first = model_train(actor=None)
    second = model_train(actor=None)
    assert second.is_active and not ModelVersion.objects.get(pk=first.pk).is_active
    model_activate(version=first, actor=cast.administrator.user)
    assert engine().model_version_id == first.pk
    with pytest.raises(Exception, match="администратор"):
        model_activate(version=second, actor=cast.operator.user)


def test_too_little_history_fails_with_a_reason(cast, starter) -> None:
    version = model_train(actor=None)
    assert version.status == ModelStatus.FAILED and not version.is_active
    assert "мало примеров" in version.metrics["code"]["skipped"]


def test_train_command_prints_progress_and_metrics(cast, history, few) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("train", stdout=out, stderr=err)
    assert "Код классификатора: точность" in out.getvalue() and "Действующая модель: v1" in out.getvalue()
    assert "[100%]" in err.getvalue() or "100%" in err.getvalue()


def test_train_command_without_history_is_an_error(cast, starter) -> None:
    with pytest.raises(CommandError, match="нет достаточной истории"):
        call_command("train", stdout=io.StringIO(), stderr=io.StringIO())


def test_models_page_trains_in_the_background_with_progress(
    cast, history, few, login, django_capture_on_commit_callbacks
) -> None:
    client = login(cast.administrator)
    assert client.get(reverse("classification:models")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("classification:train"), follow=True)
    assert "поставлено в очередь" in response.content.decode()
    version = ModelVersion.objects.get()
    assert version.status == ModelStatus.READY  # the immediate backend of the tests ran the task
    progress = client.get(reverse("classification:progress", args=[version.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true" and "100 %" in progress.content.decode()
    page = client.get(reverse("classification:models")).content.decode()
    assert "v1" in page and "действует" in page


def test_training_is_refused_while_another_runs(cast, login) -> None:
    ModelVersion.objects.create(number=1, status=ModelStatus.TRAINING)
    response = login(cast.administrator).post(reverse("classification:train"), follow=True)
    assert "Обучение уже идёт" in response.content.decode()
    assert ModelVersion.objects.count() == 1


@pytest.mark.parametrize("who", ["operator", "executor", "outsider", "citizen"])
def test_models_pages_are_for_administrators_only(cast, login, who) -> None:
    version = ModelVersion.objects.create(number=1, status=ModelStatus.READY, artifact=b"x")
    client = login(getattr(cast, who))
    assert client.get(reverse("classification:models")).status_code == 403
    assert client.get(reverse("classification:progress", args=[version.pk])).status_code == 403
    assert client.post(reverse("classification:train")).status_code == 403
    assert client.post(reverse("classification:activate", args=[version.pk])).status_code == 403
    assert client.post(reverse("classification:deactivate")).status_code == 403
    assert ModelVersion.objects.count() == 1 and not ModelVersion.objects.get().is_active
