"""Staff pages of delivery: undelivered messages with retry/cancel/redirect, and printing for the post."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from delivery import services
from delivery.choices import DeliveryChannel
from delivery.models import OutboxMessage, PrintBatch
from org.choices import RoleCode
from org.decorators import staff_required

MANAGERS = (RoleCode.OPERATOR, RoleCode.CONTROLLER, RoleCode.ADMINISTRATOR)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _back(request: HttpRequest, message: OutboxMessage) -> HttpResponse:
    target = request.POST.get("next", "")
    if target == "appeal" and message.appeal_id:
        return redirect("appeals:detail", message.appeal_id)
    return redirect("delivery:failed")


@staff_required(*MANAGERS)
@require_GET
def failed_list(request: HttpRequest) -> HttpResponse:
    rows = list(services.failed_messages().order_by("-updated_at")[:300])
    return render(request, "delivery/failed.html", {"rows": rows, "channels": DeliveryChannel.choices})


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, pk=pk)
    try:
        if action == "retry":
            services.outbox_retry(message=message, actor=_user(request))
            messages.success(request, "Отправка повторена.")
        elif action == "cancel":
            services.outbox_cancel(message=message, actor=_user(request))
            messages.success(request, "Отправка отменена.")
        else:
            services.outbox_redirect(
                message=message,
                actor=_user(request),
                channel=request.POST.get("channel", ""),
                address=request.POST.get("address", ""),
            )
            messages.success(request, "Сообщение отправлено другим каналом.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, message)


@staff_required(*MANAGERS)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "retry")


@staff_required(*MANAGERS)
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@staff_required(*MANAGERS)
@require_POST
def redirect_channel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "redirect")


@staff_required(*MANAGERS)
def print_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            batch = services.print_batch_create(actor=_user(request), sender=request.POST.get("sender", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Пакет на {batch.count} писем готов к печати.")
        return redirect("delivery:print")
    return render(
        request,
        "delivery/print.html",
        {"queue": list(services.print_queue().order_by("pk")[:500]), "batches": PrintBatch.objects.all()[:30]},
    )


@staff_required(*MANAGERS)
@require_GET
def print_batch_file(request: HttpRequest, pk: int) -> FileResponse:
    batch = get_object_or_404(PrintBatch, pk=pk)
    try:
        handle = batch.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("Файл пакета не найден") from None
    return FileResponse(handle, as_attachment=True, filename=f"print-{batch.pk}.pdf", content_type="application/pdf")
