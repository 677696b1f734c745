"""Vocabularies of outgoing letters."""

from django.db import models


class Situation(models.TextChoices):
    """Why a letter is written; each situation has its own template groups."""

    ACKNOWLEDGEMENT = "acknowledgement", "Уведомление о регистрации"
    ANSWER = "answer", "Ответ по существу"
    INTERIM = "interim", "Промежуточный ответ"
    FORWARDING = "forwarding", "Уведомление о переадресации по компетенции"
    EXTENSION = "extension", "Уведомление о продлении срока"
    COURT_DECISION = "court_decision", "Возврат: обжалуется судебное решение (ст. 11 ч. 2)"
    ABUSE = "abuse", "Предупреждение о недопустимости злоупотребления правом (ст. 11 ч. 3)"
    UNREADABLE = "unreadable", "Текст не поддаётся прочтению (ст. 11 ч. 4)"
    UNCLEAR = "unclear", "Суть обращения не определить (ст. 11 ч. 4.1)"
    CORRESPONDENCE_ENDED = "correspondence_ended", "Прекращение переписки (ст. 11 ч. 5)"
    PUBLISHED = "published", "Ответ размещён на официальном сайте (ст. 11 ч. 5.1)"
    SECRET = "secret", "Ответ по существу невозможен: охраняемая тайна (ст. 11 ч. 6)"


# A final answer closes consideration: it needs every question approved (and so signed).
FINAL_SITUATIONS = frozenset(
    {
        Situation.ANSWER,
        Situation.FORWARDING,
        Situation.COURT_DECISION,
        Situation.ABUSE,
        Situation.UNREADABLE,
        Situation.UNCLEAR,
        Situation.CORRESPONDENCE_ENDED,
        Situation.PUBLISHED,
        Situation.SECRET,
    }
)


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Проект"
    ISSUED = "issued", "Зарегистрировано"
    CANCELLED = "cancelled", "Отменено"


class LetterFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    HTML = "html", "HTML"
    TEXT = "txt", "Текст"
