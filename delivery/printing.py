"""The print batch: letters with DL envelopes, then A4 sheets of address labels (2 × 8), one PDF."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from delivery.models import OutboxMessage


def _letter_html(message: OutboxMessage) -> str:
    if message.html:
        return message.html
    return render_to_string("delivery/print_text.html", {"message": message})


def batch_document(messages: Sequence[OutboxMessage], *, sender: str = "") -> Any:
    """The laid-out batch (a WeasyPrint document): letter pages, an envelope after each, label sheets."""
    from weasyprint import HTML

    from letters.rendering import _fetcher, _font_config

    fonts = _font_config()
    documents = []
    for message in messages:
        documents.append(HTML(string=_letter_html(message), url_fetcher=_fetcher()).render(font_config=fonts))
        envelope = render_to_string("delivery/envelope.html", {"message": message, "sender": sender})
        documents.append(HTML(string=envelope, url_fetcher=_fetcher()).render(font_config=fonts))
    labels = [messages[i : i + 16] for i in range(0, len(messages), 16)]
    sheet = render_to_string("delivery/labels.html", {"sheets": labels})
    documents.append(HTML(string=sheet, url_fetcher=_fetcher()).render(font_config=fonts))
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages)


def batch_pdf(messages: Sequence[OutboxMessage], *, sender: str = "") -> bytes:
    result: bytes = batch_document(messages, sender=sender).write_pdf()
    return result
