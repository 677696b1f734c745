"""Messenger webhooks: how long the Telegram bot and the VK callback take to answer.

VK repeats an event it did not get «ok» for, and Telegram holds back a chat's next update until
the webhook answers, so the time to answer is what matters. Each Telegram dialogue is five
updates (/start, the text of a spb portal report, «Готово», a name, «Отправить»), posted to the
webhook through Django's test client with the secret token; the bot's replies go to a local
HTTP server playing the Bot API, so every update includes one real HTTP round trip. Each VK
event is a private message with the same texts. Registration is not run here (it happens later
in a worker; `bench/intake.py` measures it). The baseline in the same run is
`item_receive` alone with the same stored VK payloads: the cost of keeping what arrived.

The last line: telegram_updates_per_s=N vk_events_per_s=N item_receive_per_s=N
"""

from __future__ import annotations

import argparse
import json
import secrets
import time
from itertools import islice
from typing import Any

from _setup import django_in_temp_database, percentile, spb_reports

# A fresh key per run, as an installation would have its own.
SECRET = secrets.token_urlsafe(24)
GROUP = 1


def load_texts(limit: int) -> list[str]:
    # A Telegram message carries at most 4096 characters.
    return [row["text"][:4000] for row in islice(spb_reports(), limit)]


def vk_event(index: int, text: str) -> dict[str, Any]:
    user = 10_000 + index
    return {
        "group_id": GROUP,
        "type": "message_new",
        "event_id": f"e{index}",
        "v": "5.199",
        "object": {
            "message": {
                "date": 1_764_400_000,
                "from_id": user,
                "id": index + 1,
                "out": 0,
                "peer_id": user,
                "text": text,
                "attachments": [],
            },
            "client_info": {"keyboard": True},
        },
        "secret": SECRET,
    }


class Clock:
    """Wall time and this process's CPU time since the start of a section."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()


def report(name: str, latencies: list[float], since: Clock) -> float:
    """One line: count, wall time, rate, latency percentiles and CPU per request (the machine is
    shared, so the CPU time says more than the wall clock about this code's own cost)."""
    elapsed = time.perf_counter() - since.wall
    cpu = time.process_time() - since.cpu
    rate = len(latencies) / elapsed if elapsed else float("nan")
    print(
        f"{name:<24} {len(latencies):>6} in {elapsed:6.1f} s  {rate:7.1f}/s  "
        f"p50 {percentile(latencies, 50) * 1000:6.1f} ms  p95 {percentile(latencies, 95) * 1000:6.1f} ms  "
        f"CPU {cpu / max(len(latencies), 1) * 1000:5.1f} ms each"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dialogues", type=int, default=200, help="Telegram dialogues (five updates each)")
    parser.add_argument("--events", type=int, default=1000, help="VK events")
    args = parser.parse_args()

    django_in_temp_database()
    from django.conf import settings
    from django.test import Client

    from appeals.choices import Channel
    from intake.choices import VK_CONTENT_TYPE
    from intake.models import IncomingItem
    from intake.services import item_receive
    from org.models import Body
    from tests.fake_http import serve_fake_api

    Body.objects.create(code="bench", name="Администрация района", short_name="Администрация")
    texts = load_texts(max(args.dialogues, args.events))
    server = serve_fake_api()
    api = next(server)
    api.answers = {"/sendMessage": (200, {"ok": True, "result": {"message_id": 1}})}
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.OTKLIK_TELEGRAM_TOKEN = f"1:{secrets.token_urlsafe(16)}"
    settings.OTKLIK_TELEGRAM_API = api.url
    settings.OTKLIK_TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.OTKLIK_VK_SECRET = SECRET
    settings.OTKLIK_VK_GROUP_ID = GROUP
    client = Client()

    # Telegram: five updates per dialogue, each answered by the bot through the local Bot API.
    update_id = 0
    latencies: list[float] = []
    started = Clock()
    for index in range(args.dialogues):
        chat = 500_000 + index
        sender = {"id": chat, "is_bot": False, "first_name": "Ирина"}
        for text in ("/start", texts[index % len(texts)], "Готово", "Соколова Ирина Павловна", "Отправить"):
            update_id += 1
            body = json.dumps(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": update_id,
                        "from": sender,
                        "chat": {"id": chat, "type": "private"},
                        "date": 1_764_400_000,
                        "text": text,
                    },
                }
            )
            t0 = time.perf_counter()
            response = client.post(
                "/intake/telegram/webhook/",
                body,
                content_type="application/json",
                HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
            )
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.content
    telegram_rate = report("telegram updates", latencies, started)
    received = IncomingItem.objects.filter(channel=Channel.TELEGRAM).count()
    replies = len(api.calls("/sendMessage"))
    print(f"  items received: {received} of {args.dialogues} dialogues; bot replies sent: {replies}")

    # VK: one event per message; the answer is «ok» once the event is stored.
    events = [vk_event(i, texts[i % len(texts)]) for i in range(args.events)]
    latencies = []
    started = Clock()
    for event in events:
        t0 = time.perf_counter()
        response = client.post("/intake/vk/callback/", json.dumps(event), content_type="application/json")
        latencies.append(time.perf_counter() - t0)
        assert response.content == b"ok", response.content
    vk_rate = report("vk events", latencies, started)
    # The same events delivered again (VK's retries): recognised, nothing new stored.
    latencies = []
    started = Clock()
    for event in events[: min(200, len(events))]:
        t0 = time.perf_counter()
        client.post("/intake/vk/callback/", json.dumps(event), content_type="application/json")
        latencies.append(time.perf_counter() - t0)
    report("vk events repeated", latencies, started)
    print(f"  items received: {IncomingItem.objects.filter(channel=Channel.VK).count()} of {args.events} events")

    # Baseline: the entry service alone, the same payloads, no HTTP, no checks of the event.
    latencies = []
    started = Clock()
    for index, event in enumerate(events):
        payload = json.dumps({k: v for k, v in event.items() if k != "secret"}, ensure_ascii=False).encode()
        t0 = time.perf_counter()
        item_receive(channel=Channel.VK, source_id=f"baseline:{index}", payload=payload, content_type=VK_CONTENT_TYPE)
        latencies.append(time.perf_counter() - t0)
    base_rate = report("baseline: item_receive", latencies, started)
    server.close()
    print(
        f"telegram_updates_per_s={telegram_rate:.1f} vk_events_per_s={vk_rate:.1f} item_receive_per_s={base_rate:.1f}"
    )


if __name__ == "__main__":
    main()
