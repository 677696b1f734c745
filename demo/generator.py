"""Load the demo: the administration of Demograd, its staff and five months of appeals.

Appeals go through the real services (`appeal_register`, `question_assign`, …) acting as the
right people, so every number, deadline, status and history entry is what the system itself
would produce. The services stamp the current time; afterwards the times are moved back to
the simulated moments, keeping every appeal's history in order.

Public API: `DEMO_PASSWORD`, `DEMO_LOGINS`, `demo_loaded()`, `load_demo()`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

import classification
from appeals.choices import AppealStatus, QuestionStatus
from appeals.models import Appeal, AppealEvent, Question
from appeals.selectors import my_questions
from appeals.services import (
    QuestionDraft,
    appeal_close,
    appeal_register,
    question_approve,
    question_assign,
    question_return,
    question_submit_answer,
)
from classification.models import ClassifierEntry
from classification.services import classifier_import, read_classifier_file
from core import clock
from core.calendar import ProductionCalendar, current_calendar
from demo import orgchart, texts
from demo.plan import AppealPlan, Planner, QuestionPlan
from demo.topics import TOPICS_BY_KEY
from org.models import Body, Department, Role, StaffMember, Substitution
from org.services import roles_ensure
from people.models import Applicant, Contact
from promises import services as promise_services
from workflow.deadlines import deadline_state
from workflow.services import recompute, statistics_refresh

DEMO_BODY_CODE = orgchart.BODY["code"]
DEMO_PASSWORD = "demo12345"
DEFAULT_SEED = 2026
DEFAULT_APPEALS = 500

# (username, role, what to look at) for the logins worth printing.
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("operator", "Оператор", "Регистрирует обращения и распределяет вопросы (отдел по работе с обращениями)"),
    ("operator2", "Оператор", "Второй оператор того же отдела"),
    ("head", "Руководитель", "Начальник управления ЖКХ: резолюции и согласование ответов"),
    ("executor", "Исполнитель", "Специалист управления ЖКХ; замещает коллегу в отпуске"),
    ("controller", "Контролёр", "Контроль сроков, снятие обращений с контроля, выгрузки"),
    ("admin", "Администратор", "Полный доступ и панель администрирования Django (/admin/)"),
]

# The history names a changed field by its verbose name.
ANSWERED_AT_LABEL = str(Question._meta.get_field("answered_at").verbose_name)
CLOSED_AT_LABEL = str(Appeal._meta.get_field("closed_at").verbose_name)

STARTER_CLASSIFIER = Path(classification.__file__).resolve().parent / "fixtures" / "starter_classifier.csv"

Progress = Callable[[int, int], None]


class DemoAlreadyLoadedError(RuntimeError):
    """The demo body exists already; loading again would duplicate everything."""


class DemoConflictError(RuntimeError):
    """Something the demo needs to create (a login) is already taken by real data."""


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded, for the command to print and for tests to check."""

    departments: int
    staff: int
    applicants: int
    appeals: int
    questions: int
    open_questions: int
    overdue_questions: int
    at_risk_questions: int
    executor_open: int
    executor_overdue: int
    executor_at_risk: int
    head_on_approval: int
    seconds: float


def demo_loaded() -> bool:
    return Body.objects.filter(code=DEMO_BODY_CODE).exists()


def ensure_classifier() -> int:
    """Load the starter classifier when the table is empty; return how many codes were created."""
    if ClassifierEntry.objects.exists():
        return 0
    report = classifier_import(text=read_classifier_file(STARTER_CLASSIFIER))
    return len(report.created)


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    appeals: int = DEFAULT_APPEALS,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Create the demo body, staff and `appeals` appeals, all in one transaction.

    The same `seed` on the same day gives the same data: everything simulated happens before
    the day of `now` begins. `now` is the moment the data is «as of» (default and upper limit:
    the current time; tests may pass an earlier one). Raises
    `DemoAlreadyLoadedError` when the demo body exists and `DemoConflictError` when a demo
    login is taken.
    """
    started = time.monotonic()
    real_now = timezone.now()
    now = min(now or real_now, real_now)
    with transaction.atomic():
        if demo_loaded():
            raise DemoAlreadyLoadedError("Демонстрационные данные уже загружены")
        taken = sorted(
            get_user_model()
            .objects.filter(username__in=[p.username for p in orgchart.STAFF])
            .values_list("username", flat=True)
        )
        if taken:
            raise DemoConflictError(
                "Логины демонстрационных сотрудников уже заняты: "
                + ", ".join(taken)
                + ". Демонстрационные данные загружаются только в новую базу."
            )
        ensure_classifier()
        rng = random.Random(seed)
        calendar = current_calendar()
        loader = _Loader(rng, now=now, calendar=calendar)
        loader.build_org()
        plans = Planner(rng, now=now, calendar=calendar).plan_all(max(appeals, 0))
        loader.run(plans, progress)
        loader.backdate_static(plans)
        # Plans were made at the simulated moments; bring their states up to "now".
        statistics_refresh(now=now)
        recompute(now=now)
        return loader.summary(time.monotonic() - started)


class _Loader:
    """Carries out a plan through the services, acting as the right member of staff."""

    def __init__(self, rng: random.Random, *, now: dt.datetime, calendar: ProductionCalendar) -> None:
        self.rng = rng
        self.now = now
        self.today = timezone.localtime(now).date()
        self.calendar = calendar
        self.body: Body
        self.units: dict[str, Department] = {}
        self.users: dict[str, Any] = {}
        self.staff: dict[str, StaffMember] = {}
        self.entries: dict[str, ClassifierEntry] = {}
        self.first_seen: dict[int, dt.datetime] = {}

    # -- the organisation ----------------------------------------------------------------

    def build_org(self) -> None:
        User = get_user_model()
        self.body = Body.objects.create(**orgchart.BODY)
        for unit in orgchart.UNITS:  # parents are listed before their children
            self.units[unit.key] = Department.objects.create(
                body=self.body,
                name=unit.name,
                short_name=unit.short_name,
                kind=unit.kind,
                parent=self.units[unit.parent] if unit.parent else None,
                email=unit.email,
            )
        roles_ensure()  # a migration seeds the roles; a test database built without migrations has none
        roles = Role.objects.in_bulk(field_name="code")
        password = make_password(DEMO_PASSWORD)  # hashed once: hashing is the slow part
        joined = self.now - dt.timedelta(days=400)
        for person in orgchart.STAFF:
            user = User.objects.create(
                username=person.username,
                first_name=person.first_name,
                last_name=person.surname,
                email=f"{person.username}@adm-demograd.ru",
                password=password,
                is_staff=person.superuser,
                is_superuser=person.superuser,
                date_joined=joined,
            )
            staff = StaffMember.objects.create(
                user=user,
                body=self.body,
                department=self.units[person.unit] if person.unit else None,
                position=person.position,
                patronymic=person.patronymic,
                phone=orgchart.UNITS_BY_KEY[person.unit].phone if person.unit else "",
                is_absent=person.username == orgchart.ABSENT,
            )
            staff.roles.set([roles[code] for code in person.roles])
            self.users[person.username] = user
            self.staff[person.username] = staff
            if person.heads:
                Department.objects.filter(pk=self.units[person.heads].pk).update(head=user)
                self.units[person.heads].head = user
        Substitution.objects.create(
            absent=self.staff[orgchart.ABSENT],
            substitute=self.staff[orgchart.SUBSTITUTE],
            starts_on=self.today - dt.timedelta(days=orgchart.LEAVE_STARTED_DAYS_AGO),
            ends_on=self.today + dt.timedelta(days=orgchart.LEAVE_ENDS_IN_DAYS),
            reason="Ежегодный оплачиваемый отпуск",
        )
        codes = {t.code for t in TOPICS_BY_KEY.values() if t.code}
        self.entries = {e.code: e for e in ClassifierEntry.objects.filter(code__in=codes, is_active=True)}

    # -- appeals ---------------------------------------------------------------------------

    def _stamp(self, appeal: Appeal, moment: dt.datetime, *, value_of: str = "") -> None:
        """Move the history entries the last service call wrote to the simulated moment.

        `value_of` names a date-time field whose new value the entry spells out (the service
        writes the real current time there); it gets the simulated moment in the same form.
        """
        fresh = AppealEvent.objects.filter(appeal_id=appeal.pk, at__gt=self.now)
        if value_of:
            fresh.filter(field=value_of).update(new_value=str(moment.astimezone(dt.UTC)))
        fresh.update(at=moment)

    def _operator(self) -> Any:
        return self.users["operator" if self.rng.random() < 0.6 else "operator2"]

    def run(self, plans: list[AppealPlan], progress: Progress | None) -> None:
        total = len(plans)
        for done, plan in enumerate(plans, start=1):
            self._carry_out(plan)
            if progress is not None:
                progress(done, total)

    def _carry_out(self, plan: AppealPlan) -> None:
        rng = self.rng
        applicants = []
        for spec in plan.applicants:
            applicant = spec.get_or_create()
            applicants.append(applicant)
            self.first_seen.setdefault(applicant.pk, plan.received_at)
        wordings = [texts.question_text(rng, q) for q in plan.questions]
        previous = plan.previous.appeal if plan.previous is not None else None
        text = texts.appeal_text(
            rng,
            plan,
            previous_number=previous.number if previous is not None else "",
            previous_date=plan.previous.registered_at.date() if plan.previous is not None else None,
        )
        drafts = [
            QuestionDraft(
                text=wording,
                qtype=q.topic.qtype,
                classifier=self.entries.get(q.topic.code or ""),
                department=self.units[q.dept] if q.routed else None,
            )
            for q, wording in zip(plan.questions, wordings, strict=True)
        ]
        with clock.frozen(plan.registered_at):
            appeal = self._register(plan, applicants, text, drafts, previous)
        plan.appeal = appeal
        self._stamp(appeal, plan.registered_at)
        self._replay(plan, appeal)

    def _register(
        self, plan: AppealPlan, applicants: list[Any], text: str, drafts: list[QuestionDraft], previous: Any
    ) -> Appeal:
        rng = self.rng
        wordings = [d.text for d in drafts]
        return appeal_register(
            body=self.body,
            actor=self._operator(),
            channel=plan.channel,
            text=text,
            applicants=applicants,
            received_at=plan.received_at,
            kind=plan.kind,
            addressee=texts.addressee(rng, plan),
            summary=texts.appeal_summary(wordings),
            questions=drafts,
            previous_appeal=previous,
            external_source=plan.external_source,
            external_id=plan.external_id,
            registered_at=plan.registered_at,
        )

    def _replay(self, plan: AppealPlan, appeal: Appeal) -> None:
        """Every later step at its simulated moment (services read the time from the clock)."""
        rng = self.rng
        questions = list(appeal.questions.order_by("position"))
        # Every step of every question, in the order it happened, so the appeal's status
        # changes land at the right moments.
        steps: list[tuple[dt.datetime, int, str, QuestionPlan, Question]] = []
        for order, (qp, question) in enumerate(zip(plan.questions, questions, strict=True)):
            for name in ("route", "assign", "submit", "return", "resubmit", "approve"):
                moment = getattr(qp, f"t_{name}")
                if moment is not None:
                    steps.append((moment, order, name, qp, question))
        steps.sort(key=lambda s: (s[0], s[1]))
        for moment, _, name, qp, question in steps:
            with clock.frozen(moment):
                getattr(self, f"_step_{name}")(plan, qp, question, appeal)
            self._stamp(appeal, moment, value_of=ANSWERED_AT_LABEL if name == "approve" else "")
        if plan.t_close is not None:
            with clock.frozen(plan.t_close):
                appeal_close(appeal=appeal, actor=self.users["controller"], note=texts.close_note(rng, plan))
            self._stamp(appeal, plan.t_close, value_of=CLOSED_AT_LABEL)
        moments = [plan.registered_at, plan.t_close] + [q.last_moment for q in plan.questions]
        Appeal.objects.filter(pk=appeal.pk).update(
            created_at=plan.registered_at,
            updated_at=max(m for m in moments if m is not None),
            closed_at=plan.t_close,
        )
        for qp, question in zip(plan.questions, questions, strict=True):
            Question.objects.filter(pk=question.pk).update(
                created_at=plan.registered_at,
                updated_at=qp.last_moment or plan.registered_at,
                answered_at=qp.t_approve,
            )

    def _head_of(self, unit_key: str) -> Any:
        return self.users[orgchart.HEAD_OF_UNIT[unit_key]]

    def _approver(self, qp: QuestionPlan) -> Any:
        person = orgchart.STAFF_BY_USERNAME[qp.executor or ""]
        return self._head_of(person.unit or qp.dept)

    def _step_route(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        question_assign(question=question, actor=self._operator(), department=self.units[qp.dept], executor=None)

    def _step_assign(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        executor = self.staff[qp.executor or ""]
        question_assign(
            question=question,
            actor=self._head_of(qp.dept),
            department=executor.department,
            executor=executor,
            due_date=qp.due,
            note=self.rng.choice(
                (
                    "",
                    "",
                    "Рассмотреть в установленный срок.",
                    "Прошу подготовить ответ.",
                    "Выехать на место, по результатам доложить.",
                )
            ),
        )

    def _answer(self, plan: AppealPlan, qp: QuestionPlan, appeal: Appeal, answered_on: dt.date) -> str:
        started = (qp.t_assign or plan.registered_at).date()
        return texts.answer_text(
            self.rng,
            plan,
            qp,
            number=appeal.number,
            executor=orgchart.STAFF_BY_USERNAME[qp.executor or ""],
            answered_on=answered_on,
            started_on=started,
        )

    def _step_submit(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        assert qp.t_submit is not None
        question_submit_answer(
            question=question,
            actor=self.users[qp.executor or ""],
            answer=self._answer(plan, qp, appeal, qp.t_submit.date()),
            outcome=qp.outcome,
            measures_taken=qp.measures,
        )
        self._confirm_promises(qp, question, qp.t_submit.date())

    def _confirm_promises(self, qp: QuestionPlan, question: Question, answered_on: dt.date) -> None:
        """The head, approving, confirms the commitments Otklik finds in the answer (those still ahead)."""
        question.refresh_from_db(fields=["answer"])
        for proposal in promise_services.propose(question, today=answered_on):
            try:
                promise_services.promise_add_draft(
                    question=question,
                    actor=self._approver(qp),
                    sentence=proposal.sentence,
                    due_date=proposal.due_date,
                    responsible=proposal.responsible,
                    due_text=proposal.due_text,
                    source=proposal.source,
                    confidence=proposal.confidence,
                )
            except ValidationError:
                continue  # already past by today's date, or already confirmed

    def _step_return(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        question_return(question=question, actor=self._approver(qp), note=self.rng.choice(texts.RETURN_NOTES))

    def _step_resubmit(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        assert qp.t_resubmit is not None
        question_submit_answer(
            question=question,
            actor=self.users[qp.executor or ""],
            answer=self._answer(plan, qp, appeal, qp.t_resubmit.date()),
            outcome=qp.outcome,
            measures_taken=qp.measures,
        )
        self._confirm_promises(qp, question, qp.t_resubmit.date())

    def _step_approve(self, plan: AppealPlan, qp: QuestionPlan, question: Question, appeal: Appeal) -> None:
        question_approve(question=question, actor=self._approver(qp))

    # -- finishing touches -----------------------------------------------------------------

    def backdate_static(self, plans: list[AppealPlan]) -> None:
        """Cards and units should not look created a second ago."""
        first = min((p.registered_at for p in plans), default=self.now) - dt.timedelta(days=30)
        Body.objects.filter(pk=self.body.pk).update(created_at=first, updated_at=first)
        Department.objects.filter(body=self.body).update(created_at=first, updated_at=first)
        StaffMember.objects.filter(body=self.body).update(created_at=first, updated_at=first)
        cards = list(Applicant.objects.filter(pk__in=self.first_seen))
        for card in cards:
            card.created_at = card.updated_at = self.first_seen[card.pk]
            if card.consent_personal_data:
                card.consent_personal_data_at = self.first_seen[card.pk]
        Applicant.objects.bulk_update(cards, ["created_at", "updated_at", "consent_personal_data_at"], batch_size=500)
        card_created = Applicant.objects.filter(pk=OuterRef("applicant_id")).values("created_at")[:1]
        Contact.objects.filter(applicant_id__in=self.first_seen).update(
            created_at=Subquery(card_created), updated_at=Subquery(card_created)
        )

    def summary(self, seconds: float) -> DemoSummary:
        open_questions = list(
            Question.objects.filter(appeal__body=self.body)
            .exclude(status=QuestionStatus.DONE)
            .exclude(appeal__status=AppealStatus.CLOSED)
            .values_list("due_date", flat=True)
        )
        at_risk_days = settings.OTKLIK_AT_RISK_DAYS

        def state(due: dt.date) -> str:
            return deadline_state(due, self.today, done=False, at_risk_days=at_risk_days, calendar=self.calendar)

        states = [state(due) for due in open_questions]
        executor_tasks = list(my_questions(self.users["executor"]))
        executor_states = [state(q.due_date) for q in executor_tasks]
        head_tasks = my_questions(self.users["head"])
        return DemoSummary(
            departments=Department.objects.filter(body=self.body).count(),
            staff=StaffMember.objects.filter(body=self.body).count(),
            applicants=len(self.first_seen),
            appeals=Appeal.objects.filter(body=self.body).count(),
            questions=Question.objects.filter(appeal__body=self.body).count(),
            open_questions=len(open_questions),
            overdue_questions=states.count("overdue"),
            at_risk_questions=states.count("at_risk"),
            executor_open=len(executor_tasks),
            executor_overdue=executor_states.count("overdue"),
            executor_at_risk=executor_states.count("at_risk"),
            head_on_approval=head_tasks.filter(status=QuestionStatus.ON_APPROVAL).count(),
            seconds=seconds,
        )
