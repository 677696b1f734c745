"""Reads for routing: rules and directories as plain specs, executor workloads, decisions, the test panel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from appeals.choices import QuestionStatus
from core import clock
from org.choices import RoleCode
from org.models import Department, StaffMember, Substitution
from org.selectors import executors_queryset
from routing.choices import ProposalStatus
from routing.engine import BodySpec, ExecutorLoad, RuleSpec
from routing.models import Competence, ExternalBody, ForwardingProposal, RoutingDecision, RoutingRule

OPEN_STATUSES = (QuestionStatus.ASSIGNED, QuestionStatus.ON_APPROVAL)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


_cache: dict[str, tuple[tuple[Any, ...], Any]] = {}


def _stamp() -> tuple[Any, ...]:
    """Changes whenever rules, the directory of bodies or the competence list change (one query)."""
    tables = {
        "rr": RoutingRule._meta.db_table,
        "eb": ExternalBody._meta.db_table,
        "co": Competence._meta.db_table,
    }
    # Table names come from the models, nothing from a user.
    sql = (  # noqa: S608
        "SELECT (SELECT COUNT(*) FROM {rr}), (SELECT MAX(updated_at) FROM {rr}), "
        "(SELECT COUNT(*) FROM {eb}), (SELECT MAX(updated_at) FROM {eb}), "
        "(SELECT COUNT(*) FROM {co}), (SELECT MAX(id) FROM {co}), (SELECT SUM(LENGTH(code_prefix)) FROM {co})"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return tuple(row or ())


@dataclass(frozen=True)
class Setup:
    """Routing configuration as plain data: rules, external bodies, the body's own competence."""

    rules: list[RuleSpec]
    bodies: list[BodySpec]
    own_prefixes: list[str]


def setup() -> Setup:
    """The configuration, read again only when it changed."""
    stamp = _stamp()
    cached = _cache.get("setup")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    built = Setup(rules=rule_specs(), bodies=body_specs(), own_prefixes=own_prefixes())
    _cache["setup"] = (stamp, built)
    return built


def rule_specs() -> list[RuleSpec]:
    rows = RoutingRule.objects.filter(is_active=True).select_related("local_category").order_by("priority", "pk")
    return [
        RuleSpec(
            id=r.pk,
            name=r.name,
            priority=r.priority,
            code_prefix=r.code_prefix.strip(),
            local_code=r.local_category.code if r.local_category else "",
            district=r.district.strip(),
            keywords=_lines(r.keywords),
            kind=r.kind,
            department_id=r.department_id,
            executor_id=r.executor_id,
            balance=r.balance,
        )
        for r in rows
    ]


def body_specs() -> list[BodySpec]:
    return [
        BodySpec(
            id=b.pk,
            name=b.name,
            aliases=_lines(b.aliases) + ((b.short_name,) if b.short_name else ()),
            code_prefixes=_lines(b.code_prefixes),
            keywords=_lines(b.keywords),
        )
        for b in ExternalBody.objects.filter(is_active=True)
    ]


def own_prefixes() -> list[str]:
    return list(Competence.objects.values_list("code_prefix", flat=True))


def executor_loads(department: Department, *, today: dt.date | None = None) -> list[ExecutorLoad]:
    """The unit's executors with their open questions, absence and today's substitute (three queries)."""
    today = today or timezone.localdate(clock.now())
    # The unit's own executors share its work; heads and sub-units only when it has none.
    own = (
        StaffMember.objects.select_related("user", "department")
        .filter(user__is_active=True, department=department, roles__code=RoleCode.EXECUTOR)
        .distinct()
    )
    candidates = own if own.exists() else executors_queryset(department=department)
    staff = list(
        candidates.annotate(
            open_count=Count("questions", filter=Q(questions__status__in=OPEN_STATUSES), distinct=True)
        ).order_by("user__last_name", "pk")
    )
    subs = {
        s.absent_id: s.substitute
        for s in Substitution.objects.filter(
            absent_id__in=[m.pk for m in staff], starts_on__lte=today, ends_on__gte=today
        ).select_related("substitute__user")
    }
    loads = []
    for member in staff:
        substitute = subs.get(member.pk)
        loads.append(
            ExecutorLoad(
                staff_id=member.pk,
                name=member.short_name,
                open_questions=member.open_count,
                absent=member.is_absent,
                substitute_id=substitute.pk if substitute is not None and not substitute.is_absent else None,
                substitute_name=substitute.short_name if substitute is not None else "",
            )
        )
    return loads


def decisions_for(question_ids: list[int]) -> dict[int, RoutingDecision]:
    """The latest routing decision of each question (one query)."""
    latest: dict[int, RoutingDecision] = {}
    rows = (
        RoutingDecision.objects.filter(question_id__in=question_ids)
        .select_related("department", "executor__user", "rule")
        .order_by("question_id", "-created_at", "-pk")
    )
    for d in rows:
        latest.setdefault(d.question_id, d)
    return latest


def proposals_for(question_ids: list[int]) -> dict[int, ForwardingProposal]:
    """The open forwarding proposal of each question (one query)."""
    open_ones: dict[int, ForwardingProposal] = {}
    rows = (
        ForwardingProposal.objects.filter(question_id__in=question_ids, status=ProposalStatus.PROPOSED)
        .select_related("external_body")
        .order_by("question_id", "-created_at")
    )
    for p in rows:
        open_ones.setdefault(p.question_id, p)
    return open_ones


@dataclass
class Preview:
    """What the test panel shows: how the text is read and where it would go."""

    text: str
    district: str = ""
    place: str = ""
    signals: list[str] = field(default_factory=list)
    code: str = ""
    code_label: str = ""
    code_confidence: float = 0.0
    code_source: str = ""
    alternatives: list[tuple[str, str, float]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    local: str = ""
    qtype: str = ""
    kind: str = ""
    department: str = ""
    executor: str = ""
    reason: str = ""
    competence: str = ""
    forward_to: str = ""


def route_preview(*, text: str, channel: str = "", address: str = "", district: str = "") -> Preview:
    """«Where would this text go?» — the same reading and decisions as registration, nothing written."""
    from django.conf import settings

    from classification.choices import SuggestionSource
    from classification.selectors import engine, record_for
    from nlp.analysis import analyze
    from nlp.selectors import gazetteer_index
    from org.models import StaffMember
    from routing.engine import Context, competence, decide, pick_executor

    analysis = analyze(
        text, structured_address=address, gazetteer=gazetteer_index(), today=timezone.localdate(clock.now())
    )
    place = analysis.place
    district = district or (place.district if place else "")
    current = engine()
    record = record_for(
        text=analysis.text or text,
        channel=channel,
        district=district,
        address=place.address if place else "",
        lat=place.lat if place else None,
        lon=place.lon if place else None,
    )
    understanding = current.understand(record, channel=channel, signal_codes=analysis.signal_codes)
    preview = Preview(
        text=text,
        district=district,
        place=(place.address or place.mention) if place else "",
        signals=[s.label for s in analysis.signals],
        qtype=understanding.qtype.label,
        kind=understanding.kind.label,
    )
    code = understanding.code
    if code is not None:
        preview.code, preview.code_label = code.value, code.label
        preview.code_confidence = code.confidence
        preview.code_source = SuggestionSource(code.source).label
        preview.alternatives = [(c.value, c.label, c.confidence) for c in code.alternatives]
        preview.explanation = [w for w, _ in code.explanation]
    if understanding.local is not None:
        preview.local = understanding.local.label
    predicted = understanding.department
    context = Context(
        text=analysis.text or text,
        code=code.value if code else "",
        code_name=code.label if code else "",
        local_code=understanding.local.value if understanding.local else "",
        local_name=understanding.local.label if understanding.local else "",
        district=district,
        predicted_department_id=int(predicted.value) if predicted else None,
        predicted_department=predicted.label if predicted else "",
        predicted_confidence=predicted.confidence if predicted else 0.0,
    )
    config = setup()
    scope = competence(
        context,
        own_prefixes=config.own_prefixes,
        bodies=config.bodies,
        is_complaint=understanding.qtype.value == "complaint",
    )
    if not scope.in_competence:
        preview.competence = scope.reason
        body = ExternalBody.objects.filter(pk=scope.body_id).first() if scope.body_id else None
        preview.forward_to = str(body) if body else ""
        return preview
    decision = decide(context, config.rules, auto_threshold=settings.OTKLIK_AUTO_ROUTE_PERCENT / 100)
    reasons = list(decision.reasons)
    department = Department.objects.filter(pk=decision.department_id).first() if decision.department_id else None
    executor_id = decision.executor_id
    if department is not None and (decision.balance or executor_id):
        executor_id, why = pick_executor(executor_loads(department), preferred=executor_id)
        reasons.append(why)
    executor = StaffMember.objects.select_related("user").filter(pk=executor_id).first() if executor_id else None
    preview.department = str(department) if department else ""
    preview.executor = executor.short_name if executor else ""
    preview.reason = "; ".join(reasons)
    return preview
