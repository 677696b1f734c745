"""The plan of the demo: which appeals arrive when, from whom, about what, and how far each got.

Everything here is decided up front with one seeded `random.Random`, before anything is
written, so the same seed and the same day always give the same data. `demo.generator`
then carries the plan out through the real services.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from django.conf import settings
from django.utils import timezone

from appeals.choices import Channel, Kind, Outcome
from appeals.models import Appeal
from core.calendar import ProductionCalendar
from demo import names, orgchart
from demo.persons import ApplicantSpec, PersonFactory
from demo.topics import (
    BLAG,
    COLLECTIVE_TOPICS,
    GREETING,
    INFO_TOPICS,
    MESSAGE_TOPICS,
    ORGANISATION_TOPICS,
    PROBLEM_TOPICS,
    SPAM,
    ZARECHNY,
    ZHKH,
    ZHKH_TOPICS,
    Topic,
)
from workflow.deadlines import Shift, legal_due_date

SPAN_DAYS = 150  # registrations spread over about five months before today
WORK_START = dt.time(9, 0)
WORK_END = dt.time(18, 0)

CHANNEL_WEIGHTS: dict[str, float] = {
    Channel.POST: 21,
    Channel.WEB: 21,
    Channel.EPGU: 19,
    Channel.EMAIL: 14,
    Channel.TELEGRAM: 5,
    Channel.VK: 5,
    Channel.SSTU: 3,
    Channel.EDMS: 3,
    Channel.COURIER: 3,
    Channel.PERSONAL: 3,
    Channel.PHONE: 3,
}
# The share of «сообщения» (short reports with a 10-day term) among items of a channel.
MESSAGE_SHARE: dict[str, float] = {Channel.EPGU: 0.55, Channel.TELEGRAM: 0.85, Channel.VK: 0.85, Channel.WEB: 0.1}
LETTER_CHANNELS = (Channel.POST, Channel.COURIER, Channel.EMAIL, Channel.SSTU, Channel.EDMS)


class Stage(IntEnum):
    """How far a question got by today."""

    NEW = 0
    ASSIGNED = 1
    ON_APPROVAL = 2
    DONE = 3


@dataclass
class QuestionPlan:
    topic: Topic
    details: dict[str, str]
    dept: str  # the unit the question is routed to
    routed: bool  # the operator chose the unit already at registration
    stage: Stage
    executor: str | None = None  # username
    forced: bool = False  # set by a guaranteed scenario; keep as is
    returned: bool = False  # the head sends the first draft back once
    outcome: str = ""
    measures: bool = False
    due: dt.date | None = None  # the question's own deadline when the head sets an earlier one
    t_route: dt.datetime | None = None
    t_assign: dt.datetime | None = None
    t_submit: dt.datetime | None = None
    t_return: dt.datetime | None = None
    t_resubmit: dt.datetime | None = None
    t_approve: dt.datetime | None = None

    @property
    def last_moment(self) -> dt.datetime | None:
        moments = [self.t_route, self.t_assign, self.t_submit, self.t_return, self.t_resubmit, self.t_approve]
        present = [m for m in moments if m is not None]
        return max(present) if present else None


@dataclass
class AppealPlan:
    index: int
    registered_at: dt.datetime
    received_at: dt.datetime
    channel: str
    kind: str
    layout: str  # short | letter | personal | phone
    applicants: list[ApplicantSpec]
    details: dict[str, str]
    questions: list[QuestionPlan] = field(default_factory=list)
    due: dt.date = dt.date.min
    previous: AppealPlan | None = None
    referenced: bool = False  # another appeal names this one as its previous
    collective: bool = False
    close: bool = False
    t_close: dt.datetime | None = None
    external_source: str = ""
    external_id: str = ""
    appeal: Appeal | None = None  # set once registered

    @property
    def anonymous(self) -> bool:
        return not self.applicants

    @property
    def organisation(self) -> ApplicantSpec | None:
        first = self.applicants[0] if self.applicants else None
        return first if first is not None and first.is_organisation else None

    @property
    def answered_at(self) -> dt.datetime | None:
        """When the last answer was approved, if every question got one."""
        if not self.questions or any(q.t_approve is None for q in self.questions):
            return None
        return max(q.t_approve for q in self.questions if q.t_approve is not None)


def management_company(street: names.Street, house: int) -> str:
    """The same house is always served by the same company."""
    return names.MANAGEMENT_COMPANIES[zlib.crc32(f"{street.name}/{house}".encode()) % len(names.MANAGEMENT_COMPANIES)]


SINCE_PHRASES = (
    "уже третью неделю",
    "больше недели",
    "несколько дней",
    "уже месяц",
    "вторую неделю",
    "с начала месяца",
)


def make_details(
    rng: random.Random, *, registered: dt.date, street: names.Street, house: int, flat: int | None
) -> dict[str, str]:
    """The concrete facts a letter mentions; answers to it reuse them."""
    since = registered - dt.timedelta(days=rng.randint(4, 28))
    phrase = rng.choice(SINCE_PHRASES)
    park, park_p = rng.choice(names.PARKS)
    yard = f"во дворе дома № {house} по {street.full_oblique}"
    return {
        "street_o": street.full_oblique,
        "street_full": f"улица {street.name}",
        "street_full_cap": f"Улица {street.name}",
        "house": str(house),
        "house2": str(house + rng.randint(2, 24)),
        "flat": str(flat or rng.randint(1, 120)),
        "addr": f"{street.full}, д. {house}",
        "yard": yard,
        "yard_cap": yard[0].upper() + yard[1:],
        "since": names.date_words(since),
        "since_days": phrase,
        "since_days_cap": phrase[0].upper() + phrase[1:],
        "stop": rng.choice(names.BUS_STOPS),
        "route": str(rng.choice((1, 2, 3, 5, 7, 8, 11, 12, 15, 19, 21, 25))),
        "uk": management_company(street, house),
        "park": park,
        "park_p": park_p,
        "kg": rng.choice(names.KINDERGARTENS),
        "school": str(rng.choice(names.SCHOOL_NUMBERS)),
        "child_age": rng.choice(("1 год 8 месяцев", "2 года", "2,5 года", "3 года", "4 года")),
        "plot": f"63:12:0{rng.randint(100000, 999999)}:{rng.randint(10, 999)}",
        "temp": str(rng.randint(13, 17)),
        "queue_no": str(rng.randint(12, 480)),
        "year": str(registered.year),
        "year_next": str(registered.year + 1),
        "ask": "Прошу",
        "ask_l": "прошу",
    }


class Planner:
    """Draws the whole demo: appeals, their authors and topics, and each question's fate."""

    def __init__(self, rng: random.Random, *, now: dt.datetime, calendar: ProductionCalendar) -> None:
        self.rng = rng
        self.now = timezone.localtime(now)
        self.today = self.now.date()
        self.zone = self.now.tzinfo
        # Everything simulated happened before today began, so a run gives the same data
        # whatever the time of day.
        self.horizon = dt.datetime.combine(self.today, dt.time(0, 0), tzinfo=self.zone)
        self.calendar = calendar
        self.persons = PersonFactory(rng)
        self.plans: list[AppealPlan] = []
        self._external_ids: set[tuple[str, str]] = set()
        self.leave_starts = self.today - dt.timedelta(days=orgchart.LEAVE_STARTED_DAYS_AGO)
        self._absent_open_left = 2

    # -- time helpers -------------------------------------------------------------------

    def _at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return dt.datetime.combine(day, time, tzinfo=self.zone)

    def working_moment(self, lo: dt.datetime, hi: dt.datetime, bias: float = 1.0) -> dt.datetime | None:
        """A moment in [lo, hi] within working hours of a working day; bias > 1 leans early, < 1 late."""
        hi = min(hi, self.horizon)
        if hi <= lo:
            return None
        intervals: list[tuple[dt.datetime, dt.datetime]] = []
        day = timezone.localtime(lo).date()
        last = timezone.localtime(hi).date()
        while day <= last:
            if self.calendar.is_working_day(day):
                a, b = max(self._at(day, WORK_START), lo), min(self._at(day, WORK_END), hi)
                if b > a:
                    intervals.append((a, b))
            day += dt.timedelta(days=1)
        position = self.rng.random() ** bias
        if not intervals:
            return lo + (hi - lo) * position
        total = sum((b - a).total_seconds() for a, b in intervals)
        left = total * position
        for a, b in intervals:
            length = (b - a).total_seconds()
            if left <= length:
                return (a + dt.timedelta(seconds=left)).replace(microsecond=0)
            left -= length
        return intervals[-1][1]

    def due_date(self, registered_at: dt.datetime, kind: str) -> dt.date:
        return legal_due_date(
            timezone.localtime(registered_at).date(),
            kind,
            self.calendar,
            message_days=settings.OTKLIK_MESSAGE_DAYS,
            shift=Shift(settings.OTKLIK_DEADLINE_SHIFT),
        )

    # -- registration times ---------------------------------------------------------------

    def registration_times(self, count: int) -> list[dt.datetime]:
        days = [
            self.today - dt.timedelta(days=offset)
            for offset in range(1, SPAN_DAYS + 1)
            if self.calendar.is_working_day(self.today - dt.timedelta(days=offset))
        ]
        # Mondays bring the weekend's mail; Fridays are quieter.
        weights = [{0: 1.3, 4: 0.85}.get(day.weekday(), 1.0) for day in days]
        moments = []
        for day in self.rng.choices(days, weights, k=count):
            minutes = self.rng.randint(0, 8 * 60 + 30)
            moments.append(self._at(day, WORK_START) + dt.timedelta(minutes=minutes, seconds=self.rng.randint(0, 59)))
        return sorted(moments)

    def received_at(self, registered_at: dt.datetime, channel: str) -> dt.datetime:
        rng = self.rng
        if channel in (Channel.PERSONAL, Channel.PHONE):
            return registered_at - dt.timedelta(minutes=rng.randint(5, 60))
        back = registered_at - dt.timedelta(days=rng.choice((0, 0, 1, 1, 2)), hours=rng.randint(0, 10))
        if channel in (Channel.POST, Channel.COURIER, Channel.EDMS, Channel.SSTU):
            moment = self.working_moment(back, registered_at, bias=0.7)
            return moment or registered_at
        return min(back + dt.timedelta(minutes=rng.randint(0, 600)), registered_at)

    # -- drawing appeals -------------------------------------------------------------------

    def _topic(self, pool: tuple[Topic, ...], month: int, exclude: set[str] | None = None) -> Topic:
        candidates = [t for t in pool if not exclude or t.key not in exclude]
        return self.rng.choices(candidates, [t.season_weight(month) for t in candidates])[0]

    def _external(self, channel: str) -> tuple[str, str]:
        rng = self.rng
        while True:
            if channel == Channel.EPGU:
                value = f"{rng.randint(100_000_000, 999_999_999)}"
            elif channel == Channel.SSTU:
                value = f"{rng.randint(1_000_000, 9_999_999)}-{rng.randint(10, 99)}"
            elif channel == Channel.EDMS:
                value = f"01-{rng.randint(10, 60)}/{rng.randint(1000, 9999)}"
            else:
                return "", ""
            if (channel, value) not in self._external_ids:
                self._external_ids.add((channel, value))
                return str(channel), value

    def plan_all(self, count: int) -> list[AppealPlan]:
        for index, registered_at in enumerate(self.registration_times(count)):
            self.plans.append(self._plan_one(index, registered_at))
        self._guarantee_scenarios()
        for plan in self.plans:
            self._schedule(plan)
        return self.plans

    def _plan_one(self, index: int, registered_at: dt.datetime) -> AppealPlan:
        rng = self.rng
        month = registered_at.month
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        roll = rng.random()
        previous: AppealPlan | None = None
        collective = False
        applicants: list[ApplicantSpec] = []
        topics: list[Topic]
        if roll < 0.025 and channel in (Channel.EMAIL, Channel.WEB, Channel.POST):
            topic = SPAM if channel != Channel.POST and rng.random() < 0.6 else GREETING
            kind, topics = topic.kind, [topic]
            if topic is SPAM:
                applicants = [self.persons.spam_sender()]
            else:
                applicants = [self.persons.organisation() if rng.random() < 0.4 else self.persons.person(channel)]
        elif roll < 0.055 and channel in (Channel.EMAIL, Channel.WEB, Channel.POST, Channel.EPGU):
            kind, topics = Kind.INFO_REQUEST, [self._topic(INFO_TOPICS, month)]
            applicants = [self.persons.person(channel)]
        else:
            kind = Kind.APPEAL
            mode = rng.random()
            earlier = [
                p
                for p in self.plans[-250:]
                if p.applicants
                and not p.collective
                and p.organisation is None
                and p.kind == Kind.APPEAL
                and (registered_at - p.registered_at).days >= 28
            ]
            if mode < 0.10 and earlier:
                source = rng.choice(earlier)
                applicants = [source.applicants[0]]
                if rng.random() < 0.7:
                    channel = source.channel
                if rng.random() < 0.55:
                    previous = source
                    source.referenced = True
                    topics = [source.questions[0].topic]
                else:
                    topics = [self._topic(PROBLEM_TOPICS, month, {source.questions[0].topic.key})]
            elif mode < 0.14 and channel in (Channel.POST, Channel.TELEGRAM, Channel.VK):
                topics = [
                    self._topic(MESSAGE_TOPICS if channel in (Channel.TELEGRAM, Channel.VK) else PROBLEM_TOPICS, month)
                ]
            elif mode < 0.20 and channel in (Channel.POST, Channel.COURIER, Channel.EMAIL, Channel.WEB):
                collective = True
                topics = [self._topic(COLLECTIVE_TOPICS, month)]
            elif mode < 0.25 and channel in (Channel.POST, Channel.COURIER, Channel.EMAIL, Channel.EDMS):
                applicants = [self.persons.organisation()]
                topics = [self._topic(ORGANISATION_TOPICS, month)]
            else:
                applicants = [self.persons.person(channel)]
                topics = [self._topic(PROBLEM_TOPICS, month)]
            can_be_message = previous is None and channel in MESSAGE_SHARE and not collective and topics[0].message
            if can_be_message and rng.random() < MESSAGE_SHARE[channel]:
                kind = Kind.MESSAGE
        layout = self._layout(channel, kind)
        if layout == "letter" and kind == Kind.APPEAL and previous is None:
            extra = rng.choices((0, 1, 2), (75, 18, 7))[0]
            chosen = {t.key for t in topics}
            for _ in range(extra):
                topic = self._topic(PROBLEM_TOPICS, month, chosen)
                chosen.add(topic.key)
                topics.append(topic)
        # Where the trouble is: most write about their own house or street.
        home = applicants[0] if applicants and not applicants[0].is_organisation else None
        if previous is not None:
            details = dict(previous.details)
            street = next(s for s in names.ALL_STREETS if s.full_oblique == details["street_o"])
        else:
            if home is not None and rng.random() < 0.65:
                street, house, flat = home.street, home.house, home.flat
            else:
                street, house, flat = self.persons.address()
            details = make_details(rng, registered=registered_at.date(), street=street, house=house, flat=flat)
        if collective:
            house = int(details["house"])
            signers = rng.choices((2, 3, 4, 5, 6, 8, 10, 12, 15), (10, 14, 14, 12, 10, 8, 6, 4, 3))[0]
            applicants = [self.persons.person(channel, street=street, house=house) for _ in range(signers)]
        if collective or (applicants and applicants[0].is_organisation):
            details.update(ask="Просим", ask_l="просим")
        plan = AppealPlan(
            index=index,
            registered_at=registered_at,
            received_at=self.received_at(registered_at, channel),
            channel=channel,
            kind=kind,
            layout=layout,
            applicants=applicants,
            details=details,
            previous=previous,
            collective=collective,
        )
        plan.external_source, plan.external_id = self._external(channel)
        plan.due = self.due_date(registered_at, kind)
        for position, topic in enumerate(topics):
            question = self._question(plan, topic, street)
            if position:  # another question of the same letter: the same street, other facts
                question.details = {
                    **make_details(
                        rng, registered=registered_at.date(), street=street, house=rng.randint(1, 95), flat=None
                    ),
                    "ask": details["ask"],
                    "ask_l": details["ask_l"],
                    "flat": details["flat"],
                }
            plan.questions.append(question)
        past_due = self.today > plan.due
        plan.close = kind == Kind.NOT_APPEAL or rng.random() < (0.93 if past_due else 0.7)
        return plan

    def _layout(self, channel: str, kind: str) -> str:
        if channel == Channel.PERSONAL:
            return "personal"
        if channel == Channel.PHONE:
            return "phone"
        if kind in (Kind.MESSAGE, Kind.NOT_APPEAL) or channel in (Channel.TELEGRAM, Channel.VK):
            return "short"
        if channel in LETTER_CHANNELS:
            return "letter"
        return "short" if self.rng.random() < 0.4 else "letter"

    def _question(self, plan: AppealPlan, topic: Topic, street: names.Street) -> QuestionPlan:
        dept = topic.dept
        if dept == BLAG and street in names.ZARECHNY_STREETS:
            dept = ZARECHNY
        stage = self._stage(plan)
        routed = self.rng.random() < (0.5 if stage == Stage.NEW else 0.75)
        question = QuestionPlan(topic=topic, details=plan.details, dept=dept, routed=routed, stage=stage)
        self._choose_outcome(plan, question)
        return question

    def _choose_outcome(self, plan: AppealPlan, question: QuestionPlan) -> None:
        topic = question.topic
        if plan.anonymous:
            question.outcome = Outcome.LEFT_WITHOUT_ANSWER
        else:
            # Only outcomes the topic can word an answer for (forwarding has a common wording).
            outcomes = {
                o: w
                for o, w in topic.outcomes.items()
                if o in topic.answers or (o == Outcome.FORWARDED and topic.forward_to)
            } or {Outcome.EXPLAINED: 1}
            question.outcome = self.rng.choices(list(outcomes), list(outcomes.values()))[0]
        question.measures = question.outcome == Outcome.SUPPORTED and self.rng.random() < 0.65
        question.returned = self.rng.random() < 0.07

    def _stage(self, plan: AppealPlan) -> Stage:
        """How far a question of this appeal got: older ones are mostly done, fresh ones mostly not."""
        rng = self.rng
        registered = plan.registered_at.date()
        elapsed = (self.today - registered).days
        if plan.kind == Kind.NOT_APPEAL:
            return Stage.DONE if elapsed >= 3 else Stage.NEW
        if self.today > plan.due:
            late = (self.today - plan.due).days
            if rng.random() >= (0.08 if late <= 25 else 0.015):
                return Stage.DONE
            return rng.choices((Stage.ASSIGNED, Stage.ON_APPROVAL, Stage.NEW), (70, 20, 10))[0]
        share = elapsed / max((plan.due - registered).days, 1)
        table = (
            (0.15, (55, 40, 3, 2)),
            (0.40, (15, 60, 13, 12)),
            (0.70, (5, 47, 15, 33)),
            (9.99, (3, 27, 15, 55)),
        )
        weights = next(w for limit, w in table if share < limit)
        return rng.choices((Stage.NEW, Stage.ASSIGNED, Stage.ON_APPROVAL, Stage.DONE), weights)[0]

    # -- guaranteed scenarios ------------------------------------------------------------

    def _guarantee_scenarios(self) -> None:
        """Whatever the seed, `executor` has an overdue and an at-risk question, `head` has answers to approve."""
        today = self.today
        taken: set[int] = set()

        def pick(predicate: Callable[[AppealPlan], bool]) -> AppealPlan | None:
            candidates = [
                p
                for p in self.plans
                if p.index not in taken
                and p.previous is None
                and not p.referenced
                and p.kind in (Kind.APPEAL, Kind.MESSAGE)
                and predicate(p)
            ]
            if not candidates:
                return None
            plan = self.rng.choice(candidates)
            taken.add(plan.index)
            return plan

        def force(plan: AppealPlan | None, stage: Stage, executor: str | None) -> None:
            if plan is None:
                return
            pool = [
                t
                for t in ZHKH_TOPICS
                if (t.message or plan.kind != Kind.MESSAGE) and (t.collective or not plan.collective)
            ]
            topic = self.rng.choice(pool or list(ZHKH_TOPICS))
            question = QuestionPlan(
                topic=topic, details=plan.details, dept=ZHKH, routed=True, stage=stage, executor=executor, forced=True
            )
            self._choose_outcome(plan, question)
            question.returned = False
            plan.questions = [question]
            plan.close = False

        def working_days_left(p: AppealPlan) -> int:
            return self.calendar.working_days_between(today, p.due)

        age = lambda p: (today - p.registered_at.date()).days  # noqa: E731
        force(pick(lambda p: p.kind == Kind.APPEAL and 33 <= age(p) <= 60), Stage.ASSIGNED, orgchart.SUBSTITUTE)
        at_risk_days = settings.OTKLIK_AT_RISK_DAYS
        natural = pick(lambda p: p.due >= today and working_days_left(p) <= at_risk_days and age(p) >= 3)
        if natural is not None:
            force(natural, Stage.ASSIGNED, orgchart.SUBSTITUTE)
        else:
            # No appeal's legal deadline falls in the window today: the head set a shorter one.
            target = self.calendar.add_working_days(today, min(2, at_risk_days))
            shortened = pick(lambda p: p.kind == Kind.APPEAL and 5 <= age(p) <= 20 and p.due >= target)
            force(shortened, Stage.ASSIGNED, orgchart.SUBSTITUTE)
            if shortened is not None:
                shortened.questions[0].due = target
        force(pick(lambda p: p.kind == Kind.APPEAL and 4 <= age(p) <= 14), Stage.ASSIGNED, orgchart.SUBSTITUTE)
        force(pick(lambda p: p.kind == Kind.APPEAL and 8 <= age(p) <= 22), Stage.ON_APPROVAL, orgchart.SUBSTITUTE)
        force(pick(lambda p: p.kind == Kind.APPEAL and 8 <= age(p) <= 22), Stage.ON_APPROVAL, "exec_nikitin")
        force(pick(lambda p: p.kind == Kind.APPEAL and 1 <= age(p) <= 4), Stage.NEW, None)

    # -- schedule ------------------------------------------------------------------------

    def _executor_for(self, question: QuestionPlan, when: dt.datetime) -> str:
        def available(username: str) -> bool:
            if username != orgchart.ABSENT:
                return True
            if when.date() >= self.leave_starts:
                return False
            # Before the leave she finished almost everything: a couple of questions are left
            # open for the colleague who stands in for her.
            return question.stage == Stage.DONE or self._absent_open_left > 0

        options = [(u, w) for u, w in orgchart.EXECUTORS[question.dept] if available(u)]
        username = self.rng.choices([u for u, _ in options], [w for _, w in options])[0]
        if username == orgchart.ABSENT and question.stage != Stage.DONE:
            self._absent_open_left -= 1
        return username

    def _schedule(self, plan: AppealPlan) -> None:
        for question in plan.questions:
            self._schedule_question(plan, question)
        done = [q.t_approve for q in plan.questions if q.stage == Stage.DONE and q.t_approve is not None]
        if plan.close and len(done) == len(plan.questions):
            last = max(done)
            plan.t_close = self.working_moment(last + dt.timedelta(minutes=30), last + dt.timedelta(days=4), bias=1.5)
        if plan.t_close is None:
            plan.close = False

    def _schedule_question(self, plan: AppealPlan, q: QuestionPlan) -> None:
        minute = dt.timedelta(minutes=1)
        start = plan.registered_at + 15 * minute
        if q.stage == Stage.NEW and not q.routed and self.rng.random() < 0.5:
            return  # still waiting for the operator
        moment = start
        if not q.routed:
            q.t_route = self.working_moment(start, start + dt.timedelta(days=1), bias=1.5)
            if q.t_route is None:
                q.stage = Stage.NEW
                return
            moment = q.t_route
        if q.stage == Stage.NEW:
            return
        q.t_assign = self.working_moment(moment + 10 * minute, moment + dt.timedelta(days=3), bias=1.4)
        if q.t_assign is None:
            q.stage = Stage.NEW
            return
        if q.executor is None:
            q.executor = self._executor_for(q, q.t_assign)
        if not q.forced and plan.kind == Kind.APPEAL and self.rng.random() < 0.15:
            internal = self.calendar.previous_working_day(plan.due - dt.timedelta(days=5))
            if internal > q.t_assign.date() + dt.timedelta(days=7):
                q.due = internal
        if q.stage == Stage.ASSIGNED:
            return
        now_limit = self.horizon
        if q.stage == Stage.ON_APPROVAL:
            q.t_submit = self.working_moment(q.t_assign + 2 * 60 * minute, now_limit, bias=0.5)
            if q.t_submit is None:
                q.stage = Stage.ASSIGNED
            return
        due_end = self._at(q.due or plan.due, WORK_END)
        in_time = self.rng.random() < 0.93
        end = min(due_end if in_time else due_end + dt.timedelta(days=12), now_limit)
        if end <= q.t_assign + dt.timedelta(hours=6):
            end = now_limit
        q.t_submit = self.working_moment(q.t_assign + 2 * 60 * minute, end - 60 * minute, bias=0.7)
        if q.t_submit is None:
            q.stage = Stage.ASSIGNED
            return
        last = q.t_submit
        if q.returned:
            q.t_return = self.working_moment(last + 20 * minute, min(last + dt.timedelta(days=2), end - 40 * minute))
            if q.t_return is not None:
                q.t_resubmit = self.working_moment(
                    q.t_return + 60 * minute, min(q.t_return + dt.timedelta(days=3), end - 20 * minute)
                )
            if q.t_return is None or q.t_resubmit is None:
                q.returned, q.t_return, q.t_resubmit = False, None, None
            else:
                last = q.t_resubmit
        q.t_approve = self.working_moment(last + 15 * minute, min(last + dt.timedelta(days=2), end), bias=1.3)
        if q.t_approve is None:
            q.stage = Stage.ON_APPROVAL
