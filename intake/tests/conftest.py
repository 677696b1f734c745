from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_http import FakeApi, serve_fake_api

EML = Path(__file__).parent / "eml"


@pytest.fixture
def eml():  # type: ignore[no-untyped-def]
    def _read(name: str) -> bytes:
        return (EML / name).read_bytes()

    return _read


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    yield from serve_fake_api()
