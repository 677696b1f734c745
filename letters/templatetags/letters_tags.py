"""The «Письма» panel of the appeal card: composition warnings, letters, a new letter."""

from __future__ import annotations

from typing import Any

from django import template

from appeals.models import Appeal
from letters import rules, services
from letters.choices import Situation
from letters.forms import LetterNewForm
from org.selectors import actor_for

register = template.Library()


@register.inclusion_tag("letters/_appeal_letters.html", takes_context=True)
def appeal_letters(context: dict[str, Any], appeal: Appeal) -> dict[str, Any]:
    actor = actor_for(context["request"].user)
    suggested = services.suggested_groups(appeal, Situation.ANSWER)
    return {
        "appeal": appeal,
        "letters": list(services.letters_of(appeal)),
        "composition": services.answer_composition(appeal),
        "can_prepare": rules.can_prepare(actor, appeal),
        "form": LetterNewForm(),
        "suggested": suggested[0] if suggested else None,
    }
