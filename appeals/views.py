"""Staff pages: dashboard, registry, appeal card, registration and the card's actions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from appeals import rules, services
from appeals.choices import Kind
from appeals.exports import csv_stream, xlsx_file
from appeals.forms import (
    AnswerForm,
    AppealEditForm,
    AssignForm,
    AttachForm,
    NoteForm,
    QuestionEditForm,
    RegistrationForm,
    RegistryFilterForm,
)
from appeals.models import Appeal, Attachment, Question
from appeals.selectors import (
    DeadlineMarker,
    appeal_for_user,
    my_questions,
    question_for_user,
    registry,
    timeline,
    unassigned_questions,
    with_list_relations,
)
from classification.selectors import question_codes
from org.choices import RoleCode
from org.decorators import staff_required
from org.models import Body
from org.selectors import actor_for
from people.choices import DataAccessAction
from people.matching import MatchQuery, match
from people.models import Applicant
from people.selectors import candidate_rows
from people.services import (
    personal_data_accessed,
)


def _user(request: HttpRequest) -> User:
    """The logged-in user of a view guarded by staff_required."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return user


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@staff_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    """«Мои задачи»: my open questions by deadline, overdue and at-risk first to the eye."""
    actor = actor_for(request.user)
    marker = DeadlineMarker()
    tasks = list(my_questions(request.user)[:200])
    rows = [(q, marker.question(q)) for q in tasks]
    counts = {state: sum(1 for _, s in rows if s == state) for state in ("overdue", "at_risk", "ok")}
    unassigned: list[Question] = []
    if actor.has(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR):
        unassigned = list(unassigned_questions()[:50])
    return render(
        request,
        "appeals/dashboard.html",
        {"rows": rows, "counts": counts, "unassigned": unassigned, "today": marker.today},
    )


def _registry_queryset(request: HttpRequest) -> tuple[RegistryFilterForm, Any]:
    form = RegistryFilterForm(request.GET or None)
    return form, registry(_user(request), form.to_filter())


@staff_required()
@require_GET
def registry_list(request: HttpRequest) -> HttpResponse:
    form, qs = _registry_queryset(request)
    paginator = Paginator(with_list_relations(qs), settings.OTKLIK_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    marker = DeadlineMarker()
    rows = [(a, marker.appeal(a)) for a in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode()}
    template = "appeals/_registry_results.html" if request.headers.get("HX-Request") else "appeals/registry.html"
    return render(request, template, context)


@staff_required()
@require_GET
def registry_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse | FileResponse:
    """The filtered registry as XLSX or CSV; personal data only on request, for controllers, logged."""
    actor = actor_for(request.user)
    personal = request.GET.get("personal") == "1"
    if personal and not actor.can_export_personal_data:
        raise PermissionDenied("Выгрузка с персональными данными доступна контролёру и администратору.")
    _, qs = _registry_queryset(request)
    limit = settings.OTKLIK_EXPORT_MAX_ROWS
    if personal:
        applicants = Applicant.objects.filter(appeals__in=qs.values("pk")[:limit]).distinct()
        personal_data_accessed(
            user=_user(request),
            applicants=applicants,
            action=DataAccessAction.EXPORT,
            context="выгрузка реестра",
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_stream(qs, personal=personal, limit=limit), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="appeals-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        return FileResponse(
            xlsx_file(qs, personal=personal, limit=limit),
            as_attachment=True,
            filename=f"appeals-{stamp}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404("Неизвестный формат")


def _card_context(request: HttpRequest, appeal: Appeal) -> dict[str, Any]:
    actor = actor_for(request.user)
    marker = DeadlineMarker()
    questions = list(appeal.questions.select_related("classifier", "department", "executor__user").order_by("position"))
    signatories = list(appeal.signatories.select_related("applicant").prefetch_related("applicant__contacts"))
    question_rows = []
    for q in questions:
        question_rows.append(
            {
                "q": q,
                "state": marker.question(q),
                "can_assign": rules.can_assign(actor, q),
                "can_answer": rules.can_answer(actor, q),
                "can_approve": rules.can_approve(actor, q),
                "can_edit": rules.can_edit_appeal(actor, appeal) or rules.can_assign(actor, q),
                "assign_form": AssignForm(
                    prefix=f"q{q.pk}",
                    initial={"department": q.department_id, "executor": q.executor_id, "due_date": q.due_date},
                ),
                "answer_form": AnswerForm(
                    prefix=f"a{q.pk}",
                    initial={"answer": q.answer, "outcome": q.outcome, "measures_taken": q.measures_taken},
                ),
                "edit_form": QuestionEditForm(
                    prefix=f"e{q.pk}",
                    initial={
                        "text": q.text,
                        "qtype": q.qtype,
                        "classifier_code": q.classifier.code if q.classifier else "",
                    },
                ),
            }
        )
    events = timeline(appeal)
    return {
        "appeal": appeal,
        "state": marker.appeal(appeal),
        "signatories": signatories,
        "question_rows": question_rows,
        "attachments": list(appeal.attachments.all()),
        "events": events,
        "can_edit": rules.can_edit_appeal(actor, appeal),
        "can_close": rules.can_close(actor, appeal),
        "edit_form": AppealEditForm(
            initial={
                "kind": appeal.kind,
                "channel": appeal.channel,
                "addressee": appeal.addressee,
                "summary": appeal.summary,
                "text": appeal.text,
            }
        ),
        "note_form": NoteForm(),
        "attach_form": AttachForm(),
        "repeats": list(appeal.repeats.only("pk", "number", "registered_at")),
        "max_attachment_mb": settings.OTKLIK_MAX_ATTACHMENT_MB,
        "codes": question_codes().only("code", "name")
        if any(r["can_edit"] for r in question_rows) or rules.can_edit_appeal(actor, appeal)
        else None,
    }


@staff_required()
@require_GET
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    context = _card_context(request, appeal)
    personal_data_accessed(
        user=_user(request),
        applicants=[s.applicant for s in context["signatories"]],
        context=f"карточка обращения {appeal.number}",
    )
    return render(request, "appeals/detail.html", context)


@staff_required()
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    appeal = appeal_for_user(_user(request), pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, appeal=appeal)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Файл вложения не найден в хранилище") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
    )


def _run_action(request: HttpRequest, appeal: Appeal, action: Callable[[], Any], success: str) -> HttpResponse:
    """Call a service; report its validation error to the user and change nothing."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except IntegrityError:
        messages.error(request, "Данные изменились одновременно с вашим действием. Обновите страницу и повторите.")
    else:
        messages.success(request, success)
    return redirect(appeal.get_absolute_url())


def _form_errors(form: Any) -> str:
    parts = []
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.append(f"{label + ': ' if label else ''}{' '.join(errs)}")
    return "; ".join(parts)


@staff_required()
@require_POST
def question_assign(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    appeal = question.appeal
    if appeal.pk != pk:
        raise Http404
    form = AssignForm(request.POST, prefix=f"q{question.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(appeal.get_absolute_url())
    d = form.cleaned_data
    return _run_action(
        request,
        appeal,
        lambda: services.question_assign(
            question=question,
            actor=_user(request),
            department=d["department"],
            executor=d["executor"],
            due_date=d["due_date"],
            note=d["note"],
        ),
        f"Вопрос {question.position}: исполнитель назначен.",
    )


@staff_required()
@require_POST
def question_answer(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    if question.appeal_id != pk:
        raise Http404
    form = AnswerForm(request.POST, prefix=f"a{question.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(question.appeal.get_absolute_url())
    d = form.cleaned_data
    return _run_action(
        request,
        question.appeal,
        lambda: services.question_submit_answer(
            question=question,
            actor=_user(request),
            answer=d["answer"],
            outcome=d["outcome"],
            measures_taken=d["measures_taken"],
        ),
        f"Вопрос {question.position}: ответ отправлен на согласование.",
    )


@staff_required()
@require_POST
def question_decide(request: HttpRequest, pk: int, question_id: int, decision: str) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    if question.appeal_id != pk:
        raise Http404
    note = request.POST.get("note", "")
    if decision == "approve":
        return _run_action(
            request,
            question.appeal,
            lambda: services.question_approve(question=question, actor=_user(request), note=note),
            f"Вопрос {question.position}: ответ утверждён.",
        )
    if decision == "return":
        return _run_action(
            request,
            question.appeal,
            lambda: services.question_return(question=question, actor=_user(request), note=note),
            f"Вопрос {question.position}: возвращён исполнителю.",
        )
    raise Http404


@staff_required()
@require_POST
def question_edit(request: HttpRequest, pk: int, question_id: int) -> HttpResponse:
    question = question_for_user(_user(request), question_id)
    if question.appeal_id != pk:
        raise Http404
    form = QuestionEditForm(request.POST, prefix=f"e{question.pk}")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(question.appeal.get_absolute_url())
    d = form.cleaned_data
    return _run_action(
        request,
        question.appeal,
        lambda: services.question_update(
            question=question,
            actor=_user(request),
            text=d["text"],
            qtype=d["qtype"],
            classifier=d["classifier_code"],
        ),
        f"Вопрос {question.position} изменён.",
    )


@staff_required()
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    form = QuestionEditForm(request.POST, prefix="new")
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(appeal.get_absolute_url())
    d = form.cleaned_data
    return _run_action(
        request,
        appeal,
        lambda: services.question_add(
            appeal=appeal,
            actor=_user(request),
            draft=services.QuestionDraft(text=d["text"], qtype=d["qtype"], classifier=d["classifier_code"]),
        ),
        "Вопрос добавлен.",
    )


@staff_required()
@require_POST
def appeal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    form = AppealEditForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(appeal.get_absolute_url())
    return _run_action(
        request,
        appeal,
        lambda: services.appeal_update(appeal=appeal, actor=_user(request), **form.cleaned_data),
        "Регистрационные данные сохранены.",
    )


@staff_required()
@require_POST
def appeal_close(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    return _run_action(
        request,
        appeal,
        lambda: services.appeal_close(appeal=appeal, actor=_user(request), note=request.POST.get("note", "")),
        "Обращение снято с контроля.",
    )


@staff_required()
@require_POST
def appeal_comment(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(appeal.get_absolute_url())
    return _run_action(
        request,
        appeal,
        lambda: services.appeal_comment(appeal=appeal, actor=_user(request), text=form.cleaned_data["note"]),
        "Комментарий добавлен.",
    )


@staff_required()
@require_POST
def appeal_attach(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(_user(request), pk)
    form = AttachForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(appeal.get_absolute_url())
    return _run_action(
        request,
        appeal,
        lambda: services.attachments_add(appeal=appeal, actor=_user(request), files=form.cleaned_data["files"]),
        "Вложения добавлены.",
    )


@staff_required(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)
def appeal_register(request: HttpRequest) -> HttpResponse:
    """The operator's registration card for paper, phone and personal reception. The card goes
    through the entry service (`intake.operator`) like any channel and is registered at once;
    a hidden submission id makes a second click of the same card the same appeal."""
    from intake.models import IncomingItem
    from intake.operator import operator_document, operator_submit

    body = Body.objects.order_by("pk").first()
    if body is None:
        messages.error(request, "Сначала создайте орган в разделе администрирования.")
        return redirect("dashboard")
    form = RegistrationForm(request.POST or None, request.FILES or None)
    failed: IncomingItem | None = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = _user(request)
        try:
            item = operator_submit(
                document=operator_document(d, user=user, files=d["attachments"]),
                submission_id=str(d.get("submission") or uuid.uuid4()),
                channel=d["channel"],
                received_at=d["received_at"],
                body=body,
                user=user,
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if item.appeal is not None:
                messages.success(request, f"Обращение зарегистрировано под № {item.appeal.number}.")
                return redirect(item.appeal.get_absolute_url())
            failed = item
            form.add_error(None, item.error or "Регистрация не завершилась.")
            # The failed card stays in «Входящие»; sending the corrected form is a new delivery.
            data = request.POST.copy()
            data["submission"] = str(uuid.uuid4())
            form.data = data
    return render(
        request,
        "appeals/register.html",
        {"form": form, "failed": failed, "codes": question_codes().only("code", "name")[:3000], "kinds": Kind},
    )


@staff_required(RoleCode.OPERATOR, RoleCode.ADMINISTRATOR)
@require_GET
def applicant_lookup(request: HttpRequest) -> HttpResponse:
    """htmx: the card this applicant already has, if any — linked at once when certain, proposed
    otherwise — with the reasons, while the operator types and before anything is saved."""
    g = request.GET
    result = match(
        MatchQuery(
            surname=g.get("surname", "")[:150],
            first_name=g.get("first_name", "")[:150],
            patronymic=g.get("patronymic", "")[:150],
            phones=[g.get("phone", "")[:50]],
            emails=[g.get("email", "")[:254]],
            postal_addresses=[g.get("postal_address", "")[:500]],
            kind=g.get("applicant_kind") or "person",
            organisation_name=g.get("organisation_name", "")[:500],
        )
    )
    rows = candidate_rows(result.candidates)
    if rows:
        personal_data_accessed(
            user=_user(request),
            applicants=[r.applicant for r in rows],
            context="поиск заявителя при регистрации",
        )
    return render(request, "appeals/_applicant_candidates.html", {"rows": rows, "decision": result.decision})


@staff_required()
@require_GET
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant card moved to people; old links lead there."""
    return redirect("people:applicant", pk=pk)
