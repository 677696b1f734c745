"""`otklik web`: serve the site with gunicorn (whitenoise serves the static files)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

# The access log keeps the path but never the query string: searches may carry names.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def gunicorn_argv(bind: str, workers: int, threads: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "otklik.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--no-control-socket",
    ]


class Command(BaseCommand):
    help = "Запустить веб-сервер."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("OTKLIK_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        argv = gunicorn_argv(options["bind"], options["workers"], options["threads"])
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
