"""«Входящие»: what the channels delivered, what failed and why, retry and disposition."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from intake import rules, services
from intake.choices import ItemStatus
from intake.forms import DispositionForm, InboxFilterForm
from intake.models import IncomingItem
from intake.selectors import inbox, status_counts
from org.decorators import staff_required
from org.selectors import actor_for

PREVIEW_BYTES = 20_000


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _context(request: HttpRequest, item: IncomingItem) -> dict[str, object]:
    return {"item": item, "can_handle": rules.can_handle_item(actor_for(request.user)), "form": DispositionForm()}


@staff_required(*rules.VIEWERS)
@require_GET
def inbox_list(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(inbox(filters), settings.OTKLIK_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = status_counts()
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "counts": [(label, counts.get(value, 0)) for value, label in ItemStatus.choices],
        "can_handle": rules.can_handle_item(actor_for(request.user)),
        "disposition_form": DispositionForm(),
    }
    template = "intake/_results.html" if request.headers.get("HX-Request") else "intake/inbox.html"
    return render(request, template, context)


@staff_required(*rules.VIEWERS)
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(IncomingItem.objects.select_related("appeal", "dispositioned_by"), pk=pk)
    preview = ""
    try:
        if not item.is_scan:  # a scan's pages are shown on its own page, not as bytes
            with item.payload.open("rb") as stream:
                head = stream.read(PREVIEW_BYTES)
            preview = head.decode("utf-8", errors="replace")
    except OSError:
        preview = ""
    return render(
        request,
        "intake/item.html",
        {**_context(request, item), "preview": preview, "truncated": item.payload_size > PREVIEW_BYTES},
    )


@staff_required(*rules.VIEWERS)
@require_GET
def item_payload(request: HttpRequest, pk: int) -> FileResponse:
    """The payload exactly as received (for a person to open the letter in a mail program)."""
    item = get_object_or_404(IncomingItem, pk=pk)
    stored = str(item.payload.name)
    extension = stored.rsplit(".", 1)[-1] if "." in stored else "bin"
    return FileResponse(
        item.payload.open("rb"),
        as_attachment=True,
        filename=f"incoming-{item.pk}.{extension}",
        content_type=item.content_type,
    )


def _answer(request: HttpRequest, item: IncomingItem) -> HttpResponse:
    if request.headers.get("HX-Request"):
        item.refresh_from_db()
        return render(request, "intake/_row.html", {**_context(request, item), "disposition_form": DispositionForm()})
    return redirect(request.POST.get("next") or "intake:inbox")


@staff_required(*rules.HANDLERS)
@require_POST
def item_retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(IncomingItem, pk=pk)
    try:
        item = services.item_retry(item=item, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Регистрация поставлена в очередь повторно.")
    return _answer(request, item)


@staff_required(*rules.HANDLERS)
@require_POST
def item_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(IncomingItem, pk=pk)
    form = DispositionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите решение: не обращение, спам или дубликат.")
        return _answer(request, item)
    try:
        item = services.item_disposition(
            item=item,
            actor=_user(request),
            disposition=form.cleaned_data["disposition"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Входящее № {item.pk}: {item.get_disposition_display().lower()}.")
    return _answer(request, item)
