"""Default legal regimes, workflows and reminders: what most regulations do, editable afterwards.

Used by the data migration (with historical models) and by `services.defaults_ensure()`
(a database flushed by a test, or an administrator who deleted everything).
"""

REGIMES = [
    # code, name, days, day_kind, max_extension, forwarding_days, allows_pause
    ("59fz", "Обращение граждан (59-ФЗ)", 30, "calendar", 30, 7, False),
    ("message", "Сообщение (ПОС, соцсети)", 10, "calendar", 0, 7, True),
    ("8fz", "Запрос информации (8-ФЗ)", 30, "calendar", 15, 7, False),
    ("migration", "Нарушения миграционного законодательства (59-ФЗ ст. 12 п. 1.1)", 20, "calendar", 0, 5, False),
]

# code, name, norm, unit, minimum, role, optional, pauses
MAIN_59 = [
    ("receipt", "Поступление", 24, "hours", 1, "operator", False, False),
    ("registration", "Регистрация", 3, "calendar_days", 1, "operator", False, False),
    ("resolution", "Резолюция руководителя", 1, "working_days", 1, "head", False, False),
    ("execution", "Исполнение", 12, "working_days", 4, "executor", False, False),
    ("draft", "Подготовка проекта ответа", 3, "working_days", 1, "executor", False, False),
    ("approval", "Согласование", 2, "working_days", 1, "head", False, False),
    ("signing", "Подписание", 1, "working_days", 1, "head", False, False),
    ("dispatch", "Регистрация и отправка ответа", 1, "working_days", 1, "operator", False, False),
    ("request", "Запрос документов в другой орган", 15, "calendar_days", 15, "executor", True, False),
    ("inspection", "Выезд на место", 3, "working_days", 1, "executor", True, False),
    ("clarification", "Уточнение у заявителя", 5, "working_days", 1, "executor", True, True),
]
MAIN_MESSAGE = [
    ("receipt", "Поступление", 24, "hours", 1, "operator", False, False),
    ("registration", "Регистрация", 1, "working_days", 1, "operator", False, False),
    ("resolution", "Назначение исполнителя", 8, "hours", 2, "head", False, False),
    ("execution", "Устранение или проверка", 4, "working_days", 2, "executor", False, False),
    ("draft", "Подготовка ответа", 1, "working_days", 1, "executor", False, False),
    ("approval", "Согласование", 8, "hours", 2, "head", False, False),
    ("dispatch", "Отправка ответа", 4, "hours", 1, "operator", False, False),
    ("inspection", "Выезд на место", 2, "working_days", 1, "executor", True, False),
    ("clarification", "Уточнение у заявителя", 3, "working_days", 1, "executor", True, True),
]
FORWARDING = [
    ("forwarding", "Подготовка и направление по компетенции", 4, "working_days", 1, "executor", False, False),
    ("notice", "Уведомление заявителя о переадресации", 1, "working_days", 1, "operator", False, False),
]
NO_ANSWER = [
    ("notice", "Уведомление заявителя (ст. 11 59-ФЗ)", 4, "working_days", 1, "executor", False, False),
]
WORKFLOWS = [
    # name, path, regime, kind, stages
    ("Обращение гражданина", "main", "59fz", "appeal", MAIN_59),
    ("Сообщение", "main", "message", "message", MAIN_MESSAGE),
    ("Запрос информации", "main", "8fz", "info_request", MAIN_59),
    ("Не обращение", "main", "59fz", "not_appeal", [*MAIN_59[:2], MAIN_59[7]]),
    ("Переадресация по компетенции", "forwarding", "59fz", "", FORWARDING),
    ("Без ответа по существу (ст. 11)", "no_answer", "59fz", "", NO_ANSWER),
]
RULES = [
    ("Напоминание исполнителю", 50, "executor"),
    ("Руководителю: этап на исходе", 80, "head"),
    ("Контролёру: срок этапа истёк", 100, "controller"),
]


def install(Regime, Workflow, Stage, Rule) -> None:
    """Create what is missing; existing rows (maybe edited by an administrator) are left alone."""
    regimes = {}
    for code, name, days, day_kind, max_ext, fwd, pause in REGIMES:
        regimes[code], _ = Regime.objects.get_or_create(
            code=code,
            defaults=dict(
                name=name,
                consideration_days=days,
                day_kind=day_kind,
                max_extension_days=max_ext,
                forwarding_days=fwd,
                allows_pause=pause,
            ),
        )
    for name, path, regime, kind, stages in WORKFLOWS:
        if Workflow.objects.filter(name=name).exists():
            continue
        wf = Workflow.objects.create(name=name, path=path, regime=regimes[regime], kind=kind)
        for position, (code, sname, norm, unit, minimum, role, optional, pauses) in enumerate(stages, start=1):
            Stage.objects.create(
                workflow=wf,
                position=position,
                code=code,
                name=sname,
                norm_value=norm,
                norm_unit=unit,
                min_value=minimum,
                responsible_role=role,
                optional=optional,
                pauses_clock=pauses,
            )
    # Backward transitions: an answer returned at approval or signing goes back to the draft
    # (the field arrives in migration 0003; the seeding migration 0002 runs without it).
    if any(f.name == "returns_to" for f in Stage._meta.get_fields()):
        Stage.objects.filter(code__in=["approval", "signing"], returns_to="").update(returns_to="draft")
    for name, percent, notify in RULES:
        Rule.objects.get_or_create(name=name, defaults=dict(percent=percent, notify=notify))
