"""The VK community's Callback API against the real protocol: events posted the way VK posts
them, and a local HTTP server playing api.vk.com and VK's photo hosts."""

from __future__ import annotations

import copy
import json
import urllib.parse
from typing import Any

import pytest
from django.urls import reverse

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from delivery.models import OutboxMessage
from intake.choices import ItemStatus
from intake.models import IncomingItem
from intake.services import item_register

GROUP = 218_000_111
SECRET = "vk-secret-key-77"
USER_ID = 1001
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def vk(settings, fake_api):  # type: ignore[no-untyped-def]
    settings.OTKLIK_VK_TOKEN = "vk1.a.community-token"
    settings.OTKLIK_VK_API = fake_api.url + "/method"
    settings.OTKLIK_VK_SECRET = SECRET
    settings.OTKLIK_VK_CONFIRMATION = "1a2b3c4d"
    settings.OTKLIK_VK_GROUP_ID = GROUP
    settings.OTKLIK_VK_FILE_HOSTS = ["127.0.0.1"]
    fake_api.answers = {
        "/method/users.get": (
            200,
            {"response": [{"id": USER_ID, "first_name": "Пётр", "last_name": "Васильев", "is_closed": False}]},
        ),
        "/method/messages.send": (200, {"response": 5001}),
        "/impg/z.jpg": (200, PNG),
    }
    return fake_api


def message_new(api: Any, *, text: str = "Во дворе дома 7 по улице Гагарина сломаны качели.") -> dict[str, Any]:
    photo = {
        "album_id": -3,
        "date": 1_764_400_000,
        "id": 457_239_017,
        "owner_id": USER_ID,
        "access_key": "3c5f",
        "sizes": [
            {"height": 75, "type": "s", "width": 56, "url": f"{api.url}/impg/s.jpg"},
            {"height": 1280, "type": "z", "width": 960, "url": f"{api.url}/impg/z.jpg"},
        ],
        "text": "",
        "has_tags": False,
    }
    return {
        "group_id": GROUP,
        "type": "message_new",
        "event_id": "5e9c0cb5bd0c2b3f4a29e1d1c0e0cfb4f39d4d4c",
        "v": "5.199",
        "object": {
            "message": {
                "date": 1_764_400_000,
                "from_id": USER_ID,
                "id": 345,
                "out": 0,
                "version": 10_000_123,
                "attachments": [{"type": "photo", "photo": photo}],
                "conversation_message_id": 12,
                "fwd_messages": [],
                "important": False,
                "is_hidden": False,
                "peer_id": USER_ID,
                "random_id": 0,
                "text": text,
                "geo": {"type": "point", "coordinates": {"latitude": 59.9386, "longitude": 30.3141}},
            },
            "client_info": {"button_actions": ["text"], "keyboard": True, "inline_keyboard": True, "lang_id": 0},
        },
        "secret": SECRET,
    }


def wall_reply(*, from_id: int = 1002, text: str = "Когда отремонтируют дорогу на улице Лесной?") -> dict[str, Any]:
    return {
        "group_id": GROUP,
        "type": "wall_reply_new",
        "event_id": "0d3e1c2b",
        "v": "5.199",
        "object": {
            "id": 77,
            "from_id": from_id,
            "date": 1_764_400_100,
            "text": text,
            "post_owner_id": -GROUP,
            "owner_id": -GROUP,
            "post_id": 10,
            "parents_stack": [],
            "thread": {"count": 0},
        },
        "secret": SECRET,
    }


def _post(client, event: Any, raw: bytes | None = None):  # type: ignore[no-untyped-def]
    body = raw if raw is not None else json.dumps(event).encode()
    return client.post(reverse("intake:vk_callback"), body, content_type="application/json")


def _form(seen: Any) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(seen.body.decode()))


@pytest.mark.django_db
def test_confirmation_handshake(cast, vk, client, settings) -> None:  # type: ignore[no-untyped-def]
    event = {"type": "confirmation", "group_id": GROUP, "secret": SECRET}
    response = _post(client, event)
    assert response.status_code == 200 and response.content == b"1a2b3c4d"
    assert response["Content-Type"].startswith("text/plain")
    assert _post(client, {**event, "secret": "guess"}).status_code == 403
    # The handshake without any key (sent before the key was saved in VK) gets the string...
    assert _post(client, {"type": "confirmation", "group_id": GROUP}).content == b"1a2b3c4d"
    # ...but only for this community, and no event is ever taken without the key.
    assert _post(client, {"type": "confirmation", "group_id": GROUP + 1}).status_code == 403
    assert _post(client, {**event, "group_id": GROUP + 1}).status_code == 403
    no_key = message_new(vk)
    del no_key["secret"]
    assert _post(client, no_key).status_code == 403
    settings.OTKLIK_VK_CONFIRMATION = ""
    assert _post(client, event).status_code == 403
    settings.OTKLIK_VK_SECRET = ""  # no secret configured: nothing is accepted
    assert _post(client, {**event, "secret": ""}).status_code == 403
    assert _post(client, {**message_new(vk), "secret": ""}).status_code == 403
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_private_message_becomes_an_appeal_and_gets_the_number(
    cast, vk, client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    event = message_new(vk)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, event)
    assert response.status_code == 200 and response.content == b"ok"
    item = IncomingItem.objects.get()
    assert item.source_id == f"vk:{GROUP}:message:345" and item.channel == Channel.VK
    assert item.status == ItemStatus.REGISTERED, item.error
    with item.payload.open("rb") as handle:
        stored = json.loads(handle.read())
    assert "secret" not in stored and stored["object"] == event["object"]  # kept as sent, minus the key
    assert item.received_at.timestamp() == 1_764_400_000  # the 3-day clock starts when the user wrote
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind) == (Channel.VK, Kind.MESSAGE)
    assert "сломаны качели" in appeal.text and "Место на карте: 59.938600, 30.314100" in appeal.text
    assert appeal.attachments.get().original_name.endswith(".png")
    # Only the largest size of the photo was fetched; the name came from users.get.
    assert [r.path for r in vk.requests if r.path.startswith("/impg/")] == ["/impg/z.jpg"]
    (users_get,) = vk.calls("/users.get")
    assert _form(users_get)["user_ids"] == str(USER_ID)
    applicant = appeal.applicants.get()
    assert (applicant.surname, applicant.first_name) == ("Васильев", "Пётр")
    assert applicant.contacts.filter(kind="vk", value=str(USER_ID)).exists()
    (send,) = vk.calls("/messages.send")
    fields = _form(send)
    assert fields["peer_id"] == str(USER_ID) and appeal.number in fields["message"]
    assert fields["access_token"] == "vk1.a.community-token" and fields["v"] == "5.199"
    assert OutboxMessage.objects.get(kind="intake:registered").status == "sent"


@pytest.mark.django_db
def test_vk_retry_yields_one_item(cast, vk, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = message_new(vk)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event).content == b"ok"
    retried = copy.deepcopy(event)
    retried["event_id"] = "another-delivery-id"  # the same message, delivered again
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event).content == b"ok"
        assert _post(client, retried).content == b"ok"
    assert IncomingItem.objects.count() == 1 and Appeal.objects.count() == 1
    assert len(vk.calls("/messages.send")) == 1


@pytest.mark.django_db
def test_message_in_the_format_of_older_api_versions(cast, vk, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    event = message_new(vk)
    event["v"] = "5.92"
    event["object"] = event["object"]["message"]  # before 5.103 the object was the message
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, event).content == b"ok"
    assert IncomingItem.objects.get().source_id == f"vk:{GROUP}:message:345"
    assert "сломаны качели" in Appeal.objects.get().text


@pytest.mark.django_db
def test_wall_comment_becomes_an_item_and_own_comments_are_ignored(
    cast, vk, client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, wall_reply()).content == b"ok"
        assert _post(client, wall_reply(from_id=-GROUP, text="Спасибо, передали в дорожную службу.")).content == b"ok"
    item = IncomingItem.objects.get()
    assert item.source_id == f"vk:{GROUP}:wall:{-GROUP}_10_77"
    appeal = Appeal.objects.get()
    assert "улице Лесной" in appeal.text and f"https://vk.com/wall{-GROUP}_10" in appeal.text
    (send,) = vk.calls("/messages.send")
    assert _form(send)["peer_id"] == "1002"


@pytest.mark.django_db
def test_bad_input_is_refused_and_nothing_stored(cast, vk, client) -> None:  # type: ignore[no-untyped-def]
    assert _post(client, None, raw=b'{"type": "message_new", ').status_code == 400
    assert _post(client, None, raw=b"[1, 2]").status_code == 400
    no_sender = message_new(vk)
    del no_sender["object"]["message"]["from_id"]
    assert _post(client, no_sender).status_code == 400
    no_message = {**message_new(vk), "object": {"client_info": {}}}
    assert _post(client, no_message).status_code == 400
    wrong_secret = {**message_new(vk), "secret": "nope"}
    assert _post(client, wrong_secret).status_code == 403
    huge = message_new(vk, text="ы" * 600_000)
    assert _post(client, huge).status_code == 413
    assert not IncomingItem.objects.exists() and not vk.requests


@pytest.mark.django_db
def test_events_without_content_are_answered_ok_and_not_stored(cast, vk, client) -> None:  # type: ignore[no-untyped-def]
    sticker = message_new(vk, text="")
    sticker["object"]["message"]["attachments"] = [{"type": "sticker", "sticker": {"sticker_id": 9}}]
    outgoing = message_new(vk)
    outgoing["object"]["message"]["out"] = 1
    chat = message_new(vk)
    chat["object"]["message"]["peer_id"] = 2_000_000_005
    join = {"type": "group_join", "group_id": GROUP, "object": {"user_id": 5, "join_type": "join"}, "secret": SECRET}
    for event in (sticker, outgoing, chat, join):
        response = _post(client, event)
        assert response.status_code == 200 and response.content == b"ok"
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_files_off_vk_hosts_or_too_large_fail_with_the_reason(
    cast, vk, client, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_VK_FILE_HOSTS = ["userapi.com"]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, message_new(vk))
    item = IncomingItem.objects.get()
    assert item.status == ItemStatus.FAILED and "OTKLIK_VK_FILE_HOSTS" in item.error
    assert not vk.calls("/impg/z.jpg") and not Appeal.objects.exists()
    # Allowed host, but the file is larger than the limit: refused while reading.
    settings.OTKLIK_VK_FILE_HOSTS = ["127.0.0.1"]
    settings.OTKLIK_MAX_ATTACHMENT_MB = 1
    vk.answers["/impg/z.jpg"] = (200, PNG + b"\x00" * (2 * 1024 * 1024))
    with django_capture_on_commit_callbacks(execute=True):
        item_register(item_id=item.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED and "больше 1 МБ" in item.error
    assert not Appeal.objects.exists() and not vk.calls("/messages.send")
    # The photo fixed at its source: the operator's retry registers the item.
    vk.answers["/impg/z.jpg"] = (200, PNG)
    with django_capture_on_commit_callbacks(execute=True):
        item_register(item_id=item.pk)
    item.refresh_from_db()
    assert item.status == ItemStatus.REGISTERED and Appeal.objects.count() == 1


@pytest.mark.django_db
def test_sender_known_only_by_the_vk_account_is_recognised(
    cast, vk, client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, message_new(vk))
    # The profile is closed now: users.get gives no name, only the account id is known.
    vk.answers["/method/users.get"] = (
        200,
        {"response": [{"id": USER_ID, "first_name": "DELETED", "last_name": "", "deactivated": "deleted"}]},
    )
    second = message_new(vk, text="И ещё: во дворе не горит фонарь у второго подъезда.")
    second["object"]["message"]["id"] = 346
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, second)
    first_appeal, second_appeal = Appeal.objects.order_by("pk")
    assert second_appeal.applicants.get() == first_appeal.applicants.get()
    assert len(vk.calls("/messages.send")) == 2
