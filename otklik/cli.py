"""The `otklik` console command: the project's own subcommands plus every Django management command."""

from __future__ import annotations

import os
import sys

# Our subcommands, spelled with hyphens, and the management commands behind them.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "Настроить базу, загрузить демо-данные и запустить веб-сервер, обработчик задач и планировщик"),
    "setup": ("setup", "Применить миграции и собрать статические файлы"),
    "load-demo": ("load_demo", "Загрузить демонстрационные данные (один раз)"),
    "import-classifier": ("import_classifier", "Загрузить официальный тематический классификатор из CSV"),
    "dedup": ("dedup", "Найти дубликаты среди всех заявителей (с индикатором хода)"),
    "dedup-eval": ("dedup_eval", "Оценить распознавание заявителей на размеченном файле CSV"),
    "promises-eval": ("promises_eval", "Оценить извлечение обещаний из ответов на файле CSV и сравнить с регуляркой"),
    "import-gazetteer": ("import_gazetteer", "Загрузить справочник адресов территории из CSV"),
    "import-categories": (
        "import_local_categories",
        "Загрузить местные категории и причины органа с соответствием кодам классификатора",
    ),
    "train": ("train", "Обучить модели классификации и маршрутизации на истории органа"),
    "evaluate": ("evaluate", "Проверить модель на размеченных файлах и сравнить с базовой"),
    "receive-email": ("receive_email", "Принять письма из файлов .eml во «Входящие» (повтор узнаётся по Message-ID)"),
    "poll-mail": ("poll_mail", "Забрать непрочитанные письма из почтового ящика обращений (OTKLIK_IMAP_*)"),
    "import": (
        "import_file",
        "Импортировать выгрузку ПОС, ССТУ.РФ или другой системы: ФАЙЛ --source ИМЯ [--map поле=столбец]",
    ),
    "exchange-scan": ("exchange_scan", "Принять файлы из папки обмена с СЭД (inbox/ → done/ или failed/)"),
    "api-client": ("api_client", "Создать клиента REST API и выдать его токен"),
    "telegram-webhook": (
        "telegram_webhook",
        "Подключить бота Telegram: адрес https://…/intake/telegram/webhook/ (или --info, --delete)",
    ),
    "web": ("web", "Запустить только веб-сервер"),
    "worker": ("db_worker", "Запустить обработчик фоновых задач (можно несколько)"),
    "scheduler": ("crontask", "Запустить планировщик периодических задач (один на установку)"),
    "deadline": ("deadline", "Рассчитать законный срок: --regime 59fz --registered ГГГГ-ММ-ДД [--extension-days N]"),
    "migrate": ("migrate", "Применить миграции базы данных"),
    "createsuperuser": ("createsuperuser", "Создать администратора"),
    "check": ("check", "Проверить настройки и модели"),
    "shell": ("shell", "Интерактивная консоль Python с загруженным Django"),
}


def help_text() -> str:
    width = max(len(name) for name in COMMANDS) + 2
    lines = [
        "Отклик — работа с обращениями граждан.",
        "",
        "Использование: otklik КОМАНДА [параметры]   (otklik КОМАНДА --help — параметры команды)",
        "",
        "Команды:",
        *(f"  {name.ljust(width)}{description}" for name, (_, description) in COMMANDS.items()),
        "",
        "Любая команда управления Django тоже работает: otklik help — их полный список.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "otklik.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(help_text())
        return
    name, rest = args[0], args[1:]
    command = COMMANDS[name][0] if name in COMMANDS else name.replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["otklik", command, *rest])


if __name__ == "__main__":
    main()
