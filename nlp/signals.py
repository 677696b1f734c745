"""Signals that matter under 59-FZ: what the operator should look at before answering.

- art. 11 p.3: obscene or offensive language, threats to an official's life, health, property;
- art. 11 p.1: no surname, or no postal / e-mail address for the reply (anonymous);
- art. 11 p.2: the appeal challenges a court decision;
- not an appeal at all: thanks, spam, a test message, a text without sense.

Signals are suggestions with the words that raised them; the decision stays with a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp.text import words


class SignalCode:
    OBSCENE = "obscene"
    OFFENSIVE = "offensive"
    THREAT = "threat"
    NO_SURNAME = "no_surname"
    NO_ADDRESS = "no_address"
    COURT_DECISION = "court_decision"
    THANKS = "thanks"
    SPAM = "spam"
    TEST = "test"
    NONSENSE = "nonsense"


LABELS = {
    SignalCode.OBSCENE: "Нецензурная брань (ст. 11 ч. 3 59-ФЗ)",
    SignalCode.OFFENSIVE: "Оскорбительные выражения (ст. 11 ч. 3 59-ФЗ)",
    SignalCode.THREAT: "Угрозы жизни, здоровью или имуществу (ст. 11 ч. 3 59-ФЗ)",
    SignalCode.NO_SURNAME: "Не указана фамилия: анонимное (ст. 11 ч. 1 59-ФЗ)",
    SignalCode.NO_ADDRESS: "Нет адреса для ответа: анонимное (ст. 11 ч. 1 59-ФЗ)",
    SignalCode.COURT_DECISION: "Обжалуется судебное решение: вернуть с разъяснением (ст. 11 ч. 2 59-ФЗ)",
    SignalCode.THANKS: "Благодарность — не обращение",
    SignalCode.SPAM: "Реклама или рассылка — не обращение",
    SignalCode.TEST: "Тестовое сообщение — не обращение",
    SignalCode.NONSENSE: "Текст не имеет смысла — не обращение",
}
NOT_APPEAL = frozenset({SignalCode.THANKS, SignalCode.SPAM, SignalCode.TEST, SignalCode.NONSENSE})
ABUSE = frozenset({SignalCode.OBSCENE, SignalCode.OFFENSIVE, SignalCode.THREAT})
ANONYMOUS = frozenset({SignalCode.NO_SURNAME, SignalCode.NO_ADDRESS})


@dataclass(frozen=True)
class Signal:
    code: str
    evidence: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.code]


# Roots of Russian obscene words, anchored so that ordinary words («употреблять», «себе»,
# «хлеба», «страхуем») do not match.
_OBSCENE = re.compile(
    r"(?<![а-яё])(?:"
    r"(?:по|на|от|ни|за)?ху[йяеёию](?:[а-яё]*)|"
    r"[а-яё]*пизд[а-яё]*|"
    r"(?:за|у|вы|до|от|на|по|про|раз|рас|с|при|въ|подъ|объ|недо|пере)?[её]б(?:а|у|ну|л|ан|ен|ись|ыв|уч|ошь|ет)[а-яё]*|"
    r"бля(?:дь|ть|ди|дина|дск[а-яё]*|ха)?|"
    r"муда[кч][а-яё]*|мудил[а-яё]*|"
    r"пид[оа]р[а-яё]*|гандон[а-яё]*|залуп[а-яё]*|шлюх[а-яё]*|"
    r"сук(?:а|и|у|ой|ами)(?![а-яё])|сучар[а-яё]*"
    r")(?![а-яё])",
    re.IGNORECASE,
)
_OFFENSIVE = re.compile(
    r"(?<![а-яё])(?:идиот[а-яё]*|дебил[а-яё]*|урод(?:ы|ов|ам|ами|а|у)?|твар(?:ь|и|ей|ям)|скотин[а-яё]*|"
    r"мраз(?:ь|и|ей|ота)|ублюд[а-яё]*|дегенерат[а-яё]*|кретин[а-яё]*|быдл[а-яё]*|дармоед[а-яё]*|"
    r"ворюг[а-яё]*|козл(?:ы|ов|ам|ами)|свол(?:очь|очи|очей)|негодя[йие][а-яё]*|подонк?[а-яё]*)(?![а-яё])",
    re.IGNORECASE,
)
_THREAT = re.compile(
    r"(?<![а-яё])(?:убью|убьём|убьем|прибью|пристрелю|застрелю|зарежу|взорву|подожгу|сожгу|спалю|"
    r"закопаю|придушу|задушу|покалечу|урою|порешу|расправлюсь|расправимся|разнесу|"
    r"вам\s+не\s+жить|тебе\s+не\s+жить|пожалеете\s+что\s+родились|"
    r"(?:приду|придём|придем)\s+с\s+(?:оружием|ружьём|ружьем|топором))(?![а-яё])",
    re.IGNORECASE,
)

_COURT_ACT = re.compile(
    r"(?:решени[а-яё]*|определени[а-яё]*|постановлени[а-яё]*|приговор[а-яё]*)\s+(?:[а-яё-]+\s+){0,3}суд[а-яё]*|"
    r"судебн[а-яё]+\s+(?:решени|акт|постановлени|приказ)[а-яё]*|приговор[а-яё]*|решени[а-яё]+\s+судьи",
    re.IGNORECASE,
)
_CHALLENGE = re.compile(
    r"обжал[а-яё]*|не\s+соглас[а-яё]*|несоглас[а-яё]*|отменит[а-яё]*|отмен[аеуы]\s+(?:решени|приговор|постановлени)|"
    r"пересмотр[а-яё]*|неправосудн[а-яё]*|оспор[а-яё]*|"
    r"(?:незаконн|несправедлив|неправомерн|необоснованн)[а-яё]*\s+(?:решени|приговор|постановлени|определени)",
    re.IGNORECASE,
)
_CHALLENGE_WINDOW = 200

_THANKS = re.compile(r"спасибо|благодар|признательн|низкий\s+поклон|молодцы", re.IGNORECASE)
_REQUEST = re.compile(
    r"прош[уу]|просим|просьба|помогит|требу|необходимо|нужно|надо|когда\s|почему|не\s+работа|не\s+горит|"
    r"не\s+убра|жалоб|обращаюсь|обращаемся|примите\s+меры|разобраться|\?|отсутству|сломан|опасн|неисправ|"
    r"затрудн|мешает|не\s+устран|(?<![а-яё])(?:не|нет|без)(?![а-яё])",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]*")
_SPAM = re.compile(
    r"скидк|распродаж|казино|ставки\s+на|букмекер|кредит\s+без|заработ(ок|ай)|быстрый\s+доход|"
    r"viagra|crypto|bitcoin|биткоин|промокод|реклама\s+вашего|раскрутк|seo\b|купить\s+недорого|подписывайтесь",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)[^\s]+|\b[a-z0-9-]+\.(?:ru|com|net|org|рф|io|info)\b[^\s]*", re.IGNORECASE)
# Links to public services are how citizens cite earlier reports, not advertising.
_PUBLIC_LINK = re.compile(r"gov\.|\.gov|gosuslugi|госуслуги|\.рф", re.IGNORECASE)
_TEST_TEXTS = frozenset(
    {"тест", "test", "testing", "проверка", "проверка связи", "тестовое сообщение", "тестовое обращение", "123",
     "1234", "12345", "asdf", "qwerty", "йцукен", "ааа", "пробное сообщение", "проба"}
)  # fmt: skip


def abuse_signals(text: str) -> list[Signal]:
    found = []
    for code, pattern in (
        (SignalCode.OBSCENE, _OBSCENE),
        (SignalCode.OFFENSIVE, _OFFENSIVE),
        (SignalCode.THREAT, _THREAT),
    ):
        match = pattern.search(text)
        if match:
            found.append(Signal(code, match.group(0)))
    return found


def court_decision_signal(text: str) -> Signal | None:
    """A court act mentioned together with disagreement with it or a wish to overturn it."""
    for act in _COURT_ACT.finditer(text):
        window = text[max(0, act.start() - _CHALLENGE_WINDOW) : act.end() + _CHALLENGE_WINDOW]
        if _CHALLENGE.search(window):
            return Signal(SignalCode.COURT_DECISION, act.group(0))
    return None


def _asks_for_action(text: str) -> bool:
    """An infinitive or an imperative («убрать», «почините») is a request, thanks or not."""
    from nlp.text import morph

    for w in words(text):
        if len(w) > 3 and any(("INFN" in p.tag or "impr" in p.tag) and p.score >= 0.3 for p in morph().parse(w)):
            return True
    return False


def _is_mostly_thanks(text: str) -> bool:
    rest = " ".join(s for s in _SENTENCE.findall(text) if not _THANKS.search(s))
    return len(re.sub(r"\W+", "", rest)) < 25 and not _REQUEST.search(rest) and not _asks_for_action(text)


_KEYBOARD_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _mashed(word: str) -> bool:
    """A word typed by hitting keys: a run of one letter, a keyboard row, or no vowels in a long word."""
    if re.search(r"(.)\1\1", word):
        return True
    if len(word) >= 4 and any(word in row for row in _KEYBOARD_ROWS):
        return True
    return len(word) >= 5 and not re.search(r"[аеёиоуыэюяaeiouy]", word)


def _is_gibberish(text: str) -> bool:
    """No word at all, or only mashed words none of which the dictionary knows."""
    from nlp.text import morph

    tokens = [w for w in words(text) if not w.isdigit()]
    if not tokens:
        return True
    if any(morph().word_is_known(w) for w in tokens if len(w) >= 3):
        return False
    return all(_mashed(w) or len(w) < 3 for w in tokens)


def not_appeal_signals(text: str) -> list[Signal]:
    """Thanks, spam, test, nonsense: items that need no answer on the merits."""
    stripped = re.sub(r"[\s!.,?]+", " ", text).strip().lower()
    if stripped in _TEST_TEXTS or (stripped.startswith(("тест", "test")) and len(stripped) <= 30):
        return [Signal(SignalCode.TEST, text.strip()[:40])]
    found: list[Signal] = []
    links = [u for u in _URL.findall(text) if not _PUBLIC_LINK.search(u)]
    spam = _SPAM.search(text)
    if spam or (len(links) >= 3 and len(_URL.sub("", text).strip()) < 80):
        found.append(Signal(SignalCode.SPAM, spam.group(0) if spam else "ссылки"))
    thanks = _THANKS.search(text)
    # «Заранее спасибо» thanks for what is asked, it is no thank-you letter.
    in_advance = re.search(r"заранее\s+(спасибо|благодар)", text, re.IGNORECASE)
    if thanks and not in_advance and len(text) <= 800 and not _REQUEST.search(text) and _is_mostly_thanks(text):
        found.append(Signal(SignalCode.THANKS, thanks.group(0)))
    if text.strip() and not found and _is_gibberish(text):
        found.append(Signal(SignalCode.NONSENSE, text.strip()[:40]))
    return found


def anonymity_signals(*, has_surname: bool, has_address: bool) -> list[Signal]:
    found = []
    if not has_surname:
        found.append(Signal(SignalCode.NO_SURNAME))
    if not has_address:
        found.append(Signal(SignalCode.NO_ADDRESS))
    return found


def text_signals(text: str) -> list[Signal]:
    """Every signal readable from the text alone."""
    found = abuse_signals(text)
    court = court_decision_signal(text)
    if court is not None:
        found.append(court)
    found.extend(not_appeal_signals(text))
    return found
