"""Routing pages: the test panel «where would this text go?», applying a proposed route, forwarding."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from appeals.selectors import question_for_user
from org.choices import RoleCode
from org.decorators import staff_required
from routing import services
from routing.forms import PreviewForm
from routing.models import ForwardingProposal, RoutingDecision
from routing.selectors import route_preview


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return request.user


@staff_required(RoleCode.ADMINISTRATOR, RoleCode.OPERATOR)
def test_panel(request: HttpRequest) -> HttpResponse:
    """Nothing is written: the text is read and routed the way registration would do it."""
    preview = None
    if request.method == "POST":
        form = PreviewForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            preview = route_preview(text=d["text"], channel=d["channel"], address=d["address"], district=d["district"])
    else:
        form = PreviewForm()
    return render(request, "routing/test_panel.html", {"form": form, "preview": preview})


@staff_required()
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    decision = RoutingDecision.objects.filter(pk=pk).only("pk", "question_id").first()
    if decision is None:
        raise Http404("Решение не найдено")
    question = question_for_user(_user(request), decision.question_id)
    try:
        services.routing_apply(decision=decision, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Вопрос {question.position} направлен по подсказке.")
    return redirect(f"{question.appeal.get_absolute_url()}#question-{question.pk}")


@staff_required()
@require_POST
def proposal(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "dismiss"):
        raise Http404
    found = ForwardingProposal.objects.filter(pk=pk).only("pk", "question_id").first()
    if found is None:
        raise Http404("Предложение не найдено")
    question = question_for_user(_user(request), found.question_id)
    try:
        if decision == "accept":
            services.forwarding_accept(proposal=found, actor=_user(request))
            messages.success(request, f"Вопрос {question.position}: переадресация по компетенции, срок 7 дней.")
        else:
            services.forwarding_dismiss(proposal=found, actor=_user(request), note=request.POST.get("note", "")[:500])
            messages.success(request, f"Вопрос {question.position} остаётся в органе.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{question.appeal.get_absolute_url()}#question-{question.pk}")
