"""Vocabularies of workflows: stages, units of norms, paths, plan states."""

from django.db import models


class StageCode(models.TextChoices):
    RECEIPT = "receipt", "Поступление"
    REGISTRATION = "registration", "Регистрация"
    RESOLUTION = "resolution", "Резолюция руководителя"
    EXECUTION = "execution", "Исполнение"
    DRAFT = "draft", "Подготовка ответа"
    APPROVAL = "approval", "Согласование"
    SIGNING = "signing", "Подписание"
    DISPATCH = "dispatch", "Отправка ответа"
    REQUEST = "request", "Запрос в другой орган"
    INSPECTION = "inspection", "Выезд на место"
    CLARIFICATION = "clarification", "Уточнение у заявителя"
    FORWARDING = "forwarding", "Направление по компетенции"
    NOTICE = "notice", "Уведомление заявителя"


class NormUnit(models.TextChoices):
    HOURS = "hours", "часов"
    WORKING_DAYS = "working_days", "рабочих дней"
    CALENDAR_DAYS = "calendar_days", "календарных дней"


class DayKind(models.TextChoices):
    CALENDAR = "calendar", "Календарные дни"
    WORKING = "working", "Рабочие дни"


class CountFrom(models.TextChoices):
    DATE_PLUS_N = "date_plus_n", "Срок = дата регистрации + N дней"
    INCLUSIVE = "inclusive", "День регистрации — первый день срока (дата + N − 1)"


class Shift(models.TextChoices):
    PREVIOUS = "previous", "На предыдущий рабочий день"
    NEXT = "next", "На следующий рабочий день"
    NONE = "none", "Не переносить"


class Path(models.TextChoices):
    MAIN = "main", "Рассмотрение по существу"
    FORWARDING = "forwarding", "Переадресация по компетенции (ст. 8)"
    NO_ANSWER = "no_answer", "Без ответа по существу (ст. 11)"


class StageStatus(models.TextChoices):
    PENDING = "pending", "Впереди"
    ACTIVE = "active", "Идёт"
    DONE = "done", "Завершён"
    SKIPPED = "skipped", "Пропущен"


class PlanState(models.TextChoices):
    ON_TRACK = "on_track", "В графике"
    COMPRESSED = "compressed", "Резерв израсходован частично"
    AT_RISK = "at_risk", "Под угрозой"
    OVERDUE = "overdue", "Просрочено"
    DONE = "done", "Завершено"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "На рассмотрении"
    APPROVED = "approved", "Продлено"
    REFUSED = "refused", "Отказано"


class NotifyRole(models.TextChoices):
    EXECUTOR = "executor", "Исполнитель"
    HEAD = "head", "Руководитель подразделения"
    CONTROLLER = "controller", "Контролёры"
