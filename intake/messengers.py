"""What messenger channels share: the notice of the registration number sent back to the chat
the appeal came from (through the delivery outbox, after registration)."""

from __future__ import annotations

from django.utils import timezone

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from delivery.choices import DeliveryChannel
from intake.models import IncomingItem

# Where the channel's adapter stored the chat to answer in (IncomingItem.headers).
ADDRESS_HEADERS = {
    Channel.TELEGRAM: (DeliveryChannel.TELEGRAM, "telegram_chat_id"),
    Channel.VK: (DeliveryChannel.VK, "vk_peer_id"),
}


def registration_notice(appeal: Appeal) -> str:
    what = "Ваше сообщение" if appeal.kind == Kind.MESSAGE else "Ваше обращение"
    date = timezone.localtime(appeal.registered_at).strftime("%d.%m.%Y")
    return (
        f"{what} зарегистрировано {date}, регистрационный номер {appeal.number}.\n\n"
        "Сохраните номер: назовите его, если будете звонить или писать по этому вопросу. "
        "Ответ придёт сюда же."
    )


def acknowledgement(item: IncomingItem, appeal: Appeal) -> tuple[str, str, str] | None:
    """(delivery channel, address, text) of the notice for a messenger item, else None."""
    target = ADDRESS_HEADERS.get(Channel(item.channel)) if item.channel in Channel.values else None
    if target is None:
        return None
    channel, header = target
    address = str((item.headers or {}).get(header) or "").strip()
    if not address:
        return None
    return channel, address, registration_notice(appeal)
