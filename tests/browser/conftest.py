"""Browser tests drive Debian's chromium; Playwright never downloads a browser of its own."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import require_system

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": require_system("chromium", "chromium"),
        "args": CHROMIUM_ARGS,
    }


# A busy CI machine renders slower than a desk one; assertions wait up to 15 s.
expect.set_options(timeout=15_000)

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], screen: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": VIEWPORTS[screen],
        "locale": "ru-RU",
        "timezone_id": "Europe/Moscow",
        "is_mobile": screen == "phone",
        "has_touch": screen == "phone",
    }
