"""The local HTTP server the HTTP channels are tested against (tests/fake_http.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_http import FakeApi, serve_fake_api


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    yield from serve_fake_api()
