"""Deadline pages and the stage actions of the appeal card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import question_for_user
from core.calendar import current_calendar
from org.choices import RoleCode
from org.decorators import staff_required
from workflow import services
from workflow.calculator import calculate
from workflow.forms import CalculatorForm, DecisionForm, ExtensionRequestForm, PathForm, ReasonForm
from workflow.models import ExtensionRequest, Notification
from workflow.selectors import board, current_stages, my_plans


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return request.user


def _errors(form: Any) -> str:
    return "; ".join(" ".join(e) for e in form.errors.values())


def _act(request: HttpRequest, question_id: int, action: Callable[[Any], Any], success: str) -> HttpResponse:
    question = question_for_user(request.user, question_id)
    try:
        action(question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(f"{question.appeal.get_absolute_url()}#question-{question.pk}")


def _form_act(
    request: HttpRequest, question_id: int, form: Any, action: Callable[[Any], Any], success: str
) -> HttpResponse:
    """Validate the form first: an invalid one changes nothing and says why."""
    if not form.is_valid():
        question = question_for_user(request.user, question_id)
        messages.error(request, _errors(form))
        return redirect(question.appeal.get_absolute_url())
    return _act(request, question_id, action, success)


@staff_required()
@require_POST
def extension_request(request: HttpRequest, question_id: int) -> HttpResponse:
    form = ExtensionRequestForm(request.POST)
    return _form_act(
        request,
        question_id,
        form,
        lambda q: services.extension_request(
            question=q, actor=_user(request), days=form.cleaned_data["days"], reason=form.cleaned_data["reason"]
        ),
        "Запрос на продление отправлен руководителю.",
    )


@staff_required()
@require_POST
def extension_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    extension = get_object_or_404(ExtensionRequest, pk=request_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise Http404
    approve = form.cleaned_data["decision"] == "approve"
    return _act(
        request,
        extension.question_id,
        lambda q: services.extension_decide(
            request=extension, actor=_user(request), approve=approve, note=form.cleaned_data["note"]
        ),
        "Срок продлён." if approve else "В продлении отказано.",
    )


@staff_required()
@require_POST
def pause(request: HttpRequest, question_id: int, action: str) -> HttpResponse:
    if action == "start":
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        return _act(
            request,
            question_id,
            lambda q: services.pause_start(question=q, actor=_user(request), reason=reason),
            "Срок приостановлен.",
        )
    if action == "end":
        return _act(
            request, question_id, lambda q: services.pause_end(question=q, actor=_user(request)), "Срок возобновлён."
        )
    raise Http404


@staff_required()
@require_POST
def stage_insert(request: HttpRequest, question_id: int) -> HttpResponse:
    code = request.POST.get("code", "")
    reason = request.POST.get("reason", "")
    return _act(
        request,
        question_id,
        lambda q: services.stage_insert(question=q, actor=_user(request), code=code, reason=reason),
        "Этап добавлен.",
    )


@staff_required()
@require_POST
def stage_complete(request: HttpRequest, question_id: int) -> HttpResponse:
    return _act(
        request, question_id, lambda q: services.stage_complete(question=q, actor=_user(request)), "Этап завершён."
    )


@staff_required()
@require_POST
def path_set(request: HttpRequest, question_id: int) -> HttpResponse:
    form = PathForm(request.POST)
    return _form_act(
        request,
        question_id,
        form,
        lambda q: services.path_set(
            question=q, actor=_user(request), path=form.cleaned_data["path"], note=form.cleaned_data["note"]
        ),
        "Путь рассмотрения изменён, срок пересчитан.",
    )


@staff_required()
@require_GET
def my_deadlines(request: HttpRequest) -> HttpResponse:
    """«Мои сроки»: every open question of mine with its running stage, reserve and forecast."""
    plans = list(my_plans(request.user)[:300])
    stages = current_stages(plans)
    rows = [(plan, stages.get(plan.pk)) for plan in plans]
    template = "workflow/_my_rows.html" if request.headers.get("HX-Request") else "workflow/my.html"
    return render(request, template, {"rows": rows, "now": timezone.now()})


@staff_required(RoleCode.CONTROLLER, RoleCode.HEAD, RoleCode.ADMINISTRATOR)
@require_GET
def control_board(request: HttpRequest) -> HttpResponse:
    """Where time is lost: at-risk and overdue questions by department and stage."""
    cells, plans = board(request.user)
    stages = current_stages(plans)
    context = {
        "cells": cells,
        "rows": [(p, stages.get(p.pk)) for p in plans[:300]],
        "total": len(plans),
        "now": timezone.now(),
    }
    template = "workflow/_board.html" if request.headers.get("HX-Request") else "workflow/board.html"
    return render(request, template, context)


@staff_required()
@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    services.defaults_ensure()
    form = CalculatorForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            result = calculate(
                d["regime"],
                d["registered"],
                current_calendar(),
                path=d["path"],
                extension_days=d.get("extension_days") or 0,
            )
        except ValueError as exc:
            form.add_error("extension_days", str(exc))
    return render(request, "workflow/calculator.html", {"form": form, "result": result})


@staff_required()
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(user=_user(request))
    if request.method == "POST":
        items.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("workflow:notifications")
    return render(request, "workflow/notifications.html", {"items": list(items[:200])})
