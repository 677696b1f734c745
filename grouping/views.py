"""Group pages, the card's group and split actions, and the public page of a published answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from appeals.selectors import appeal_for_user, question_for_user
from core.text import fold
from grouping import rules, selectors, services
from grouping.choices import GroupStatus, ProposalState
from grouping.forms import GroupAnswerForm, GroupFilterForm, LeadForm, RenameForm, parse_assignment
from grouping.models import MatchProposal, MemberAnswer, SubjectGroup
from org.decorators import staff_required
from org.selectors import actor_for
from people.models import Applicant
from people.services import personal_data_accessed


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return request.user


def _run(request: HttpRequest, action: Callable[[], Any], success: str, back: str) -> HttpResponse:
    """Call a service; a refused or invalid action is explained and changes nothing."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except IntegrityError:
        messages.error(request, "Данные изменились одновременно с вашим действием. Обновите страницу и повторите.")
    else:
        messages.success(request, success)
    return redirect(back)


@staff_required()
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    form = GroupFilterForm(request.GET or None)
    qs = selectors.groups_visible_to(_user(request)).select_related("lead__user", "department", "classifier")
    if form.is_valid():
        if form.cleaned_data["status"]:
            qs = qs.filter(status=form.cleaned_data["status"])
        for term in fold(form.cleaned_data["q"] or "").split()[:5]:
            qs = qs.filter(title__icontains=term)
    page = Paginator(qs.order_by("-created_at", "-pk"), 25).get_page(request.GET.get("page"))
    counts = selectors.active_group_sizes(g.pk for g in page.object_list)
    rows = [{"group": g, "members": counts.get(g.pk, 0)} for g in page.object_list]
    return render(request, "groups/list.html", {"form": form, "page": page, "rows": rows})


@staff_required()
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_for_user(user, pk)
    actor = actor_for(user)
    member_rows = selectors.members(group, user)
    visible = [r for r in member_rows if r.visible]
    answers: dict[int, list[MemberAnswer]] = {}
    for a in MemberAnswer.objects.filter(group=group, question_id__in=[r.question.pk for r in visible]):
        answers.setdefault(a.question_id, []).append(a)
    if answers:
        # The personalised answers carry the applicants' names: a look at them is logged.
        personal_data_accessed(
            user=user,
            applicants=Applicant.objects.filter(signed__appeal__questions__in=list(answers)).distinct(),
            context=f"ответы участникам группы {group.pk}",
        )
    rows = [
        {
            "question": r.question,
            "membership": r.membership,
            "can_leave": rules.can_change_membership(actor, r.question),
            "answers": answers.get(r.question.pk, []),
        }
        for r in visible
    ]
    return render(
        request,
        "groups/detail.html",
        {
            "group": group,
            "rows": rows,
            "any_answers": bool(answers),
            "member_count": len(member_rows),
            "hidden": len(member_rows) - len(visible),
            "can_answer": rules.can_answer(actor, group),
            "can_approve": rules.can_approve(actor, group),
            "can_publish": rules.can_publish(actor, group),
            "can_set_lead": rules.can_set_lead(actor, group),
            "can_rename": rules.can_rename(actor, group),
            "can_close": rules.can_close(actor, group),
            "answer_form": GroupAnswerForm(
                initial={"answer": group.answer, "outcome": group.outcome, "measures_taken": group.measures_taken}
            ),
            "lead_form": LeadForm(initial={"lead": group.lead_id}),
            "rename_form": RenameForm(initial={"title": group.title}),
            "public_url": request.build_absolute_uri(group.get_public_url()) if group.published_at else "",
        },
    )


@staff_required()
@require_POST
def group_lead(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_for_user(user, pk)
    form = LeadForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите ведущего исполнителя.")
        return redirect(group.get_absolute_url())
    lead = form.cleaned_data["lead"]
    return _run(
        request,
        lambda: services.group_set_lead(group=group, actor=user, lead=lead),
        "Ведущий исполнитель назначен, вопросы группы переданы ему.",
        group.get_absolute_url(),
    )


@staff_required()
@require_POST
def group_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = selectors.group_for_user(user, pk)
    form = GroupAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(" ".join(str(m) for m in e) for e in form.errors.values()))
        return redirect(group.get_absolute_url())
    d = form.cleaned_data
    return _run(
        request,
        lambda: services.group_submit_answer(
            group=group, actor=user, answer=d["answer"], outcome=d["outcome"], measures_taken=d["measures_taken"]
        ),
        "Общий ответ направлен на согласование.",
        group.get_absolute_url(),
    )


DECISIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "approve": (lambda g, u, r: services.group_approve(group=g, actor=u), "Ответ утверждён и записан каждому вопросу."),
    "return": (
        lambda g, u, r: services.group_return(group=g, actor=u, note=r.POST.get("note", "")),
        "Ответ возвращён на доработку.",
    ),
    "publish": (lambda g, u, r: services.group_publish(group=g, actor=u), "Ответ опубликован."),
    "unpublish": (lambda g, u, r: services.group_unpublish(group=g, actor=u), "Публикация снята."),
    "close": (lambda g, u, r: services.group_close(group=g, actor=u), "Группа закрыта."),
    "rename": (
        lambda g, u, r: services.group_rename(group=g, actor=u, title=r.POST.get("title", "")),
        "Тема группы изменена.",
    ),
}


@staff_required()
@require_POST
def group_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _user(request)
    group = selectors.group_for_user(user, pk)
    if decision not in DECISIONS:
        raise Http404
    action, success = DECISIONS[decision]
    return _run(request, lambda: action(group, user, request), success, group.get_absolute_url())


@staff_required()
@require_POST
def group_send_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer letters to every member applicant, registered and queued for delivery in one click."""
    user = _user(request)
    group = selectors.group_for_user(user, pk)
    try:
        sent, skipped = services.group_send_letters(group=group, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Писем с ответом зарегистрировано и отправлено: {sent}.")
        if skipped:
            messages.warning(request, "Не отправлено: " + "; ".join(skipped[:10]))
    return redirect(group.get_absolute_url())


@staff_required()
@require_POST
def member_leave(request: HttpRequest, question_id: int) -> HttpResponse:
    user = _user(request)
    question = question_for_user(user, question_id)
    back = request.POST.get("back") == "group"
    membership = selectors.active_membership(question)
    target = (
        membership.group.get_absolute_url()
        if back and membership
        else f"{question.appeal.get_absolute_url()}#question-{question.pk}"
    )
    return _run(
        request,
        lambda: services.group_leave(question=question, actor=user, reason=request.POST.get("reason", "")),
        "Вопрос исключён из группы.",
        target,
    )


@staff_required()
@require_POST
def question_group_create(request: HttpRequest, question_id: int) -> HttpResponse:
    user = _user(request)
    question = question_for_user(user, question_id)
    created: list[SubjectGroup] = []

    def act() -> None:
        created.append(services.group_create(questions=[question], actor=user, title=request.POST.get("title", "")))

    response = _run(request, act, "Группа создана.", f"{question.appeal.get_absolute_url()}#question-{question.pk}")
    return redirect(created[0].get_absolute_url()) if created else response


@staff_required()
@require_POST
def question_group_join(request: HttpRequest, question_id: int) -> HttpResponse:
    user = _user(request)
    question = question_for_user(user, question_id)
    raw = (request.POST.get("group") or "").strip()
    back = f"{question.appeal.get_absolute_url()}#question-{question.pk}"
    if not raw.isdigit():
        messages.error(request, "Укажите номер группы.")
        return redirect(back)
    group = selectors.groups_visible_to(user).filter(pk=int(raw)).first()
    if group is None:
        messages.error(request, "Группа не найдена.")
        return redirect(back)
    return _run(
        request,
        lambda: services.group_join(group=group, question=question, actor=user),
        f"Вопрос включён в группу «{group.title}».",
        back,
    )


@staff_required()
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    user = _user(request)
    proposal = get_object_or_404(MatchProposal, pk=pk, state=ProposalState.PROPOSED)
    question = question_for_user(user, proposal.question_id)
    back = f"{question.appeal.get_absolute_url()}#question-{question.pk}"
    if decision == "accept":
        return _run(
            request,
            lambda: services.proposal_accept(proposal=proposal, actor=user),
            "Вопрос включён в группу.",
            back,
        )
    if decision == "dismiss":
        return _run(
            request, lambda: services.proposal_dismiss(proposal=proposal, actor=user), "Предложение отклонено.", back
        )
    raise Http404


@staff_required()
@require_POST
def appeal_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept the proposed split or save the operator's edit (sentence → question number)."""
    user = _user(request)
    appeal = appeal_for_user(user, pk)
    back = f"{appeal.get_absolute_url()}#split"
    from grouping.decompose import sentences

    count = len(sentences(appeal.text))
    if request.POST.get("accept") == "1":
        proposal = services.split_propose(appeal=appeal)
        assignment = proposal.proposed
    else:
        try:
            assignment = parse_assignment(request.POST, count)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect(back)
    return _run(
        request,
        lambda: services.split_apply(appeal=appeal, actor=user, assignment=assignment),
        "Разбивка на вопросы сохранена.",
        back,
    )


@staff_required()
@require_POST
def question_merge(request: HttpRequest, question_id: int) -> HttpResponse:
    user = _user(request)
    question = question_for_user(user, question_id)
    back = question.appeal.get_absolute_url()
    raw = (request.POST.get("into") or "").strip()
    into = question.appeal.questions.filter(pk=int(raw)).first() if raw.isdigit() else None
    if into is None:
        messages.error(request, "Выберите вопрос, с которым объединить.")
        return redirect(back)
    return _run(
        request,
        lambda: services.questions_merge(question=question, into=into, actor=user),
        f"Вопросы объединены в вопрос {into.position}.",
        back,
    )


@require_GET
def public_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The published joint answer: no names, no appeal numbers, no contacts — only the question and the answer."""
    group = (
        SubjectGroup.objects.filter(public_token=token, published_at__isnull=False)
        .exclude(status=GroupStatus.OPEN)
        .select_related("classifier", "body")
        .first()
    )
    if group is None:
        raise Http404("Ответ не найден или снят с публикации")
    count = group.memberships.filter(left_at__isnull=True).count()
    return render(request, "groups/public.html", {"group": group, "count": count})
