"""The «Доставка» panel of the appeal card: every outgoing message and its state."""

from __future__ import annotations

from typing import Any

from django import template

from appeals.models import Appeal
from delivery import rules
from delivery.services import appeal_deliveries
from org.selectors import actor_for

register = template.Library()


@register.inclusion_tag("delivery/_appeal_deliveries.html", takes_context=True)
def appeal_deliveries_panel(context: dict[str, Any], appeal: Appeal) -> dict[str, Any]:
    actor = actor_for(context["request"].user)
    return {
        "appeal": appeal,
        "messages_out": list(appeal_deliveries(appeal)[:50]),
        "can_manage": rules.can_manage(actor),
    }
