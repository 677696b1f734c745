"""Cold-start readings of the question type and of the kind of item, before any history exists.

Type (DOMAIN.md 6): предложение, заявление, жалоба, запрос информации, не обращение — read from
typical wordings. Kind: обращение (59-FZ) or сообщение (a short report of a local problem through
a feedback platform or a messenger) — read from the channel and the shape of the text. These are
suggestions with a modest confidence; the trained models replace them once history exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appeals.choices import Channel, Kind, QuestionType
from nlp.signals import NOT_APPEAL


@dataclass(frozen=True)
class Reading:
    value: str
    confidence: float
    evidence: str = ""


_INFO = re.compile(
    r"прошу\s+(?:вас\s+)?(?:предоставить|сообщить|разъяснить|дать\s+(?:разъяснени|информаци|ответ\s+на\s+вопрос)|"
    r"проинформировать|пояснить)|предоставьте\s+информаци|сообщите[,]?\s+(?:пожалуйста[,]?\s+)?(?:когда|почему|как|каки|где|на\s+каком|сколько)|"
    r"разъясните|хотел[аи]?\s+бы\s+узнать|интересует\s+(?:информаци|вопрос)|прошу\s+ответить|"
    r"на\s+каком\s+основании|в\s+соответствии\s+с\s+(?:федеральным\s+законом\s+)?(?:№\s*)?8-фз",
    re.IGNORECASE,
)
_PROPOSAL = re.compile(
    r"предлага(?:ю|ем)|предложени[ея]|было\s+бы\s+(?:хорошо|неплохо|правильно|целесообразно)|"
    r"прошу\s+рассмотреть\s+возможность|считаю\s+(?:нужным|целесообразным|необходимым)|рекомендую|"
    r"инициатив[ау]",
    re.IGNORECASE,
)
_COMPLAINT = re.compile(
    r"жалоб|обжал|бездейств|нарушен[ыо]?\s+(?:мои\s+|наши\s+)?права|незаконн\w*\s+действи|халатн|"
    r"прошу\s+(?:привлечь|наказать|провести\s+проверку)|не\s+(?:отвечают|реагиру\w+|принима\w+\s+мер)|"
    r"отписк|грубо|хамств|волокит",
    re.IGNORECASE,
)

MESSAGE_CHANNELS = frozenset({Channel.VK, Channel.TELEGRAM})
FORMAL_CHANNELS = frozenset({Channel.POST, Channel.COURIER, Channel.PERSONAL, Channel.SSTU, Channel.EDMS})
SHORT_MESSAGE = 400


def question_type(text: str, signal_codes: set[str]) -> Reading:
    if signal_codes & NOT_APPEAL:
        return Reading(QuestionType.NOT_APPEAL, 0.8, "признаки «не обращения»")
    for pattern, value, confidence in (
        (_COMPLAINT, QuestionType.COMPLAINT, 0.65),
        (_INFO, QuestionType.INFO_REQUEST, 0.65),
        (_PROPOSAL, QuestionType.PROPOSAL, 0.6),
    ):
        found = pattern.search(text)
        if found:
            return Reading(value, confidence, found.group(0))
    return Reading(QuestionType.STATEMENT, 0.5, "")


def item_kind(text: str, channel: str, signal_codes: set[str]) -> Reading:
    if signal_codes & NOT_APPEAL:
        return Reading(Kind.NOT_APPEAL, 0.75, "признаки «не обращения»")
    if channel in MESSAGE_CHANNELS:
        return Reading(Kind.MESSAGE, 0.8, "канал: социальная сеть или мессенджер")
    if channel in FORMAL_CHANNELS:
        return Reading(Kind.APPEAL, 0.8, "канал письменного или личного обращения")
    if _INFO.search(text) and re.search(r"8-фз|о\s+деятельности", text, re.IGNORECASE):
        return Reading(Kind.INFO_REQUEST, 0.6, "запрос информации о деятельности органа")
    if len(text) <= SHORT_MESSAGE:
        return Reading(Kind.MESSAGE, 0.6, "короткое сообщение о проблеме")
    return Reading(Kind.APPEAL, 0.6, "развёрнутое письмо")
