"""Vocabularies of appeals and questions (DOMAIN.md sections 1 and 6)."""

from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Интернет-приёмная"
    EPGU = "epgu", "Госуслуги (ПОС)"
    SSTU = "sstu", "ССТУ.РФ"
    EDMS = "edms", "СЭД / МЭДО"
    EMAIL = "email", "Электронная почта"
    TELEGRAM = "telegram", "Telegram"
    VK = "vk", "ВКонтакте"
    POST = "post", "Почта"
    COURIER = "courier", "Нарочно"
    PERSONAL = "personal", "Личный приём"
    PHONE = "phone", "Телефон"


class Kind(models.TextChoices):
    APPEAL = "appeal", "Обращение (59-ФЗ)"
    MESSAGE = "message", "Сообщение"
    INFO_REQUEST = "info_request", "Запрос информации (8-ФЗ)"
    NOT_APPEAL = "not_appeal", "Не обращение"


class Form(models.TextChoices):
    WRITTEN = "written", "Письменное"
    ELECTRONIC = "electronic", "Электронное"
    ORAL = "oral", "Устное"


class Character(models.TextChoices):
    INDIVIDUAL = "individual", "Индивидуальное"
    COLLECTIVE = "collective", "Коллективное"
    REPEATED = "repeated", "Повторное"
    COLLECTIVE_REPEATED = "collective_repeated", "Коллективное повторное"


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", "Зарегистрировано"
    IN_WORK = "in_work", "На рассмотрении"
    ANSWERED = "answered", "Рассмотрено"
    CLOSED = "closed", "Снято с контроля"


class QuestionType(models.TextChoices):
    PROPOSAL = "proposal", "Предложение"
    STATEMENT = "statement", "Заявление"
    COMPLAINT = "complaint", "Жалоба"
    INFO_REQUEST = "info_request", "Запрос информации"
    NOT_APPEAL = "not_appeal", "Не обращение"


class QuestionStatus(models.TextChoices):
    NEW = "new", "Не распределён"
    ASSIGNED = "assigned", "На исполнении"
    ON_APPROVAL = "on_approval", "На согласовании"
    DONE = "done", "Рассмотрен"


class Outcome(models.TextChoices):
    """The ССТУ.РФ reporting vocabulary of a question's result."""

    ON_CONSIDERATION = "on_consideration", "На рассмотрении"
    SUPPORTED = "supported", "Рассмотрено: поддержано"
    EXPLAINED = "explained", "Рассмотрено: разъяснено"
    NOT_SUPPORTED = "not_supported", "Рассмотрено: не поддержано"
    FORWARDED = "forwarded", "Направлено по компетенции"
    ANSWERED_TO_AUTHOR = "answered_to_author", "Дан ответ автору"
    LEFT_WITHOUT_ANSWER = "left_without_answer", "Оставлено без ответа автору"
    EXTENDED = "extended", "Срок рассмотрения продлён"


FINAL_OUTCOMES = frozenset(
    {
        Outcome.SUPPORTED,
        Outcome.EXPLAINED,
        Outcome.NOT_SUPPORTED,
        Outcome.FORWARDED,
        Outcome.ANSWERED_TO_AUTHOR,
        Outcome.LEFT_WITHOUT_ANSWER,
    }
)


class EventKind(models.TextChoices):
    REGISTERED = "registered", "Зарегистрировано"
    CHANGED = "changed", "Изменено"
    QUESTION_ADDED = "question_added", "Добавлен вопрос"
    ASSIGNED = "assigned", "Назначен исполнитель"
    ANSWER_SUBMITTED = "answer_submitted", "Ответ на согласовании"
    APPROVED = "approved", "Ответ утверждён"
    RETURNED = "returned", "Возвращено на доработку"
    ATTACHMENT = "attachment", "Добавлено вложение"
    COMMENT = "comment", "Комментарий"
    CLOSED = "closed", "Снято с контроля"


# The form follows from the channel unless the operator says otherwise.
CHANNEL_FORM = {
    Channel.WEB: Form.ELECTRONIC,
    Channel.EPGU: Form.ELECTRONIC,
    Channel.SSTU: Form.ELECTRONIC,
    Channel.EDMS: Form.ELECTRONIC,
    Channel.EMAIL: Form.ELECTRONIC,
    Channel.TELEGRAM: Form.ELECTRONIC,
    Channel.VK: Form.ELECTRONIC,
    Channel.POST: Form.WRITTEN,
    Channel.COURIER: Form.WRITTEN,
    Channel.PERSONAL: Form.ORAL,
    Channel.PHONE: Form.ORAL,
}
