"""Public pages of the internet reception: the form, the code, the confirmation with the number.
No login; the pages after the form are reached only through an unguessable token and show no
personal data — only the registration number and date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from intake.forms import CodeForm, ReceptionForm
from intake.models import WebSubmission
from intake.reception import ReceptionData, submission_confirm, submission_start


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "unknown")


@require_http_methods(["GET", "POST"])
def reception_form(request: HttpRequest) -> HttpResponse:
    form = ReceptionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = submission_start(
                data=ReceptionData(
                    surname=data["surname"],
                    first_name=data["first_name"],
                    patronymic=data["patronymic"],
                    email=data["email"],
                    phone=data["phone"],
                    postal_address=data["postal_address"],
                    addressee=data["addressee"],
                    text=data["text"],
                ),
                uploads=data["attachments"],
                address=_address(request),
                consent=data["consent"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("reception:confirm", token=submission.token)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/reception/form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def reception_confirm(request: HttpRequest, token: str) -> HttpResponse:
    submission = get_object_or_404(WebSubmission, token=token)
    if submission.item_id is not None:
        return redirect("reception:done", token=token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission_confirm(submission=submission, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return redirect("reception:done", token=token)
    return render(request, "intake/reception/confirm.html", {"form": form, "submission": submission})


def reception_done(request: HttpRequest, token: str) -> HttpResponse:
    submission = get_object_or_404(WebSubmission.objects.select_related("item__appeal"), token=token)
    if submission.item is None:
        return redirect("reception:confirm", token=token)
    template = "intake/reception/_status.html" if request.headers.get("HX-Request") else "intake/reception/done.html"
    return render(request, template, {"item": submission.item, "appeal": submission.item.appeal})
