"""`otklik run`: everything a newcomer needs, in one command.

Migrates, collects static files, loads the demo data once, then starts the web server, the
task worker and the scheduler as child processes. Ctrl+C (or SIGTERM) stops all three.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from core.management.commands.web import gunicorn_argv


class Command(BaseCommand):
    help = "Настроить базу, загрузить демо-данные и запустить веб-сервер, обработчик задач и планировщик."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("OTKLIK_BIND", "127.0.0.1:8000"))
        parser.add_argument("--no-demo", action="store_true", help="Не загружать демонстрационные данные.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup", verbosity=options["verbosity"])
        if not options["no_demo"]:
            call_command("load_demo", verbosity=options["verbosity"])
        bind = options["bind"]
        manage = [sys.executable, "-m", "otklik.cli"]
        children = {
            "веб-сервер": subprocess.Popen(gunicorn_argv(bind, 2, 4)),  # noqa: S603
            "обработчик задач": subprocess.Popen([*manage, "worker", "--queue-name", "default"]),  # noqa: S603
            "планировщик": subprocess.Popen([*manage, "scheduler", "--no-heartbeat"]),  # noqa: S603
        }
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self._wait_until_serving(bind)
        self._banner(bind)
        try:
            while not stopping:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        self.stderr.write(
                            f"Процесс «{name}» завершился с кодом {proc.returncode}; останавливаю остальные."
                        )
                        stopping = True
                        break
                time.sleep(0.5)
        finally:
            self.stdout.write("Останавливаю процессы…")
            for proc in children.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for proc in children.values():
                try:
                    proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Остановлено.")

    def _wait_until_serving(self, bind: str, timeout: float = 20.0) -> None:
        """Print the banner after the server answers, so it is the last thing on the screen."""
        host, _, port = bind.rpartition(":")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host or "127.0.0.1", int(port)), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.3)

    def _banner(self, bind: str) -> None:
        host, _, port = bind.rpartition(":")
        url = f"http://{'127.0.0.1' if host in {'', '0.0.0.0'} else host}:{port}"  # noqa: S104
        lines = ["", "=" * 64, f"  Отклик работает: {url}", "  Остановить: Ctrl+C", ""]
        try:
            from demo.generator import DEMO_LOGINS, DEMO_PASSWORD
        except ImportError:
            DEMO_LOGINS, DEMO_PASSWORD = [], ""
        if DEMO_LOGINS:
            lines.append(f"  Демо-входы (пароль у всех: {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                username, role = login[0], login[1]
                lines.append(f"    {username:<12} {role}")
        lines += ["=" * 64, ""]
        self.stdout.write("\n".join(lines))
