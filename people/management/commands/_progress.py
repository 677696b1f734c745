"""A text progress bar for long commands (written to stderr, so stdout stays clean)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import OutputWrapper


class ProgressBar:
    """`bar.update(done)` redraws at most a few times a second; `bar.finish()` ends the line."""

    def __init__(self, total: int, label: str, stream: Any = None, width: int = 30) -> None:
        self.total = max(total, 0)
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < 0.2:
            return
        self._drawn = now
        share = min(done / self.total, 1.0) if self.total else 1.0
        filled = round(share * self.width)
        elapsed = now - self.started
        self._write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%} {done}/{self.total} {elapsed:.0f} с"
        )
        self.stream.flush()

    def finish(self, done: int) -> None:
        self.update(done, force=True)
        self._write("\n")

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")  # the wrapper would add a newline to every redraw
        else:
            self.stream.write(text)
