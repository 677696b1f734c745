"""Kinds of applicants and contacts."""

from django.db import models


class ApplicantKind(models.TextChoices):
    PERSON = "person", "Гражданин"
    ORGANISATION = "organisation", "Организация"


class Gender(models.TextChoices):
    UNKNOWN = "", "Не указан"
    MALE = "m", "Мужской"
    FEMALE = "f", "Женский"


class ContactKind(models.TextChoices):
    PHONE = "phone", "Телефон"
    EMAIL = "email", "E-mail"
    POSTAL = "postal", "Почтовый адрес"
    TELEGRAM = "telegram", "Telegram"
    VK = "vk", "ВКонтакте"


class DataAccessAction(models.TextChoices):
    VIEW = "view", "Просмотр"
    EXPORT = "export", "Выгрузка"
    EDIT = "edit", "Изменение"


class MatchDecision(models.TextChoices):
    """What recognising an applicant at the door concluded."""

    AUTO_LINK = "linked", "Найден в системе, привязан автоматически"
    PROPOSE = "proposed", "Возможно, уже есть в системе: нужна проверка"
    NEW = "new", "Новый заявитель"


class SuspicionStatus(models.TextChoices):
    PENDING = "pending", "Ждёт проверки"
    MERGED = "merged", "Объединены"
    DISMISSED = "dismissed", "Разные люди"


class SuspicionSource(models.TextChoices):
    REGISTRATION = "registration", "При регистрации"
    BATCH = "batch", "Пакетная проверка"


class DedupRunStatus(models.TextChoices):
    QUEUED = "queued", "В очереди"
    RUNNING = "running", "Идёт"
    DONE = "done", "Завершена"
    FAILED = "failed", "Ошибка"
