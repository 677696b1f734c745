"""A console progress bar for long commands (training, evaluation); it writes to stderr."""

from __future__ import annotations

import time
from typing import TextIO


class ProgressBar:
    """`bar(share, stage)`: redraws «[#####-----]  50% stage» in place, or prints a line per step when not a terminal."""

    def __init__(self, stream: TextIO, *, width: int = 30, enabled: bool = True) -> None:
        self.stream = stream
        self.width = width
        self.enabled = enabled
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last_percent = -1
        self._last_stage = ""
        self._started = time.monotonic()

    def __call__(self, share: float, stage: str) -> None:
        if not self.enabled:
            return
        share = min(1.0, max(0.0, share))
        percent = int(share * 100)
        if self.tty:
            filled = int(share * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            elapsed = time.monotonic() - self._started
            self.stream.write(f"\r[{bar}] {percent:3d}% {elapsed:5.0f} с  {stage[:40]:<40}")
            if percent >= 100:
                self.stream.write("\n")
            self.stream.flush()
        elif stage != self._last_stage or percent >= self._last_percent + 10:
            self.stream.write(f"[{percent:3d}%] {stage}\n")
            self.stream.flush()
            self._last_percent = percent
        self._last_stage = stage
