"""Classification pages: one-click confirm / correct on the appeal card, models with training progress."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import question_for_user
from classification import services
from classification.choices import Target
from classification.forms import CorrectionForm
from classification.models import ModelVersion
from classification.selectors import active_version, running_version, versions
from org.choices import RoleCode
from org.decorators import staff_required


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return request.user


def _back(question_appeal_url: str, question_id: int) -> HttpResponse:
    return redirect(f"{question_appeal_url}#question-{question_id}")


@staff_required()
@require_POST
def confirm(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    try:
        services.suggestion_confirm(question=question, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Вопрос {question.position}: классификация подтверждена.")
    return _back(question.appeal.get_absolute_url(), question.pk)


@staff_required()
@require_POST
def correct(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(question.appeal.get_absolute_url(), question.pk)
    d = form.cleaned_data
    try:
        services.suggestion_correct(
            question=question, actor=_user(request), code=d["code"], local_code=d["local"], qtype=d["qtype"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Вопрос {question.position}: классификация сохранена.")
    return _back(question.appeal.get_absolute_url(), question.pk)


@staff_required(RoleCode.ADMINISTRATOR)
@require_GET
def models_page(request: HttpRequest) -> HttpResponse:
    rows = list(versions()[:30])
    return render(
        request,
        "classification/models.html",
        {
            "rows": rows,
            "targets": list(Target),
            "active": active_version(),
            "running": running_version(),
        },
    )


@staff_required(RoleCode.ADMINISTRATOR)
@require_GET
def model_progress(request: HttpRequest, pk: int) -> HttpResponse:
    version = versions().filter(pk=pk).first()
    if version is None:
        raise Http404("Версия модели не найдена")
    response = render(request, "classification/_progress.html", {"version": version})
    if not version.is_running and request.headers.get("HX-Request"):
        # Training is over: reload the page so the table shows the new version and its metrics.
        response["HX-Refresh"] = "true"
    return response


@staff_required(RoleCode.ADMINISTRATOR)
@require_POST
def train_start(request: HttpRequest) -> HttpResponse:
    try:
        version = services.model_training_start(actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Обучение модели v{version.number} поставлено в очередь.")
    return redirect("classification:models")


@staff_required(RoleCode.ADMINISTRATOR)
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = ModelVersion.objects.defer("artifact").filter(pk=pk).first()
    if version is None:
        raise Http404("Версия модели не найдена")
    try:
        services.model_activate(version=version, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Действующая модель: v{version.number}.")
    return redirect("classification:models")


@staff_required(RoleCode.ADMINISTRATOR)
@require_POST
def deactivate(request: HttpRequest) -> HttpResponse:
    services.model_deactivate(actor=_user(request))
    messages.success(request, "Модель отключена: подсказки дают правила и сходство с классификатором.")
    return redirect("classification:models")
