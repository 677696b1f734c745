"""`otklik run` starts web, worker and scheduler together and Ctrl+C stops all three."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_serves_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "OTKLIK_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)  # a fresh SQLite database of its own
    proc = subprocess.Popen(
        [sys.executable, "-m", "otklik.cli", "run", "--no-demo", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status = response.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
            assert "Войти" in response.read().decode()
        time.sleep(2)  # let worker and scheduler finish starting
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output and "Остановлено." in output
    assert "Starting worker" in output and "Starting scheduler" in output
    # Nothing of the three is left running.
    leftover = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
    assert leftover.stdout.strip() == ""
