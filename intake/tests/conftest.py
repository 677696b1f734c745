from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_http import FakeApi, serve_fake_api

EML = Path(__file__).parent / "eml"


@pytest.fixture
def eml():  # type: ignore[no-untyped-def]
    def _read(name: str) -> bytes:
        return (EML / name).read_bytes()

    return _read


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    yield from serve_fake_api()


@pytest.fixture
def dovecot(settings):  # type: ignore[no-untyped-def]
    """A real Dovecot IMAP server with an empty mailbox; the settings point the poll at it."""
    from conftest import require_system
    from intake.tests.imap_server import PASSWORD, USER, Dovecot

    server = Dovecot(require_system("dovecot", "dovecot-imapd"))
    server.start()
    settings.OTKLIK_IMAP_HOST = "127.0.0.1"
    settings.OTKLIK_IMAP_PORT = server.port
    settings.OTKLIK_IMAP_SSL = False
    settings.OTKLIK_IMAP_STARTTLS = False
    settings.OTKLIK_IMAP_USER = USER
    settings.OTKLIK_IMAP_PASSWORD = PASSWORD
    settings.OTKLIK_IMAP_FOLDER = "INBOX"
    yield server
    server.stop()


@pytest.fixture
def smtp_sink(settings):  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) on a free local port that keeps what it receives; the
    mail settings point at it."""
    from aiosmtpd.controller import Controller

    from intake.tests.imap_server import free_port

    received: list = []  # type: ignore[type-arg]

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(envelope)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "obr@admin.example.ru"
    yield received
    controller.stop()
