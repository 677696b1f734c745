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
