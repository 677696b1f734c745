"""Webhooks of the messenger channels: the Telegram bot and the VK community's Callback API.
Both are called by the networks' servers, not by browsers: no session, no CSRF token; each
checks the secret it was set up with before reading anything."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from intake import telegram, vk

# An update or an event is a small JSON object: files are fetched by reference, never posted.
MAX_BODY = 1024 * 1024


def _too_large(request: HttpRequest) -> bool:
    declared = request.META.get("CONTENT_LENGTH") or "0"
    return not declared.isdigit() or int(declared) > MAX_BODY


def _text(status: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return _text(403, "Неверный секретный токен.")
    if _too_large(request):
        return _text(413, f"Обновление больше {MAX_BODY // 1024} КБ.")
    try:
        telegram.update_handle(request.body)
    except telegram.UpdateRefused as exc:
        return _text(400, str(exc))
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def vk_callback(request: HttpRequest) -> HttpResponse:
    if _too_large(request):
        return _text(413, f"Событие больше {MAX_BODY // 1024} КБ.")
    try:
        answer = vk.callback_handle(request.body)
    except vk.CallbackRefused as exc:
        return _text(exc.status, str(exc))
    return _text(200, answer)
