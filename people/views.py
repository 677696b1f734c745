"""Applicant pages: the card with the whole history, possible duplicates, merging and its undo,
the review queue and the batch search with its progress."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import DeadlineMarker
from org.choices import RoleCode
from org.decorators import staff_required
from org.selectors import actor_for
from people import rules, services
from people.forms import DedupStartForm, MergeForm, parse_ids
from people.matching import find_candidates
from people.matching.record import MatchRecord
from people.models import Applicant, ApplicantMerge, DuplicateSuspicion
from people.selectors import (
    applicant_for_user,
    applicant_history,
    candidate_rows,
    dedup_runs,
    merge_history,
    review_queue,
)

MERGERS = (RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@staff_required()
@require_GET
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant card: every visible appeal with its questions, answers and outcomes, the
    channels used, repeated questions marked; possible duplicates for those who may merge."""
    applicant = applicant_for_user(_user(request), pk)
    if applicant.pk != pk:
        messages.info(request, f"Карточка № {pk} объединена с этой карточкой.")
        return redirect("people:applicant", pk=applicant.pk)
    history = applicant_history(request.user, applicant)
    marker = DeadlineMarker()
    for row in history.appeals:
        row.state = marker.appeal(row.appeal)
    can_merge = rules.can_merge(actor_for(request.user))
    duplicates = []
    if can_merge and applicant.match_profile and applicant.anonymised_at is None:
        duplicates = candidate_rows(
            find_candidates(MatchRecord.from_json(applicant.match_profile), exclude={applicant.pk})
        )
    shown = [applicant, *(row.applicant for row in duplicates)]
    services.personal_data_accessed(user=_user(request), applicants=shown, context="карточка заявителя")
    return render(
        request,
        "people/applicant.html",
        {
            "applicant": applicant,
            "contacts": list(applicant.contacts.all()),
            "history": history,
            "duplicates": duplicates,
            "can_merge": can_merge,
        },
    )


def _merge_cards(request: HttpRequest, raw_ids: str) -> list[Applicant]:
    ids = parse_ids(raw_ids)
    cards = {a.pk: a for a in Applicant.objects.filter(pk__in=ids).prefetch_related("contacts")}
    if len(cards) != len(ids):
        raise ValidationError("Одна из карточек не найдена.")
    return [cards[i] for i in ids]


@staff_required(*MERGERS)
def merge(request: HttpRequest) -> HttpResponse:
    """Cards side by side, field by field; the operator picks the surviving card and the values."""
    raw = request.POST.get("ids") if request.method == "POST" else request.GET.get("ids", "")
    try:
        cards = _merge_cards(request, raw or "")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("people:queue")
    ids = [c.pk for c in cards]
    if request.method == "POST":
        form = MergeForm(request.POST, card_ids=ids)
        if form.is_valid():
            target = next(c for c in cards if c.pk == form.cleaned_data["target"])
            try:
                record = services.applicants_merge(
                    target=target,
                    others=[c for c in cards if c.pk != target.pk],
                    actor=_user(request),
                    choices=form.choices(),
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                form.add_error(None, _errors(exc))
            except IntegrityError:
                form.add_error(None, "Карточки изменились одновременно с вашим действием. Обновите страницу.")
            else:
                messages.success(request, f"Карточки объединены (объединение № {record.pk}); его можно отменить.")
                return redirect("people:applicant", pk=target.pk)
    else:
        oldest = min(cards, key=lambda c: c.pk)
        form = MergeForm(card_ids=ids, initial={"target": oldest.pk})
    appeal_counts = {c.pk: c.signed.count() for c in cards}
    rows = []
    for name in services.MERGE_FIELDS:
        label = str(getattr(Applicant._meta.get_field(name), "verbose_name", name)).capitalize()
        values = [(c.pk, getattr(c, f"get_{name}_display")() if name == "gender" else getattr(c, name)) for c in cards]
        if not any(v for _, v in values):
            continue
        default = next((pk for pk, v in values if v), ids[0])
        chosen = form.data.get(f"field_{name}") if form.is_bound else None
        rows.append({"name": name, "label": label, "values": values, "chosen": str(chosen or default)})
    services.personal_data_accessed(user=_user(request), applicants=cards, context="объединение карточек")
    return render(
        request,
        "people/merge.html",
        {
            "cards": cards,
            "ids": ",".join(map(str, ids)),
            "form": form,
            "rows": rows,
            "appeal_counts": appeal_counts,
            "target_chosen": str(form.data.get("target") if form.is_bound else form.initial.get("target")),
        },
    )


@staff_required(*MERGERS)
@require_POST
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(ApplicantMerge, pk=pk)
    try:
        services.applicant_merge_undo(merge=record, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except IntegrityError:
        messages.error(request, "Карточки изменились одновременно с вашим действием. Обновите страницу.")
    else:
        messages.success(request, f"Объединение № {record.pk} отменено: карточки восстановлены.")
    return redirect("people:applicant", pk=record.target_id)


@staff_required(*MERGERS)
@require_GET
def merges(request: HttpRequest) -> HttpResponse:
    """The audit of merges: who merged which cards when, and undone ones."""
    page = Paginator(merge_history().order_by("-at", "-pk"), settings.OTKLIK_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "people/merges.html", {"page": page})


@staff_required(*MERGERS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Pairs of cards that may be one person, waiting for an operator."""
    page = Paginator(review_queue(), settings.OTKLIK_PAGE_SIZE).get_page(request.GET.get("page"))
    shown = [a for s in page.object_list for a in (s.first, s.second)]
    if shown:
        services.personal_data_accessed(user=_user(request), applicants=shown, context="очередь возможных дубликатов")
    return render(request, "people/queue.html", {"page": page})


@staff_required(*MERGERS)
@require_POST
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    suspicion = get_object_or_404(DuplicateSuspicion, pk=pk)
    try:
        services.suspicion_dismiss(suspicion=suspicion, actor=_user(request))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Отмечено: это разные люди. Пара больше не будет предлагаться.")
    return redirect(request.POST.get("next") or reverse("people:queue"))


@staff_required(*MERGERS)
def dedup(request: HttpRequest) -> HttpResponse:
    """Batch search for duplicates: start (administrator) and follow the progress."""
    form = DedupStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.dedup_run_start(actor=_user(request), auto_merge=form.cleaned_data["auto_merge"])
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, f"Проверка № {run.pk} запущена.")
        return redirect("people:dedup")
    runs = list(dedup_runs()[:10])
    context: dict[str, Any] = {
        "form": form,
        "runs": runs,
        "can_start": rules.can_run_batch(actor_for(request.user)),
        "pending": review_queue().count(),
    }
    return render(request, "people/dedup.html", context)


@staff_required(*MERGERS)
@require_GET
def dedup_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: one run's progress bar, polled while it runs."""
    run = get_object_or_404(dedup_runs(), pk=pk)
    return render(request, "people/_dedup_run.html", {"run": run})
