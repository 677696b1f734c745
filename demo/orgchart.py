"""The demo administration: its units and the people who work there."""

from __future__ import annotations

from dataclasses import dataclass

from demo.topics import BLAG, EDU, LAND, MKU, OFFICE, ROADS, SOCIAL, ZARECHNY, ZHKH
from org.choices import RoleCode, UnitKind
from people.choices import Gender

BODY = {
    "code": "demo",
    "name": "Администрация муниципального образования «Город Демоград»",
    "short_name": "Администрация г. Демоград",
    "address": "699000, г. Демоград, пл. Советская, д. 1",
    "email": "priem@adm-demograd.ru",
    "phone": "8 (48612) 2-10-01",
    "head_name": "Соколов Андрей Викторович",
    "head_position": "Глава города Демограда",
}
HEAD_OF_TOWN_GREETING = "Уважаемый Андрей Викторович!"
HEAD_OF_TOWN_DATIVE = "Главе города Демограда\nА. В. Соколову"


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    short_name: str
    kind: str = UnitKind.DEPARTMENT
    parent: str | None = None
    email: str = ""
    phone: str = ""


UNITS: tuple[Unit, ...] = (
    Unit(
        OFFICE,
        "Отдел по работе с обращениями граждан",
        "Отдел по работе с обращениями",
        email="obr@adm-demograd.ru",
        phone="8 (48612) 2-10-15",
    ),
    Unit(
        BLAG,
        "Комитет по благоустройству",
        "Комитет по благоустройству",
        email="blag@adm-demograd.ru",
        phone="8 (48612) 2-24-60",
    ),
    Unit(
        MKU,
        "Муниципальное казённое учреждение «Городское хозяйство»",
        "МКУ «Городское хозяйство»",
        kind=UnitKind.INSTITUTION,
        parent=BLAG,
        email="gorhoz@adm-demograd.ru",
        phone="8 (48612) 2-15-40",
    ),
    Unit(
        ZHKH,
        "Управление жилищно-коммунального хозяйства",
        "Управление ЖКХ",
        email="zhkh@adm-demograd.ru",
        phone="8 (48612) 2-31-05",
    ),
    Unit(
        ROADS,
        "Управление дорожного хозяйства и транспорта",
        "Управление дорог и транспорта",
        email="dorogi@adm-demograd.ru",
        phone="8 (48612) 2-33-17",
    ),
    Unit(
        EDU, "Управление образования", "Управление образования", email="edu@adm-demograd.ru", phone="8 (48612) 2-40-22"
    ),
    Unit(
        SOCIAL,
        "Управление социальной защиты населения",
        "Управление соцзащиты",
        email="uszn@adm-demograd.ru",
        phone="8 (48612) 2-45-90",
    ),
    Unit(
        LAND,
        "Комитет по земельным и имущественным отношениям",
        "КЗИО",
        email="kzio@adm-demograd.ru",
        phone="8 (48612) 2-28-73",
    ),
    Unit(
        ZARECHNY,
        "Территориальный отдел микрорайона Заречный",
        "Заречный территориальный отдел",
        kind=UnitKind.TERRITORIAL,
        email="zarechny@adm-demograd.ru",
        phone="8 (48612) 5-12-08",
    ),
)
UNITS_BY_KEY = {u.key: u for u in UNITS}


@dataclass(frozen=True)
class Person:
    username: str
    surname: str
    first_name: str
    patronymic: str
    gender: str
    unit: str | None
    position: str
    roles: tuple[str, ...]
    heads: str | None = None  # the unit this person heads
    superuser: bool = False

    @property
    def short_name(self) -> str:
        return f"{self.surname} {self.first_name[0]}. {self.patronymic[0]}."


F, M = Gender.FEMALE, Gender.MALE
OPERATOR, HEAD, EXECUTOR = RoleCode.OPERATOR, RoleCode.HEAD, RoleCode.EXECUTOR

STAFF: tuple[Person, ...] = (
    Person("operator", "Смирнова", "Ольга", "Петровна", F, OFFICE, "Главный специалист", (OPERATOR,)),
    Person("operator2", "Кузьмин", "Артём", "Сергеевич", M, OFFICE, "Ведущий специалист", (OPERATOR,)),
    Person(
        "controller",
        "Фёдорова",
        "Ирина",
        "Александровна",
        F,
        OFFICE,
        "Консультант по контролю исполнения",
        (RoleCode.CONTROLLER,),
    ),
    Person(
        "admin",
        "Орлов",
        "Денис",
        "Игоревич",
        M,
        None,
        "Системный администратор",
        (RoleCode.ADMINISTRATOR,),
        superuser=True,
    ),
    Person("head_office", "Белова", "Татьяна", "Николаевна", F, OFFICE, "Начальник отдела", (HEAD,), heads=OFFICE),
    Person("exec_zhukova", "Жукова", "Марина", "Викторовна", F, OFFICE, "Главный специалист", (EXECUTOR,)),
    Person("head_blag", "Тарасов", "Виктор", "Михайлович", M, BLAG, "Председатель комитета", (HEAD,), heads=BLAG),
    Person("exec_gusev", "Гусев", "Павел", "Андреевич", M, BLAG, "Главный специалист", (EXECUTOR,)),
    Person("head_mku", "Комаров", "Сергей", "Юрьевич", M, MKU, "Директор", (HEAD,), heads=MKU),
    Person("exec_lebedev", "Лебедев", "Роман", "Олегович", M, MKU, "Мастер участка", (EXECUTOR,)),
    Person("head", "Морозов", "Алексей", "Николаевич", M, ZHKH, "Начальник управления", (HEAD,), heads=ZHKH),
    Person("executor", "Волкова", "Елена", "Сергеевна", F, ZHKH, "Главный специалист", (EXECUTOR,)),
    Person("exec_sorokina", "Сорокина", "Наталья", "Ивановна", F, ZHKH, "Ведущий специалист", (EXECUTOR,)),
    Person("exec_nikitin", "Никитин", "Игорь", "Владимирович", M, ZHKH, "Специалист 1 категории", (EXECUTOR,)),
    Person("head_roads", "Поляков", "Андрей", "Геннадьевич", M, ROADS, "Начальник управления", (HEAD,), heads=ROADS),
    Person("exec_kozlova", "Козлова", "Анна", "Дмитриевна", F, ROADS, "Главный специалист", (EXECUTOR,)),
    Person("exec_belyaev", "Беляев", "Максим", "Сергеевич", M, ROADS, "Ведущий специалист", (EXECUTOR,)),
    Person("head_edu", "Григорьева", "Светлана", "Викторовна", F, EDU, "Начальник управления", (HEAD,), heads=EDU),
    Person("exec_antonova", "Антонова", "Юлия", "Павловна", F, EDU, "Главный специалист", (EXECUTOR,)),
    Person(
        "head_social", "Медведева", "Людмила", "Борисовна", F, SOCIAL, "Начальник управления", (HEAD,), heads=SOCIAL
    ),
    Person("exec_osipova", "Осипова", "Кристина", "Алексеевна", F, SOCIAL, "Ведущий специалист", (EXECUTOR,)),
    Person("head_land", "Титов", "Олег", "Владимирович", M, LAND, "Председатель комитета", (HEAD,), heads=LAND),
    Person("exec_markova", "Маркова", "Дарья", "Игоревна", F, LAND, "Главный специалист", (EXECUTOR,)),
    Person(
        "head_zarechny",
        "Карпов",
        "Николай",
        "Степанович",
        M,
        ZARECHNY,
        "Начальник территориального отдела",
        (HEAD,),
        heads=ZARECHNY,
    ),
)
STAFF_BY_USERNAME = {p.username: p for p in STAFF}
HEAD_OF_UNIT = {p.heads: p.username for p in STAFF if p.heads}

# Who executes a unit's questions, with weights; a small territorial unit's head answers himself.
EXECUTORS: dict[str, tuple[tuple[str, float], ...]] = {
    OFFICE: (("exec_zhukova", 1),),
    BLAG: (("exec_gusev", 1), ("exec_lebedev", 1)),
    MKU: (("exec_lebedev", 1),),
    ZHKH: (("executor", 0.6), ("exec_sorokina", 1), ("exec_nikitin", 1.3)),
    ROADS: (("exec_kozlova", 1), ("exec_belyaev", 1)),
    EDU: (("exec_antonova", 1),),
    SOCIAL: (("exec_osipova", 1),),
    LAND: (("exec_markova", 1),),
    ZARECHNY: (("head_zarechny", 1),),
}

# The executor on leave and the colleague who stands in for them.
ABSENT = "exec_sorokina"
SUBSTITUTE = "executor"
LEAVE_STARTED_DAYS_AGO = 6
LEAVE_ENDS_IN_DAYS = 11
