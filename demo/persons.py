"""Made-up applicants: people with Russian names and contacts, and organisations."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from appeals.choices import Channel
from demo import names
from people.choices import ApplicantKind, ContactKind, Gender
from people.models import Applicant
from people.services import ContactInput, applicant_create


@dataclass
class ApplicantSpec:
    """An applicant as planned; the card is created on the first appeal that needs it."""

    kind: str
    street: names.Street
    house: int
    flat: int | None
    surname: str = ""
    first_name: str = ""
    patronymic: str = ""
    gender: str = Gender.UNKNOWN
    organisation_name: str = ""
    inn: str = ""
    signer: str = ""  # an organisation's signatory: «председатель правления Иванова А. П.»
    gosuslugi_id: str = ""
    contacts: list[ContactInput] = field(default_factory=list)
    consent: bool = False
    first_channel: str = ""
    instance: Applicant | None = None

    @property
    def is_organisation(self) -> bool:
        return self.kind == ApplicantKind.ORGANISATION

    @property
    def short_name(self) -> str:
        """«Иванова А. П.» or the organisation's name."""
        if self.is_organisation:
            return self.organisation_name
        return f"{self.surname} {self.first_name[0]}. {self.patronymic[0]}."

    @property
    def name_and_patronymic(self) -> str:
        return f"{self.first_name} {self.patronymic}"

    @property
    def postal_address(self) -> str:
        flat = f", кв. {self.flat}" if self.flat else ""
        return f"{names.TOWN_FULL}, {self.street.full}, д. {self.house}{flat}"

    def get_or_create(self) -> Applicant:
        if self.instance is None:
            self.instance = applicant_create(
                kind=self.kind,
                surname=self.surname,
                first_name=self.first_name,
                patronymic=self.patronymic,
                gender=self.gender,
                organisation_name=self.organisation_name,
                inn=self.inn,
                gosuslugi_id=self.gosuslugi_id,
                consent_personal_data=self.consent,
                consent_notifications=self.consent and bool(self.gosuslugi_id),
                contacts=self.contacts,
            )
        return self.instance


SPAM_SENDERS = (
    ("ООО «ТротуарСнаб»", "sales@trotuarsnab.ru"),
    ("Учебный центр «Профзакупки»", "info@profzakupki-centr.ru"),
    ("Веб-студия «ТопСайт»", "hello@topsite-studio.ru"),
)


class PersonFactory:
    """Draws people and organisations; identifiers that must be unique never repeat."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._gosuslugi_ids: set[str] = set()
        self._emails: set[str] = set()
        self.organisations: list[ApplicantSpec] = []
        self._spam_senders: dict[str, ApplicantSpec] = {}

    def _gosuslugi_id(self) -> str:
        while True:
            value = str(self.rng.randint(1_000_000_000, 1_999_999_999))
            if value not in self._gosuslugi_ids:
                self._gosuslugi_ids.add(value)
                return value

    def _email(self, surname: str, first_name: str) -> str:
        rng = self.rng
        while True:
            style = rng.random()
            last, first = names.translit(surname), names.translit(first_name)
            if style < 0.35:
                local = f"{last}.{first[0]}{rng.randint(1950, 2005)}"
            elif style < 0.65:
                local = f"{first}.{last}"
            elif style < 0.85:
                local = f"{last}{rng.randint(1, 99)}"
            else:
                local = f"{first[0]}{last}_{rng.randint(100, 999)}"
            email = f"{local}@{rng.choice(names.MAIL_DOMAINS)}"
            if email not in self._emails:
                self._emails.add(email)
                return email

    def address(self, street: names.Street | None = None) -> tuple[names.Street, int, int | None]:
        """A home: most people live in flats, some in private houses (no flat number)."""
        rng = self.rng
        street = street or rng.choice(names.ALL_STREETS)
        if rng.random() < 0.8:
            return street, rng.randint(1, 95), rng.randint(1, 180)
        return street, rng.randint(1, 140), None

    def person(
        self,
        channel: str,
        *,
        street: names.Street | None = None,
        house: int | None = None,
        gender: str | None = None,
    ) -> ApplicantSpec:
        rng = self.rng
        gender = gender or (Gender.FEMALE if rng.random() < 0.56 else Gender.MALE)
        surname = rng.choice(names.SURNAMES)
        patronymic_m, patronymic_f = rng.choice(names.PATRONYMICS)
        if gender == Gender.FEMALE:
            surname, first_name, patronymic = names.feminine(surname), rng.choice(names.FEMALE_NAMES), patronymic_f
        else:
            first_name, patronymic = rng.choice(names.MALE_NAMES), patronymic_m
        home_street, home_house, flat = self.address(street)
        if house is not None:
            home_house, flat = house, rng.randint(1, 120)
        spec = ApplicantSpec(
            kind=ApplicantKind.PERSON,
            street=home_street,
            house=home_house,
            flat=flat,
            surname=surname,
            first_name=first_name,
            patronymic=patronymic,
            gender=gender,
            first_channel=channel,
        )
        spec.contacts = self._contacts_for(spec, channel)
        if channel == Channel.EPGU:
            spec.gosuslugi_id = self._gosuslugi_id()
        spec.consent = channel in (Channel.EPGU, Channel.WEB) or rng.random() < 0.3
        return spec

    def _contacts_for(self, spec: ApplicantSpec, channel: str) -> list[ContactInput]:
        rng = self.rng
        postal = ContactInput(ContactKind.POSTAL, f"{names.postcode(rng)}, {spec.postal_address}")
        phone = ContactInput(ContactKind.PHONE, names.mobile_phone(rng))
        email = ContactInput(ContactKind.EMAIL, self._email(spec.surname, spec.first_name))
        contacts: list[ContactInput] = []
        if channel in (Channel.POST, Channel.COURIER, Channel.PERSONAL, Channel.SSTU, Channel.EDMS):
            contacts.append(postal)
            if rng.random() < 0.6:
                contacts.append(phone)
        elif channel in (Channel.WEB, Channel.EMAIL, Channel.EPGU):
            contacts.append(email)
            if rng.random() < 0.55:
                contacts.append(phone)
            if rng.random() < 0.35:
                contacts.append(postal)
        elif channel == Channel.TELEGRAM:
            handle = f"@{names.translit(spec.first_name)}_{names.translit(spec.surname)[:6]}{rng.randint(1, 99)}"
            contacts.append(ContactInput(ContactKind.TELEGRAM, handle))
        elif channel == Channel.VK:
            contacts.append(ContactInput(ContactKind.VK, f"https://vk.com/id{rng.randint(10_000_000, 899_999_999)}"))
        if channel == Channel.PHONE or (channel in (Channel.TELEGRAM, Channel.VK) and rng.random() < 0.3):
            contacts.append(phone)
        if rng.random() < 0.08:  # an old landline number next to the mobile one
            contacts.append(ContactInput(ContactKind.PHONE, names.landline_phone(rng)))
        return contacts

    def organisation(self) -> ApplicantSpec:
        """One of a handful of organisations; each writes repeatedly under the same card."""
        rng = self.rng
        if self.organisations and (len(self.organisations) >= len(names.ORGANISATIONS) or rng.random() < 0.5):
            return rng.choice(self.organisations)
        used = {o.organisation_name for o in self.organisations}
        name, mailbox, position = next(o for o in names.ORGANISATIONS if o[0] not in used)
        street, house, _ = self.address()
        boss = self.person(Channel.POST)
        spec = ApplicantSpec(
            kind=ApplicantKind.ORGANISATION,
            street=street,
            house=house,
            flat=None,
            organisation_name=name,
            inn=names.inn_for_legal_entity(rng),
            signer=f"{position.capitalize()} {boss.short_name}",
            first_channel=Channel.EMAIL,
            consent=True,
        )
        spec.contacts = [
            ContactInput(ContactKind.EMAIL, f"{mailbox}@{rng.choice(('mail.ru', 'yandex.ru', 'bk.ru'))}"),
            ContactInput(ContactKind.PHONE, names.landline_phone(rng)),
            ContactInput(ContactKind.POSTAL, f"{names.postcode(rng)}, {names.TOWN_FULL}, {street.full}, д. {house}"),
        ]
        self.organisations.append(spec)
        return spec

    def spam_sender(self) -> ApplicantSpec:
        """A firm that mails advertising to every address it finds."""
        name, email = self.rng.choice(SPAM_SENDERS)
        if name not in self._spam_senders:
            street, house, _ = self.address()
            self._spam_senders[name] = ApplicantSpec(
                kind=ApplicantKind.ORGANISATION,
                street=street,
                house=house,
                flat=None,
                organisation_name=name,
                first_channel=Channel.EMAIL,
                contacts=[ContactInput(ContactKind.EMAIL, email)],
            )
        return self._spam_senders[name]
