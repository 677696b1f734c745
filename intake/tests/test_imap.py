"""The mailbox poll against a real IMAP server (Dovecot, started by the `dovecot` fixture):
letters put there with IMAP APPEND, polled, registered, marked read only after they are stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from intake import mail
from intake.choices import ItemStatus
from intake.models import IncomingItem

pytestmark = pytest.mark.django_db

MSK = dt.timezone(dt.timedelta(hours=3))
GOOD = ["cp1251_qp.eml", "koi8r_attachments.eml", "multipart_utf8_qp.eml", "html_only.eml"]


@pytest.fixture
def letter(eml):  # type: ignore[no-untyped-def]
    """A letter from the fixtures with the CRLF line ends it has on the wire (some fixture files
    carry stray CRs that imaplib would turn into extra lines)."""
    return lambda name: re.sub(rb"\r*\n", b"\r\n", eml(name))


def _poll(capture, **kwargs):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return mail.poll_configured() if not kwargs else _poll_box(**kwargs)


def _poll_box(**kwargs):  # type: ignore[no-untyped-def]
    box = mail.connect()
    try:
        return mail.poll(box, **kwargs)
    finally:
        box.logout()


def _server_bytes(dovecot, uid: str) -> bytes:  # type: ignore[no-untyped-def]
    connection = dovecot.client()
    try:
        connection.select("INBOX", readonly=True)
        _, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
        return bytes(data[0][1])
    finally:
        connection.logout()


def test_real_letters_are_registered_and_marked_read(cast, dovecot, letter, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    when = dt.datetime(2026, 3, 5, 9, 30, 15, tzinfo=MSK)
    uids = {name: dovecot.append(letter(name), when=when) for name in [*GOOD, "broken_boundary.eml"]}
    assert all(flags == set() for flags in dovecot.flags().values())

    result = _poll(django_capture_on_commit_callbacks)

    assert (result.fetched, result.new, result.repeated, result.refused) == (5, 5, 0, 0)
    # Every letter is now read on the server: it was stored first.
    assert all("\\Seen" in flags for flags in dovecot.flags().values())
    items = {i.source_id: i for i in IncomingItem.objects.all()}
    assert len(items) == 5
    for item in items.values():
        # Receipt is the server's INTERNALDATE: the three-day clock starts there.
        assert item.received_at == when
        assert item.channel == Channel.EMAIL
    # Stored exactly as the server holds it.
    koi8 = items["koi8-test-3@example.com"]
    assert koi8.payload_sha256 == hashlib.sha256(_server_bytes(dovecot, uids["koi8r_attachments.eml"])).hexdigest()

    registered = {k: v for k, v in items.items() if v.status == ItemStatus.REGISTERED}
    assert set(registered) == {
        "000001d2a1b2$c3d4e5f0$0100a8c0@HOME",
        "koi8-test-3@example.com",
        "20260302101455.1a2b3c@example.org",
        "html-only-7@example.ru",
    }
    appeals = {i.source_id: i.appeal for i in registered.values()}
    assert all(a is not None and a.kind == Kind.MESSAGE and a.received_at == when for a in appeals.values())
    assert "освещение в подъезде дома 5" in appeals["000001d2a1b2$c3d4e5f0$0100a8c0@HOME"].text  # type: ignore[union-attr]
    assert "состояние дороги у школы" in appeals["koi8-test-3@example.com"].text  # type: ignore[union-attr]
    assert sorted(appeals["koi8-test-3@example.com"].attachments.values_list("original_name", flat=True)) == [  # type: ignore[union-attr]
        "photo.jpg",
        "акт.pdf",
    ]
    html = appeals["html-only-7@example.ru"]
    assert html is not None and html.text.startswith("На детской площадке") and "<" not in html.text
    assert html.summary == "Сломанные качели"
    # Broken MIME: stored, read, and waiting in «Входящие» with the reason.
    broken = items["broken-1@example.org"]
    assert broken.status == ItemStatus.FAILED and "MIME" in broken.error
    assert Appeal.objects.count() == 4


def test_a_second_poll_finds_nothing_new(cast, dovecot, letter, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    dovecot.append(letter("cp1251_qp.eml"))
    assert _poll(django_capture_on_commit_callbacks).new == 1
    again = _poll(django_capture_on_commit_callbacks)
    assert (again.fetched, again.new, again.repeated) == (0, 0, 0)
    dovecot.append(letter("koi8r_attachments.eml"))
    third = _poll(django_capture_on_commit_callbacks)
    assert (third.fetched, third.new) == (1, 1)
    assert IncomingItem.objects.count() == 2 and Appeal.objects.count() == 2


def test_letters_a_person_already_read_are_left_alone(
    cast, dovecot, letter, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    dovecot.append(letter("cp1251_qp.eml"), flags="(\\Seen)")
    result = _poll(django_capture_on_commit_callbacks)
    assert result.fetched == 0 and not IncomingItem.objects.exists()


def test_crash_between_storing_and_marking_read_gives_no_duplicate(
    cast, dovecot, letter, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    uid = dovecot.append(letter("koi8r_attachments.eml"))
    real_mark_seen = mail.mark_seen

    def connection_lost(box, uid):  # type: ignore[no-untyped-def]
        raise imaplib.IMAP4.abort("connection lost")

    monkeypatch.setattr(mail, "mark_seen", connection_lost)
    with pytest.raises(imaplib.IMAP4.abort):
        _poll(django_capture_on_commit_callbacks)
    # Stored (and registered), but still unread on the server.
    assert IncomingItem.objects.count() == 1
    assert dovecot.flags()[uid] == set()

    monkeypatch.setattr(mail, "mark_seen", real_mark_seen)
    result = _poll(django_capture_on_commit_callbacks)
    assert (result.fetched, result.new, result.repeated) == (1, 0, 1)
    assert "\\Seen" in dovecot.flags()[uid]
    assert IncomingItem.objects.count() == 1 and Appeal.objects.count() == 1


def test_same_letter_twice_in_the_mailbox_is_one_item(
    cast, dovecot, letter, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    first, second = dovecot.append(letter("cp1251_qp.eml")), dovecot.append(letter("cp1251_qp.eml"))
    result = _poll(django_capture_on_commit_callbacks)
    assert (result.fetched, result.new, result.repeated) == (2, 1, 1)
    flags = dovecot.flags()
    assert "\\Seen" in flags[first] and "\\Seen" in flags[second]
    assert IncomingItem.objects.count() == 1 and Appeal.objects.count() == 1


def test_oversized_letter_stays_unread(cast, dovecot, letter, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    settings.OTKLIK_MAX_ATTACHMENTS = 1  # a letter may be at most 3 MB
    big = (
        b"From: big@example.ru\r\nSubject: big\r\nMessage-ID: <big-1@example.ru>\r\n\r\n"
        + b"x" * (3 * 1024 * 1024 + 10)
        + b"\r\n"
    )
    big_uid = dovecot.append(big)
    small_uid = dovecot.append(letter("cp1251_qp.eml"))
    fetched = []
    real_fetch = mail.FetchedLetter.__init__

    def spy(self, fetch_data):  # type: ignore[no-untyped-def]
        real_fetch(self, fetch_data)
        fetched.append(self.uid)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(mail.FetchedLetter, "__init__", spy)
        result = _poll(django_capture_on_commit_callbacks)
    assert (result.fetched, result.new, result.refused) == (1, 1, 1)
    assert fetched == [small_uid]  # the big one was never downloaded
    flags = dovecot.flags()
    assert flags[big_uid] == set() and "\\Seen" in flags[small_uid]
    assert not IncomingItem.objects.filter(source_id="big-1@example.ru").exists()


def test_batch_limits_one_poll(cast, dovecot, letter, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    uids = [dovecot.append(letter(name)) for name in GOOD[:3]]
    first = _poll(django_capture_on_commit_callbacks, batch=2)
    assert first.fetched == 2
    flags = dovecot.flags()
    # Oldest first: the third letter waits for the next poll.
    assert [("\\Seen" in flags[u]) for u in uids] == [True, True, False]
    second = _poll(django_capture_on_commit_callbacks, batch=2)
    assert (second.fetched, second.new) == (1, 1)


def test_folder_with_a_russian_name(cast, dovecot, letter, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    folder = "Обращения"
    connection = dovecot.client()
    try:
        from imap_tools.imap_utf7 import utf7_encode

        assert connection.create(utf7_encode(folder).decode())[0] == "OK"
    finally:
        connection.logout()
    dovecot.append(letter("cp1251_qp.eml"), folder=utf7_encode(folder).decode())
    result = _poll(django_capture_on_commit_callbacks, folder=folder)
    assert result.new == 1


def test_missing_folder_and_wrong_password_have_clear_errors(cast, dovecot, settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="Папка «Нет такой»"):
        _poll_box(folder="Нет такой")
    settings.OTKLIK_IMAP_PASSWORD = "wrong"
    with pytest.raises(ValidationError, match="отказал во входе"):
        mail.connect()
    with pytest.raises(CommandError, match="отказал во входе"):
        call_command("poll_mail")


def test_poll_mail_command(cast, dovecot, letter, capsys, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    dovecot.append(letter("cp1251_qp.eml"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("poll_mail")
    assert "Получено писем: 1; новых: 1; повторных: 0; отклонено: 0." in capsys.readouterr().out
