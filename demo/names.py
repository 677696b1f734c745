"""Russian names, streets, places and organisations of the fictional town of Demograd."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

TOWN = "Демоград"
TOWN_FULL = "г. Демоград"
POSTCODE_PREFIX = "6990"


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as text: compact to read and to edit."""
    return tuple(word.strip() for word in text.split(sep) if word.strip())


# Surnames in the masculine form; `feminine()` derives the feminine one.
SURNAMES = _words(
    """
    Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев
    Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев
    Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Дмитриев Королёв Гусев Киселёв
    Ильин Максимов Поляков Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов
    Комаров Давыдов Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов
    Власов Мельников Денисов Гаврилов Тихонов Фомин Покровский Вишневский Троицкий Успенский Черных Седых
    Шевченко Бондаренко Ковальчук Полищук
    """
)

MALE_NAMES = _words(
    """
    Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир Владислав
    Вячеслав Геннадий Георгий Григорий Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин Леонид
    Максим Михаил Никита Николай Олег Павел Пётр Роман Сергей Станислав Степан Тимур Фёдор Юрий Ярослав
    """
)

FEMALE_NAMES = _words(
    """
    Александра Алина Алла Анастасия Анна Валентина Валерия Вера Виктория Галина Дарья Екатерина Елена
    Елизавета Зинаида Инна Ирина Кристина Ксения Лариса Любовь Людмила Маргарита Марина Мария Надежда
    Наталья Нина Оксана Ольга Полина Раиса Светлана София Тамара Татьяна Юлия
    """
)

# Masculine/feminine patronymics: irregular pairs (Ильич/Ильинична) make a rule unsafe.
_PATRONYMIC_PAIRS = """
    Александрович/Александровна Алексеевич/Алексеевна Анатольевич/Анатольевна Андреевич/Андреевна
    Борисович/Борисовна Валентинович/Валентиновна Валерьевич/Валерьевна Васильевич/Васильевна
    Викторович/Викторовна Витальевич/Витальевна Владимирович/Владимировна Вячеславович/Вячеславовна
    Геннадьевич/Геннадьевна Григорьевич/Григорьевна Дмитриевич/Дмитриевна Евгеньевич/Евгеньевна
    Иванович/Ивановна Игоревич/Игоревна Ильич/Ильинична Константинович/Константиновна Леонидович/Леонидовна
    Михайлович/Михайловна Николаевич/Николаевна Олегович/Олеговна Павлович/Павловна Петрович/Петровна
    Романович/Романовна Сергеевич/Сергеевна Степанович/Степановна Юрьевич/Юрьевна Фёдорович/Фёдоровна
    Максимович/Максимовна
"""


def _pair(text: str) -> tuple[str, str]:
    male, female = text.split("/")
    return male, female


PATRONYMICS = tuple(_pair(pair) for pair in _words(_PATRONYMIC_PAIRS))


def feminine(surname: str) -> str:
    """The feminine form of a Russian surname: Иванов → Иванова, Троицкий → Троицкая, Черных → Черных."""
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname


@dataclass(frozen=True)
class Street:
    """A street with the form used after «по», «на», «у» (Садовая → Садовой)."""

    name: str
    oblique: str

    @property
    def full(self) -> str:
        return f"ул. {self.name}"

    @property
    def full_oblique(self) -> str:
        return f"ул. {self.oblique}"


def _street(name: str) -> Street:
    if name.endswith("ая"):
        return Street(name, name[:-2] + "ой")
    if name.endswith("яя"):
        return Street(name, name[:-2] + "ей")
    return Street(name, name)


_CITY_STREET_NAMES = """
    Садовая, Лесная, Школьная, Центральная, Молодёжная, Полевая, Набережная, Северная, Рабочая, Новая, Зелёная,
    Солнечная, Парковая, Первомайская, Октябрьская, Кооперативная, Вокзальная, Советская, Пролетарская,
    Заводская, Ленина, Гагарина, Мира, Пушкина, Чехова, Калинина, Кирова, Маяковского, Горького, Победы,
    Строителей, Космонавтов, 8 Марта, Энергетиков, Дзержинского, Верхняя
"""
CITY_STREETS = tuple(_street(name) for name in _words(_CITY_STREET_NAMES, ","))
# Streets of the Zarechny microdistrict, served by its territorial unit.
ZARECHNY_STREETS = tuple(_street(n) for n in ("Заречная", "Береговая", "Речная", "Луговая", "Рыбацкая", "Тихая"))
ALL_STREETS = CITY_STREETS + ZARECHNY_STREETS

BUS_STOPS = (
    "«Вокзал»",
    "«Рынок»",
    "«Больничный городок»",
    "«Дом культуры»",
    "«Школа № 5»",
    "«Заречный»",
    "«Завод „Металлист“»",
    "«ТЦ „Радуга“»",
    "«Поликлиника»",
    "«Улица Гагарина»",
    "«Площадь Победы»",
    "«Садовая»",
    "«Кольцо»",
    "«Новый микрорайон»",
)

# (nominative, prepositional) for «в сквере …», «в парке …».
PARKS = (
    ("парк Победы", "парке Победы"),
    ("сквер Строителей", "сквере Строителей"),
    ("Центральный парк", "Центральном парке"),
    ("сквер у Дома культуры «Юность»", "сквере у Дома культуры «Юность»"),
    ("бульвар Космонавтов", "бульваре Космонавтов"),
    ("Заречный парк", "Заречном парке"),
)

KINDERGARTENS = (
    "№ 3 «Солнышко»",
    "№ 7 «Ромашка»",
    "№ 11 «Теремок»",
    "№ 14 «Берёзка»",
    "№ 18 «Колокольчик»",
    "№ 21 «Сказка»",
    "№ 25 «Радуга»",
    "№ 29 «Светлячок»",
)
SCHOOL_NUMBERS = (1, 2, 3, 5, 7, 9, 12, 15, 17, 20)

MANAGEMENT_COMPANIES = (
    "ООО «УК «Комфорт»",
    "ООО «Жилсервис»",
    "ООО «УК «Наш дом»",
    "ООО «Управдом»",
    "ООО «УК «Домовой»",
    "ООО «Демоград-Жилфонд»",
)

MAIL_DOMAINS = ("mail.ru", "yandex.ru", "ya.ru", "rambler.ru", "bk.ru", "list.ru", "inbox.ru")

MONTHS_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def date_words(day: dt.date) -> str:
    """«14 ноября»."""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"


def date_numeric(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def inn_for_legal_entity(rng: random.Random, region: str = "6912") -> str:
    """A 10-digit INN of a legal entity with a valid check digit."""
    body = region + "".join(str(rng.randint(0, 9)) for _ in range(5))
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11 % 10
    return body + str(check)


ORGANISATIONS = (
    ("ТСЖ «Берёзка»", "berezka.tsg", "председатель правления"),
    ("ТСЖ «Надежда»", "tsg.nadezhda", "председатель правления"),
    ("ООО «УК «Комфорт»", "uk-komfort", "генеральный директор"),
    ("СНТ «Ромашка»", "snt.romashka", "председатель СНТ"),
    ("СНТ «Рассвет»", "snt-rassvet", "председатель СНТ"),
    ("Совет ветеранов Заречного микрорайона", "veterany.zarechny", "председатель совета"),
    ("АНО «Добрые соседи»", "dobrye.sosedi", "директор"),
    ("ООО «Демоград-Строй»", "demograd-stroy", "генеральный директор"),
)

_TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}


def translit(value: str) -> str:
    """Latin letters for logins and e-mail addresses: «Фёдорова» → «fedorova»."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in value.lower() if ch.isalnum() or ch in "._-")


def mobile_phone(rng: random.Random) -> str:
    """A Russian mobile number written the way people write it."""
    code = rng.choice(
        (
            "900",
            "902",
            "903",
            "905",
            "906",
            "908",
            "909",
            "910",
            "912",
            "915",
            "916",
            "920",
            "922",
            "926",
            "950",
            "951",
            "953",
            "960",
            "961",
            "977",
            "980",
            "985",
            "999",
        )
    )
    a, b, c = rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
    style = rng.random()
    if style < 0.5:
        return f"+7 {code} {a}-{b}-{c}"
    if style < 0.8:
        return f"8 ({code}) {a}-{b}-{c}"
    return f"8{code}{a}{b}{c}"


def landline_phone(rng: random.Random) -> str:
    return f"8 (48612) {rng.randint(2, 6)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"


def postcode(rng: random.Random) -> str:
    return POSTCODE_PREFIX + f"{rng.randint(0, 40):02d}"
