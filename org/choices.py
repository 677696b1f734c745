"""Roles and kinds of organisational units."""

from django.db import models


class RoleCode(models.TextChoices):
    OPERATOR = "operator", "Оператор (регистрация)"
    HEAD = "head", "Руководитель"
    EXECUTOR = "executor", "Исполнитель"
    CONTROLLER = "controller", "Контролёр"
    ADMINISTRATOR = "administrator", "Администратор"


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "Структурное подразделение"
    INSTITUTION = "institution", "Подведомственное учреждение"
    TERRITORIAL = "territorial", "Территориальный орган"
