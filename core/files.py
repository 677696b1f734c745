"""Files written inside a database transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.files.storage import default_storage


@contextmanager
def removed_on_error(written: list[str]) -> Iterator[None]:
    """Files whose storage names the block appends to `written` are deleted if the block fails:
    a rollback cannot take them back."""
    try:
        yield
    except BaseException:
        for name in written:
            if default_storage.exists(name):
                default_storage.delete(name)
        raise
