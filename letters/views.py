"""Staff pages of letters: draft from the appeal card, edit, register, send, download; usage of wordings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import appeal_for_user
from letters import rules, services
from letters.choices import LetterStatus
from letters.forms import LetterEditForm, LetterNewForm, SendForm
from letters.models import Letter
from letters.selection import usage
from org.choices import RoleCode
from org.decorators import staff_required
from org.selectors import actor_for
from people.services import personal_data_accessed

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _letter_for(request: HttpRequest, pk: int) -> Letter:
    """A letter of an appeal the user may see; anything else is not found."""
    letter = get_object_or_404(Letter.objects.select_related("appeal", "applicant", "template", "group"), pk=pk)
    appeal_for_user(_user(request), letter.appeal_id)
    return letter


def _log_access(request: HttpRequest, letter: Letter) -> None:
    """The letter carries the applicant's name and address: seeing it is logged like the card."""
    if letter.applicant is not None:
        personal_data_accessed(
            user=_user(request), applicants=[letter.applicant], context=f"письмо к обращению {letter.appeal.number}"
        )


def _run(request: HttpRequest, action: Callable[[], Any], success: str, fallback: str) -> Any:
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None
    messages.success(request, success)
    return result or fallback


@staff_required()
@require_POST
def letter_new(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), appeal_id)
    form = LetterNewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Письмо не подготовлено: проверьте поля формы.")
        return redirect(appeal.get_absolute_url() + "#letters")
    letter = _run(
        request,
        lambda: services.letter_prepare(
            appeal=appeal,
            actor=_user(request),
            situation=form.cleaned_data["situation"],
            template=form.cleaned_data["template"],
            extra=form.extra(),
        ),
        "Проект письма подготовлен.",
        "",
    )
    if isinstance(letter, Letter):
        return redirect("letters:detail", letter.pk)
    return redirect(appeal.get_absolute_url() + "#letters")


@staff_required()
@require_GET
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk)
    actor = actor_for(request.user)
    _log_access(request, letter)
    composition = services.answer_composition(letter.appeal)
    from delivery.services import channel_for

    return render(
        request,
        "letters/detail.html",
        {
            "letter": letter,
            "appeal": letter.appeal,
            "doc": services.document_for(letter),
            "composition": composition,
            "can_edit": rules.can_edit(actor, letter),
            "can_issue": rules.can_issue(actor, letter),
            "can_send": letter.status == LetterStatus.ISSUED and rules.can_issue_or_send(actor, letter),
            "can_cancel": rules.can_cancel(actor, letter),
            "edit_form": LetterEditForm(initial={"subject": letter.subject, "text": letter.text}),
            "send_form": SendForm(),
            "default_channel": channel_for(letter.appeal, letter.applicant),
            "deliveries": letter.appeal.outbox.filter(kind__startswith="letter:").order_by("-created_at")[:20],
        },
    )


@staff_required()
@require_POST
def letter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk)
    form = LetterEditForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.letter_edit(
                letter=letter,
                actor=_user(request),
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
            ),
            "Текст письма сохранён.",
            "",
        )
    else:
        messages.error(request, "Тема и текст письма обязательны.")
    return redirect("letters:detail", letter.pk)


@staff_required()
@require_POST
def letter_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Register the letter; with «send» also queue it for delivery in the chosen (or receipt) channel."""
    letter = _letter_for(request, pk)
    form = SendForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else ""

    def issue_and_send() -> None:
        issued = services.letter_issue(letter=letter, actor=_user(request))
        if request.POST.get("send"):
            services.letter_send(letter=issued, actor=_user(request), channel=channel or None)

    _run(request, issue_and_send, "Письмо зарегистрировано.", "")
    return redirect("letters:detail", letter.pk)


@staff_required()
@require_POST
def letter_send(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk)
    form = SendForm(request.POST)
    channel = form.cleaned_data["channel"] if form.is_valid() else ""
    _run(
        request,
        lambda: services.letter_send(letter=letter, actor=_user(request), channel=channel or None),
        "Письмо поставлено в отправку.",
        "",
    )
    return redirect("letters:detail", letter.pk)


@staff_required()
@require_POST
def letter_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    letter = _letter_for(request, pk)
    _run(
        request,
        lambda: services.letter_cancel(letter=letter, actor=_user(request), reason=request.POST.get("reason", "")),
        "Письмо отменено.",
        "",
    )
    return redirect("letters:detail", letter.pk)


@staff_required()
@require_GET
def letter_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The letter as PDF, DOCX, HTML or text: the stored file once registered, a marked draft before."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Нет такого формата")
    letter = _letter_for(request, pk)
    _log_access(request, letter)
    stored = letter.pdf if fmt == "pdf" else None
    if letter.is_issued and fmt == "docx":
        data = services.letter_docx(letter)
    elif letter.is_issued and stored:
        try:
            with stored.open("rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise Http404("Файл письма не найден в хранилище") from None
    else:
        data = services.render_letter(letter, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = (letter.number or f"proekt-{letter.pk}").replace("/", "-")
    if fmt in ("pdf", "docx"):
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    return response


@staff_required(RoleCode.ADMINISTRATOR, RoleCode.CONTROLLER)
@require_GET
def template_usage(request: HttpRequest) -> HttpResponse:
    days = 30
    return render(request, "letters/usage.html", {"rows": usage(days), "days": days})
