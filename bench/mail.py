"""Mailbox polling throughput against a real IMAP server (Dovecot, started here like in the tests).

Letters are made from the spb portal texts (a third each in windows-1251 quoted-printable,
koi8-r base64 and UTF-8 quoted-printable), put into the mailbox with IMAP APPEND, then
`intake.mail.poll` runs until the box has no unread letter: sizes and INTERNALDATE, BODY.PEEK[],
`item_receive` (payload to storage + row), \\Seen. Registration is queued, not run (that is
bench/intake.py). The baseline in the same run is `email_receive` on the same kind of letters
from memory — what storing costs without IMAP.

    .venv/bin/python bench/mail.py [--letters 2000] [--batch 100]

The last line: poll_per_s=N receive_only_per_s=N
"""

from __future__ import annotations

import argparse
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime
from itertools import islice

from _setup import django_in_temp_database, spb_reports

CHARSETS = [("windows-1251", "quoted-printable"), ("koi8-r", "base64"), ("utf-8", "quoted-printable")]


def texts(limit: int) -> list[str]:
    return [row["text"] for row in islice(spb_reports(), limit)]


def letters(bodies: list[str], tag: str) -> list[bytes]:
    import datetime as dt

    out = []
    for i, body in enumerate(bodies):
        charset, cte = CHARSETS[i % len(CHARSETS)]
        try:
            body.encode(charset)
        except UnicodeEncodeError:
            charset, cte = "utf-8", "quoted-printable"
        message = EmailMessage()
        message["From"] = f"Житель {i % 500} <person{i % 500}@example.ru>"
        message["To"] = "obr@admin.example.ru"
        message["Subject"] = " ".join(body[:60].split())
        message["Date"] = format_datetime(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC))
        message["Message-ID"] = f"<{tag}-{i}@example.ru>"
        message.set_content(body, charset=charset, cte=cte)
        out.append(message.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    django_in_temp_database()
    import shutil

    from django.conf import settings

    from intake import mail
    from intake.models import IncomingItem
    from intake.tests.imap_server import PASSWORD, USER, Dovecot
    from org.models import Body

    Body.objects.get_or_create(code="bench", defaults={"name": "Администрация", "short_name": "Администрация"})
    binary = shutil.which("dovecot")
    if binary is None:
        sys.exit("dovecot is not installed (Debian package dovecot-imapd)")
    bodies = texts(args.letters)
    polled, baseline = letters(bodies, "imap"), letters(bodies, "memory")
    size = sum(len(b) for b in polled) / len(polled)
    print(f"{len(polled)} letters, {size / 1024:.1f} KiB on average")

    server = Dovecot(binary)
    server.start()
    try:
        settings.OTKLIK_IMAP_HOST, settings.OTKLIK_IMAP_PORT = "127.0.0.1", server.port
        settings.OTKLIK_IMAP_SSL = settings.OTKLIK_IMAP_STARTTLS = False
        settings.OTKLIK_IMAP_USER, settings.OTKLIK_IMAP_PASSWORD = USER, PASSWORD
        connection = server.client()
        start = time.perf_counter()
        for raw in polled:
            connection.append("INBOX", None, None, raw)
        connection.logout()
        print(f"IMAP APPEND (setup, not measured): {len(polled) / (time.perf_counter() - start):.0f} letters/s")

        start, cpu = time.perf_counter(), time.process_time()
        box = mail.connect()
        total, polls = 0, 0
        try:
            while True:
                result = mail.poll(box, batch=args.batch)
                polls += 1
                total += result.new
                if result.fetched == 0 and result.refused == 0:
                    break
        finally:
            box.logout()
        poll_wall, poll_cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        server.stop()
    assert total == len(polled), (total, len(polled))

    start, cpu = time.perf_counter(), time.process_time()
    for raw in baseline:
        mail.email_receive(raw)
    base_wall, base_cpu = time.perf_counter() - start, time.process_time() - cpu
    assert IncomingItem.objects.count() == 2 * len(polled)

    poll_rate, base_rate = len(polled) / poll_wall, len(baseline) / base_wall
    print(
        f"poll ({polls} polls of at most {args.batch}): {poll_rate:.0f} letters/s wall, {poll_cpu / len(polled) * 1000:.2f} ms CPU per letter"
    )
    print(
        f"baseline, email_receive from memory: {base_rate:.0f} letters/s wall, {base_cpu / len(baseline) * 1000:.2f} ms CPU per letter"
    )
    print(f"poll_per_s={poll_rate:.1f} receive_only_per_s={base_rate:.1f}")


if __name__ == "__main__":
    main()
