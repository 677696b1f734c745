"""Promise pages: the registry, the answer screen's proposals and drafts, status changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import question_for_user
from org.decorators import staff_required
from org.selectors import actor_for
from promises import services
from promises.choices import PromiseStatus
from promises.forms import DraftForm, PromiseFilterForm, StatusForm
from promises.selectors import appeals_on_extra_control, promise_for_user, promise_registry
from promises.templatetags.promises_tags import proposal_forms


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[f].label + ': ' if f in form.fields and form.fields[f].label else ''}{' '.join(e)}"
        for f, e in form.errors.items()
    )


def _run(request: HttpRequest, action: Any, success: str, fallback: str) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _back(request, fallback)


@staff_required()
@require_GET
def registry(request: HttpRequest) -> HttpResponse:
    form = PromiseFilterForm(request.GET or None)
    today = timezone.localdate()
    user = _user(request)
    view = request.GET.get("view", "")
    rows: list[Any]
    if view == "appeals":
        appeal_page = Paginator(appeals_on_extra_control(user), settings.OTKLIK_PAGE_SIZE)
        page: Any = appeal_page.get_page(request.GET.get("page"))
        rows = list(page.object_list)
    else:
        qs = promise_registry(user, form.to_filter(), today=today)
        page = Paginator(qs, settings.OTKLIK_PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(p, p.is_overdue(today)) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "promises/registry.html",
        {"form": form, "page": page, "rows": rows, "view": view, "query": query.urlencode(), "today": today},
    )


@staff_required()
@require_POST
def propose(request: HttpRequest, question_id: int) -> HttpResponse:
    """htmx: the commitments in the answer text as it is typed (not saved), to be confirmed."""
    question = question_for_user(_user(request), question_id)
    if not services.can_edit_drafts(actor_for(_user(request)), question):
        raise PermissionDenied("Обещания в ответе правит исполнитель вопроса или руководитель.")
    text = request.POST.get(f"a{question.pk}-answer", "")[:100_000]
    proposals = services.propose(question, text)
    return render(
        request,
        "promises/_proposals.html",
        {"question": question, "proposals": proposal_forms(question, proposals), "searched": True},
    )


@staff_required()
@require_POST
def draft_add(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    fallback = f"{question.appeal.get_absolute_url()}#question-{question.pk}"
    form = DraftForm(request.POST, prefix=request.POST.get("prefix", f"n{question.pk}")[:40])
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(fallback)
    d = form.cleaned_data
    return _run(
        request,
        lambda: services.promise_add_draft(
            question=question,
            actor=_user(request),
            sentence=d["sentence"],
            due_date=d["due_date"],
            responsible=d["responsible"],
            due_text=d["due_text"] or "",
            source=d["source"] or "manual",
            confidence=d["confidence"],
        ),
        "Обещание добавлено к ответу: оно будет взято на контроль при утверждении ответа.",
        fallback,
    )


@staff_required()
@require_POST
def draft_edit(request: HttpRequest, promise_id: int) -> HttpResponse:
    promise = promise_for_user(_user(request), promise_id)
    fallback = f"{promise.appeal.get_absolute_url()}#question-{promise.question_id}"
    if request.POST.get("remove"):
        return _run(
            request,
            lambda: services.promise_remove_draft(promise=promise, actor=_user(request)),
            "Обещание убрано из ответа.",
            fallback,
        )
    form = DraftForm(request.POST, prefix=f"d{promise.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(fallback)
    d = form.cleaned_data
    return _run(
        request,
        lambda: services.promise_update_draft(
            promise=promise,
            actor=_user(request),
            sentence=d["sentence"],
            due_date=d["due_date"],
            responsible=d["responsible"],
        ),
        "Обещание исправлено.",
        fallback,
    )


@staff_required()
@require_POST
def status_change(request: HttpRequest, promise_id: int) -> HttpResponse:
    promise = promise_for_user(_user(request), promise_id)
    fallback = f"{promise.appeal.get_absolute_url()}#promise-{promise.pk}"
    form = StatusForm(request.POST, prefix=f"s{promise.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, fallback)
    d = form.cleaned_data
    label = PromiseStatus(d["status"]).label
    return _run(
        request,
        lambda: services.promise_change_status(
            promise=promise, actor=_user(request), status=d["status"], note=d["note"], due_date=d["due_date"]
        ),
        f"Обещание: «{label}». Сообщение заявителям подготовлено.",
        fallback,
    )
