"""Shared fixtures: the cast of named roles every test can use."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client

from org.choices import RoleCode
from org.models import Body, Department, StaffMember
from org.services import roles_ensure
from tests.factories import BodyFactory, DepartmentFactory, StaffFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still work there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_system(binary: str, package: str) -> str:
    """The path of a Debian-provided program; skip outside CI when missing, fail under CI."""
    path = shutil.which(binary)
    if path:
        return path
    message = f"{binary} is not installed (Debian package {package})"
    if IN_CI:
        pytest.fail(message + ": .ci/run must install it")
    pytest.skip(message)


@dataclass
class Cast:
    """Named roles of a small administration: who can do what is tested against these."""

    body: Body
    housing: Department  # the head's unit
    roads: Department  # another unit, invisible to the housing head
    operator: StaffMember
    head: StaffMember
    executor: StaffMember
    other_executor: StaffMember
    controller: StaffMember
    administrator: StaffMember
    outsider: AbstractBaseUser  # logged in, no staff card, no role
    citizen: AbstractBaseUser  # a citizen's account: never sees the staff side


@pytest.fixture
def cast(db: None) -> Cast:
    roles_ensure()
    body = BodyFactory()
    head_user = UserFactory(username="head", last_name="Главная", first_name="Анна")
    housing = DepartmentFactory(body=body, name="Управление ЖКХ", head=head_user)
    roads = DepartmentFactory(body=body, name="Управление дорог")
    office = DepartmentFactory(body=body, name="Отдел обращений")
    return Cast(
        body=body,
        housing=housing,
        roads=roads,
        operator=StaffFactory(
            user=UserFactory(username="operator"), body=body, department=office, roles=[RoleCode.OPERATOR]
        ),
        head=StaffFactory(user=head_user, body=body, department=housing, roles=[RoleCode.HEAD]),
        executor=StaffFactory(
            user=UserFactory(username="executor", last_name="Исполнова", first_name="Мария"),
            body=body,
            department=housing,
            roles=[RoleCode.EXECUTOR],
        ),
        other_executor=StaffFactory(
            user=UserFactory(username="roads_exec"), body=body, department=roads, roles=[RoleCode.EXECUTOR]
        ),
        controller=StaffFactory(
            user=UserFactory(username="controller"), body=body, department=office, roles=[RoleCode.CONTROLLER]
        ),
        administrator=StaffFactory(
            user=UserFactory(username="admin", is_staff=True, is_superuser=True),
            body=body,
            department=office,
            roles=[RoleCode.ADMINISTRATOR],
        ),
        outsider=UserFactory(username="outsider"),
        citizen=UserFactory(username="citizen"),
    )


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Log the test client in as a user or staff member and return the client."""

    def _login(who: AbstractBaseUser | StaffMember) -> Client:
        user = who.user if isinstance(who, StaffMember) else who
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Process-level caches must not carry one test's rolled-back data into the next."""
    import workflow.services
    from core.calendar import forget_cached_calendar

    forget_cached_calendar()
    workflow.services._stats_cache = None


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
