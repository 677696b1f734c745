"""«Входящие → Скан письма»: taking in a paper scan, and checking its recognised text beside the
page images before registration."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from classification.selectors import question_codes
from intake import rules, scans
from intake.choices import ItemStatus
from intake.forms import ScanCheckForm, ScanUploadForm
from intake.models import IncomingItem
from intake.operator import operator_document
from intake.views import _user
from org.decorators import staff_required
from org.selectors import actor_for


@staff_required(*rules.HANDLERS)
def scan_upload(request: HttpRequest) -> HttpResponse:
    form = ScanUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            receipt = scans.scan_receive(
                name=upload.name or "скан",
                content=upload.read(),
                actor=_user(request),
                channel=form.cleaned_data["channel"],
                received_at=form.cleaned_data["received_at"],
            )
        except ValidationError as exc:
            form.add_error("file", " ".join(exc.messages))
        else:
            item = receipt.item
            item.refresh_from_db()
            if receipt.created:
                waiting = ", идёт распознавание" if item.status == ItemStatus.RECEIVED else ""
                messages.success(request, f"Скан принят (входящее № {item.pk}){waiting}.")
            else:
                messages.info(request, f"Этот скан уже был принят: входящее № {item.pk}.")
            return redirect("intake:scan", pk=item.pk)
    return render(request, "intake/scan_upload.html", {"form": form})


def _scan_item(pk: int) -> IncomingItem:
    item = get_object_or_404(IncomingItem.objects.select_related("appeal"), pk=pk)
    if not scans.is_scan(item):
        raise Http404("Это входящее — не скан письма.")
    return item


def _initial(item: IncomingItem) -> dict[str, object]:
    """What the operator checked before, else what the recognised text suggests."""
    if item.checked:
        checked = item.checked
        applicant = checked.get("applicant") or {}
        choices = checked.get("operator") or {}
        return {
            "text": checked.get("text", ""),
            "summary": checked.get("summary", ""),
            "kind": checked.get("kind", ""),
            "addressee": checked.get("addressee", ""),
            "surname": applicant.get("surname", ""),
            "first_name": applicant.get("first_name", ""),
            "patronymic": applicant.get("patronymic", ""),
            "organisation_name": applicant.get("organisation", ""),
            "applicant_kind": "organisation" if applicant.get("organisation") else "person",
            "email": applicant.get("email", ""),
            "phone": applicant.get("phone", ""),
            "postal_address": applicant.get("address", ""),
            "consent_personal_data": checked.get("consent_personal_data", False),
            "applicant_id": choices.get("applicant_id"),
            "gender": choices.get("gender", ""),
            "qtype": choices.get("qtype") or "statement",
            "classifier_code": choices.get("classifier_code", ""),
            "department": choices.get("department_id"),
        }
    text = scans.scan_text(item)
    return scans.scan_prefill(text) if text else {}


@staff_required(*rules.VIEWERS)
def scan_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan's pages beside the registration card filled from the recognised text."""
    item = _scan_item(pk)
    can_handle = rules.can_handle_item(actor_for(request.user))
    if request.method == "POST":
        if not can_handle:
            return HttpResponse("Регистрировать может оператор или администратор.", status=403)
        form = ScanCheckForm(request.POST)
        if form.is_valid():
            try:
                item = scans.scan_register(
                    item=item, actor=_user(request), document=operator_document(form.cleaned_data, user=_user(request))
                )
            except ValidationError as exc:
                form.add_error(None, " ".join(exc.messages))
            else:
                if item.appeal is not None:
                    messages.success(request, f"Обращение зарегистрировано под № {item.appeal.number}.")
                    return redirect(item.appeal.get_absolute_url())
                form.add_error(None, item.error or "Регистрация не завершилась.")
    else:
        form = ScanCheckForm(initial=_initial(item))
    pages = list(item.scan_pages.all())
    context = {
        "item": item,
        "pages": pages,
        "form": form,
        "can_handle": can_handle,
        "waiting": item.status == ItemStatus.RECEIVED,
        "codes": question_codes().only("code", "name")[:3000],
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        # The waiting page asks every few seconds; once recognised, the whole page is reloaded.
        if context["waiting"]:
            return render(request, "intake/_scan_waiting.html", context)
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "intake/scan_check.html", context)


@staff_required(*rules.VIEWERS)
@require_GET
def scan_page(request: HttpRequest, pk: int, number: int) -> FileResponse:
    """One page image of a scan (JPEG), for the preview beside the text."""
    item = _scan_item(pk)
    page = item.scan_pages.filter(number=number).first()
    if page is None:
        raise Http404("Нет такой страницы.")
    response = FileResponse(page.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response
