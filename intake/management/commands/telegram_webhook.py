"""Connect the Telegram bot to this installation: setWebhook with the secret token."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from delivery.channels import DeliveryError
from intake import telegram


class Command(BaseCommand):
    help = "Подключить бота Telegram: адрес https://…/intake/telegram/webhook/ (или --info, --delete)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", nargs="?", help="полный адрес вебхука этой установки")
        parser.add_argument("--info", action="store_true", help="показать, куда бот отправляет обновления")
        parser.add_argument("--delete", action="store_true", help="отключить вебхук")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["delete"]:
                telegram.webhook_delete()
                self.stdout.write("Вебхук отключён: бот больше не присылает обновления.")
            elif options["url"]:
                telegram.webhook_set(options["url"])
                self.stdout.write("Вебхук установлен: обновления идут на указанный адрес с секретным токеном.")
            elif not options["info"]:
                raise CommandError("Укажите адрес вебхука, --info или --delete.")
            info = telegram.webhook_info()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except DeliveryError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Адрес: {info.get('url') or '—'}")
        self.stdout.write(f"Ожидают доставки: {info.get('pending_update_count', 0)}")
        if info.get("last_error_message"):
            self.stdout.write(f"Последняя ошибка: {info['last_error_message']}")
