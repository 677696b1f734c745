"""Letters, question wordings and answers composed from the topic templates."""

from __future__ import annotations

import datetime as dt
import random

from appeals.choices import Channel, Kind, Outcome
from core.text import shorten
from demo import names, orgchart
from demo.persons import ApplicantSpec
from demo.plan import AppealPlan, QuestionPlan
from demo.topics import GENERIC_ANSWERS, OFFICE
from people.choices import ContactKind, Gender


def _fill(template: str, context: dict[str, str]) -> str:
    return template.format_map(context)


def _ending(person: ApplicantSpec | None, male: str, female: str) -> str:
    return female if person is not None and person.gender == Gender.FEMALE else male


def question_text(rng: random.Random, question: QuestionPlan) -> str:
    """The operator's wording of a question: «О ремонте уличного освещения на ул. Садовой (д. 12)»."""
    return _fill(rng.choice(question.topic.summary), question.details)


def appeal_summary(texts: list[str]) -> str:
    return shorten("; ".join(texts), 300)


def addressee(rng: random.Random, plan: AppealPlan) -> str:
    if plan.channel == Channel.SSTU:
        return "Администрация Президента Российской Федерации (направлено по компетенции)"
    if plan.channel == Channel.EDMS:
        return "Правительство области (направлено по компетенции)"
    if plan.channel == Channel.PERSONAL:
        return "Заместитель главы города Демограда"
    if plan.channel in (Channel.POST, Channel.COURIER) or rng.random() < 0.4:
        return "Глава города Демограда"
    return "Администрация города Демограда"


def _phone_of(person: ApplicantSpec) -> str:
    return next((c.value for c in person.contacts if c.kind == ContactKind.PHONE), "")


def _repeat_sentence(plan: AppealPlan, previous_number: str, previous_date: dt.date) -> str:
    assert plan.previous is not None
    person = plan.applicants[0] if plan.applicants else None
    wrote = _ending(person, "обращался", "обращалась")
    got = _ending(person, "получил", "получила")
    reference = f"обращение № {previous_number} от {names.date_numeric(previous_date)}"
    answered = plan.previous.answered_at
    if answered is not None and answered < plan.registered_at:
        return (
            f"Повторно обращаюсь к Вам по тому же вопросу. Ранее я уже {wrote} ({reference}), ответ {got}, "
            "однако проблема так и не решена."
        )
    return f"Это моё повторное обращение. Я уже {wrote} по этому вопросу ({reference}), но ответа до сих пор не {got}."


def _paragraph(rng: random.Random, question: QuestionPlan, *, short: bool = False) -> str:
    topic = question.topic
    pool = topic.short if short or not topic.long else topic.long
    return _fill(rng.choice(pool), question.details)


def _signature(rng: random.Random, plan: AppealPlan) -> str:
    if plan.anonymous:
        return rng.choice(("", "", "Жители района", "Житель дома"))
    if plan.collective:
        rows = [f"{i}. {p.short_name}, кв. {p.flat}" for i, p in enumerate(plan.applicants, start=1)]
        return f"Подписи жителей ({len(rows)}):\n" + "\n".join(rows)
    first = plan.applicants[0]
    if first.is_organisation:
        return f"{first.signer}\n{first.organisation_name}" if first.signer else first.organisation_name
    lines = [f"С уважением,\n{first.short_name}"]
    if plan.channel in (Channel.POST, Channel.COURIER):
        lines.append(first.postal_address)
        phone = _phone_of(first)
        if phone:
            lines.append(f"тел. {phone}")
    return "\n".join(lines)


def _closing(rng: random.Random, plan: AppealPlan) -> str:
    plural = plan.collective or plan.organisation is not None
    if plan.kind == Kind.INFO_REQUEST:
        if plan.channel in (Channel.EMAIL, Channel.WEB, Channel.EPGU):
            return "Ответ прошу направить на электронную почту."
        return "Ответ прошу направить в письменной форме по почтовому адресу."
    if plural:
        return rng.choice(
            (
                "Просим принять меры и сообщить о результатах.",
                "Просим дать письменный ответ по существу поставленных вопросов.",
                "Надеемся на Вашу помощь.",
            )
        )
    options = [
        "Прошу принять меры и дать письменный ответ.",
        "Прошу разобраться и сообщить о принятых мерах.",
        "Надеюсь на Вашу помощь.",
    ]
    if plan.channel in (Channel.POST, Channel.COURIER):
        options.append("Ответ прошу направить по почте.")
    if plan.channel in (Channel.EMAIL, Channel.WEB, Channel.EPGU):
        options.append("Ответ прошу направить на электронную почту.")
    return rng.choice(options)


def appeal_text(
    rng: random.Random, plan: AppealPlan, *, previous_number: str = "", previous_date: dt.date | None = None
) -> str:
    """The text as it came in: a short report, a letter, or the operator's record of an oral appeal."""
    questions = plan.questions
    if plan.layout == "short":
        body = _paragraph(rng, questions[0], short=True)
        if plan.channel in (Channel.TELEGRAM, Channel.VK) and rng.random() < 0.35:
            body = rng.choice(("Здравствуйте! ", "Добрый день! ", "Помогите! ")) + body
        if plan.channel == Channel.EPGU and plan.kind == Kind.MESSAGE and rng.random() < 0.5:
            body += f"\n\nАдрес: {names.TOWN_FULL}, {questions[0].details['addr']}"
        if plan.previous is not None and previous_date is not None:
            body = _repeat_sentence(plan, previous_number, previous_date) + "\n\n" + body
        return body
    person = plan.applicants[0] if plan.applicants else None
    if plan.layout in ("personal", "phone"):
        speaker = _ending(person, "Заявитель", "Заявительница") if person else "Заявитель"
        said = _ending(person, "сообщил", "сообщила")
        if plan.layout == "personal":
            head = f"Устное обращение на личном приёме у заместителя главы города {names.date_numeric(plan.registered_at.date())}."
        else:
            head = "Обращение принято по телефону «горячей линии» администрации города."
        quoted = " ".join(_paragraph(rng, q, short=plan.layout == "phone") for q in questions)
        tail = (
            "Просит дать письменный ответ."
            if plan.layout == "personal"
            else "Ответ просит дать по телефону или письмом."
        )
        return f"{head}\n\n{speaker} {said}: «{quoted}»\n\n{tail}"
    parts: list[str] = []
    if plan.channel == Channel.SSTU:
        parts.append(
            f"Обращение поступило через ССТУ.РФ из Администрации Президента Российской Федерации "
            f"(№ {plan.external_id}) и направлено для рассмотрения по компетенции."
        )
    elif plan.channel == Channel.EDMS:
        parts.append(
            f"Обращение перенаправлено из Правительства области по системе электронного документооборота "
            f"(сопроводительное письмо № {plan.external_id}) для рассмотрения по компетенции."
        )
    elif plan.channel in (Channel.POST, Channel.COURIER):
        parts.append(orgchart.HEAD_OF_TOWN_DATIVE)
    greeting = rng.choices(
        (orgchart.HEAD_OF_TOWN_GREETING, "Уважаемая администрация!", "Здравствуйте!", ""), (45, 20, 20, 15)
    )[0]
    if greeting:
        parts.append(greeting)
    if plan.previous is not None and previous_date is not None:
        parts.append(_repeat_sentence(plan, previous_number, previous_date))
    if plan.collective:
        details = questions[0].details
        parts.append(
            f"Мы, жители дома № {details['house']} по {details['street_o']}, вынуждены обратиться к Вам за помощью."
        )
    elif plan.organisation is not None:
        parts.append(f"{plan.organisation.organisation_name} просит оказать содействие в решении следующих вопросов.")
    if len(questions) == 1:
        parts.append(_paragraph(rng, questions[0]))
    else:
        parts.append(f"{questions[0].details['ask']} рассмотреть следующие вопросы.")
        parts.extend(f"{i}. {_paragraph(rng, q)}" for i, q in enumerate(questions, start=1))
    parts.append(_closing(rng, plan))
    signature = _signature(rng, plan)
    if signature:
        parts.append(signature)
    return "\n\n".join(parts)


def _greeting(plan: AppealPlan) -> str:
    if plan.collective:
        return "Уважаемые заявители!"
    first = plan.applicants[0]
    if first.is_organisation:
        return "Уважаемые коллеги!"
    dear = "Уважаемая" if first.gender == Gender.FEMALE else "Уважаемый"
    return f"{dear} {first.name_and_patronymic}!"


def answer_text(
    rng: random.Random,
    plan: AppealPlan,
    question: QuestionPlan,
    *,
    number: str,
    executor: orgchart.Person,
    answered_on: dt.date,
    started_on: dt.date,
) -> str:
    """The executor's draft answer to one question."""
    topic = question.topic
    unit = orgchart.UNITS_BY_KEY[executor.unit or OFFICE]
    done_on = started_on + dt.timedelta(days=rng.randint(0, max((answered_on - started_on).days, 0)))
    term = answered_on + dt.timedelta(days=rng.randint(10, 60))
    term_words = names.date_words(term) + ("" if term.year == answered_on.year else f" {term.year} года")
    context = {
        **question.details,
        "date_done": names.date_numeric(done_on),
        "term": term_words,
        "year": str(answered_on.year),
        "year_next": str(answered_on.year + 1),
        "dept_phone": unit.phone,
        "forward_to": topic.forward_to or "в уполномоченный орган",
        "out_no": f"01-15/{rng.randint(1000, 9999)}",
    }
    outcome = question.outcome
    templates = topic.answers.get(outcome) or GENERIC_ANSWERS[outcome]
    if outcome == Outcome.FORWARDED:
        templates = GENERIC_ANSWERS[outcome]
    body = _fill(rng.choice(templates), context)
    if plan.anonymous or plan.kind == Kind.NOT_APPEAL or outcome == Outcome.LEFT_WITHOUT_ANSWER:
        return body
    subject = _fill(topic.subject, context)
    registered = names.date_numeric(plan.registered_at.date())
    if plan.kind == Kind.MESSAGE:
        whose = "Ваше сообщение"
    elif plan.kind == Kind.INFO_REQUEST:
        whose = "Ваш запрос"
    elif plan.collective:
        whose = "Ваше коллективное обращение"
    else:
        whose = "Ваше обращение"
    scope = f" в части вопроса {subject}" if len(plan.questions) > 1 else f" {subject}"
    intro = f"Администрация города Демограда рассмотрела {whose} от {registered} № {number}{scope}."
    paragraphs = [_greeting(plan), intro, body]
    closing = rng.choices(
        (
            "",
            "Вопрос остаётся на контроле.",
            "В случае несогласия с ответом Вы вправе обжаловать его в установленном порядке.",
        ),
        (50, 30, 20),
    )[0]
    if closing and outcome != Outcome.FORWARDED:
        paragraphs.append(closing)
    paragraphs.append(f"Исп.: {executor.short_name}, тел. {unit.phone}")
    return "\n\n".join(paragraphs)


RETURN_NOTES = (
    "Уточните сроки выполнения работ.",
    "Дополните ответ информацией о принятых мерах.",
    "Проверьте адрес в тексте ответа.",
    "Приложите акт обследования и сошлитесь на него в ответе.",
    "Ответ должен быть по существу каждого поставленного вопроса — дополните.",
)


def close_note(rng: random.Random, plan: AppealPlan) -> str:
    """The controller's note on taking an appeal off control."""
    if plan.kind == Kind.NOT_APPEAL:
        return "Не является обращением, списано в дело."
    if plan.anonymous:
        return rng.choice(("", "Анонимное обращение: ответ не направляется."))
    if rng.random() < 0.4:
        return ""
    kinds = {c.kind for spec in plan.applicants for c in spec.contacts}
    if plan.channel == Channel.EPGU:
        return "Ответ направлен в личный кабинет заявителя на Госуслугах."
    if plan.channel in (Channel.EMAIL, Channel.WEB) and ContactKind.EMAIL in kinds:
        return "Ответ направлен на e-mail заявителя."
    if ContactKind.POSTAL in kinds:
        return "Ответ направлен заявителю почтой."
    if plan.channel in (Channel.TELEGRAM, Channel.VK):
        return "Ответ направлен заявителю в мессенджере."
    return "Ответ направлен заявителю."
