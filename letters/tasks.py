"""Letters' background work: the DOCX copy of registered letters."""

from __future__ import annotations

from django.tasks import task

from letters import services


@task
def store_docx(ids: list[int]) -> int:
    """The editable DOCX copies of letters just registered (their PDFs are stored at registration)."""
    return services.letters_store_docx(ids=ids)
