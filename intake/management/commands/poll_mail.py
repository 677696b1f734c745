"""Fetch unread letters from the appeals mailbox once."""

from __future__ import annotations

import imaplib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from imap_tools.errors import ImapToolsError

from intake.mail import poll_configured


class Command(BaseCommand):
    help = "Забрать непрочитанные письма из почтового ящика обращений (настройки OTKLIK_IMAP_*)"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = poll_configured()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except (OSError, imaplib.IMAP4.error, ImapToolsError) as exc:
            raise CommandError(f"Сервер IMAP недоступен или отказал во входе: {exc}") from None
        if result is None:
            raise CommandError("Почтовый ящик не настроен: задайте OTKLIK_IMAP_HOST.")
        self.stdout.write(
            f"Получено писем: {result.fetched}; новых: {result.new}; повторных: {result.repeated}; "
            f"отклонено: {result.refused}."
        )
