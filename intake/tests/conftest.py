from __future__ import annotations

from pathlib import Path

import pytest

EML = Path(__file__).parent / "eml"


@pytest.fixture
def eml():  # type: ignore[no-untyped-def]
    def _read(name: str) -> bytes:
        return (EML / name).read_bytes()

    return _read
