"""factory_boy factories for the domain; services are used where they carry rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from appeals.services import QuestionDraft, appeal_register
from classification.models import ClassifierEntry
from org.choices import RoleCode
from org.models import Body, Department, Role, StaffMember
from people.models import Applicant, Contact

User = get_user_model()
PASSWORD = "test-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Иван"
    last_name = factory.Sequence(lambda n: f"Тестов{n}")
    password = factory.django.Password(PASSWORD)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("code",)

    code = "test"
    name = "Администрация тестового города"
    short_name = "Администрация"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"Отдел {n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(BodyFactory)
    department = factory.SubFactory(DepartmentFactory, body=factory.SelfAttribute("..body"))
    position = "специалист"

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Applicant

    surname = factory.Iterator(["Иванов", "Петров", "Сидоров", "Кузнецов"])
    first_name = "Пётр"
    patronymic = "Сергеевич"
    gender = "m"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    applicant = factory.SubFactory(ApplicantFactory)
    kind = "email"
    value = factory.Sequence(lambda n: f"person{n}@example.ru")


class ClassifierEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClassifierEntry
        django_get_or_create = ("code",)

    code = "0003.0009.0097.0690"
    level = 4
    name = "Уличное освещение"
    section = factory.LazyAttribute(lambda o: o.code[:4])


def make_appeal(
    *,
    body: Body,
    text: str = "Прошу отремонтировать уличный фонарь у дома 5.",
    applicants: list[Applicant] | None = None,
    channel: str = Channel.POST,
    kind: str = Kind.APPEAL,
    questions: list[QuestionDraft] | None = None,
    registered_at: dt.datetime | None = None,
    actor: Any = None,
    **extra: Any,
) -> Appeal:
    """Register an appeal through the real service, as every channel does."""
    return appeal_register(
        body=body,
        actor=actor,
        channel=channel,
        kind=kind,
        text=text,
        applicants=applicants if applicants is not None else [ApplicantFactory()],
        questions=questions or (),
        registered_at=registered_at or timezone.now(),
        **extra,
    )


def role_codes() -> list[str]:
    return [c.value for c in RoleCode]
