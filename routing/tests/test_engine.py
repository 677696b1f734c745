"""Routing as pure functions: rules by priority, learned routing, competence, load balancing."""

from __future__ import annotations

from routing.engine import BodySpec, Context, ExecutorLoad, RuleSpec, competence, decide, pick_executor

LIGHT = "0003.0009.0097.0690"
RULES = [
    RuleSpec(id=1, name="Всё ЖКХ", priority=100, code_prefix="0005", department_id=10),
    RuleSpec(
        id=2, name="Свет в Невском", priority=10, code_prefix="0003.0009.0097", district="Невский", department_id=20
    ),
    RuleSpec(id=3, name="Свет", priority=50, code_prefix="0003.0009.0097.0000", department_id=30),
    RuleSpec(id=4, name="Ямы", priority=60, keywords=("яма", "провал асфальта"), department_id=40, balance=True),
]


def test_first_fitting_rule_by_priority_with_its_reasons() -> None:
    nevsky = decide(Context(text="Не горит фонарь", code=LIGHT, district="Невский"), RULES, auto_threshold=0.8)
    assert (nevsky.source, nevsky.department_id, nevsky.rule_id, nevsky.apply) == ("rule", 20, 2, True)
    assert "«Свет в Невском» (приоритет 10)" in nevsky.reason and "район «Невский»" in nevsky.reason
    elsewhere = decide(Context(text="Не горит фонарь", code=LIGHT, district="Кировский"), RULES, auto_threshold=0.8)
    assert elsewhere.rule_id == 3  # «.0000» groups of a prefix restrict nothing
    pit = decide(Context(text="Провалы асфальта во дворе"), RULES, auto_threshold=0.8)
    assert pit.rule_id == 4 and pit.balance and "провал асфальта" in pit.reason


def test_learned_routing_when_no_rule_fits_and_its_threshold() -> None:
    context = Context(
        text="что-то", predicted_department_id=7, predicted_department="Управление дорог", predicted_confidence=0.91
    )
    sure = decide(context, RULES, auto_threshold=0.8)
    assert (sure.source, sure.department_id, sure.apply) == ("model", 7, True) and "91 %" in sure.reason
    unsure = decide(
        Context(text="что-то", predicted_department_id=7, predicted_department="X", predicted_confidence=0.5),
        RULES,
        auto_threshold=0.8,
    )
    assert unsure.department_id == 7 and not unsure.apply and "решает оператор" in unsure.reason
    nothing = decide(Context(text="что-то"), RULES, auto_threshold=0.8)
    assert nothing.source == "none" and not nothing.apply and nothing.reason


BODIES = [
    BodySpec(id=1, name="Социальный фонд", aliases=("СФР",), keywords=("пенсия", "пособие")),
    BodySpec(id=2, name="Управляющая компания", aliases=("УК", "управляйка"), code_prefixes=("0005.0005.0056",)),
    BodySpec(id=3, name="Жилищная инспекция", aliases=("ГЖИ",), code_prefixes=("0005.0005",)),
]


def test_competence_and_the_body_complained_about() -> None:
    own = ["0003", "0005.0005.0055"]
    ours = competence(Context(text="Не горит фонарь", code=LIGHT), own_prefixes=own, bodies=BODIES, is_complaint=False)
    assert ours.in_competence
    pension = competence(Context(text="Не пришла пенсия за май"), own_prefixes=[], bodies=BODIES, is_complaint=False)
    assert not pension.in_competence and pension.body_id == 1 and "пенсия" in pension.reason
    lift = Context(text="Лифт не работает месяц", code="0005.0005.0056.1154")
    assert competence(lift, own_prefixes=own, bodies=BODIES, is_complaint=False).body_id == 2  # the longest prefix
    complaint = Context(text="Жалоба на бездействие УК: лифт не работает", code="0005.0005.0056.1154")
    result = competence(complaint, own_prefixes=own, bodies=BODIES, is_complaint=True)
    assert result.body_id == 3 and "Управляющая компания" in result.excluded[0] and "ст. 8 ч. 6" in result.excluded[0]
    only = competence(complaint, own_prefixes=own, bodies=BODIES[:2], is_complaint=True)
    assert only.blocked and only.body_id is None and "суде" in only.reason
    unknown = competence(
        Context(text="Вопрос", code="0002.0014.0143.0444"), own_prefixes=own, bodies=[], is_complaint=False
    )
    assert not unknown.in_competence and "не найден" in unknown.reason


def test_load_balancing_with_absence_and_substitution() -> None:
    staff = [
        ExecutorLoad(staff_id=1, name="Антонова", open_questions=5),
        ExecutorLoad(
            staff_id=2, name="Борисов", open_questions=2, absent=True, substitute_id=3, substitute_name="Васильев"
        ),
        ExecutorLoad(staff_id=3, name="Васильев", open_questions=4),
        ExecutorLoad(staff_id=4, name="Григорьева", open_questions=1, absent=True),
    ]
    chosen, why = pick_executor(staff)
    assert chosen == 3 and "наименьшая загрузка" in why and "открытых вопросов 4" in why
    assert pick_executor(staff, preferred=1) == (1, "исполнитель по правилу: Антонова")
    chosen, why = pick_executor(staff, preferred=2)
    assert chosen == 3 and "замещает Васильев" in why
    chosen, why = pick_executor(staff, preferred=4)
    assert chosen == 3 and "замещающего нет" in why
    assert pick_executor([staff[3]])[0] is None
