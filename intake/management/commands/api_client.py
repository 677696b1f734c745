"""Issue a token for a system that sends appeals through the REST API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from appeals.choices import Channel
from intake.services import integration_client_create
from org.models import Body


class Command(BaseCommand):
    help = "Создать клиента REST API и выдать его токен (показывается один раз)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="наименование системы-клиента")
        parser.add_argument("--code", required=True, help="код латиницей (входит в идентификатор обращения)")
        parser.add_argument("--channel", default=Channel.EPGU, choices=Channel.values, help="канал поступления")
        parser.add_argument("--body", default="", help="код органа-получателя")

    def handle(self, *args: Any, **options: Any) -> None:
        body = None
        if options["body"]:
            body = Body.objects.filter(code=options["body"]).first()
            if body is None:
                raise CommandError(f"Орган с кодом «{options['body']}» не найден.")
        try:
            client, token = integration_client_create(
                name=options["name"], code=options["code"], channel=options["channel"], body=body
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Клиент «{client.name}» создан. Токен (сохраните, он больше не будет показан):")
        self.stdout.write(token)
