"""A local HTTP server that records requests and answers from a script: it plays the Bot API,
the VK API, an SMS gateway or a file host in tests of the HTTP channels (delivery and intake)."""

from __future__ import annotations

import json
import threading
from collections.abc import Generator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeApi:
    url: str
    requests: list[Seen] = field(default_factory=list)
    # Answers by path suffix: (status, JSON body); a list is consumed one answer per request.
    answers: dict[str, Any] = field(default_factory=dict)

    def calls(self, suffix: str) -> list[Seen]:
        return [r for r in self.requests if r.path.split("?")[0].endswith(suffix)]

    def answer_for(self, path: str) -> tuple[int, Any]:
        for suffix, answer in self.answers.items():
            if path.split("?")[0].endswith(suffix):
                if isinstance(answer, list):
                    return answer.pop(0) if len(answer) > 1 else answer[0]
                return answer  # type: ignore[no-any-return]
        return 404, {"ok": False, "description": "Not Found"}


def serve_fake_api() -> Generator[FakeApi]:
    api = FakeApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            api.requests.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            status, payload = api.answer_for(self.path)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/octet-stream" if isinstance(payload, bytes) else "application/json"
            )
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
