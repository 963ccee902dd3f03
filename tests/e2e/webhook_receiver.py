"""A real HTTP endpoint that receives webhooks and checks their signatures like a customer would."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class WebhookReceiver:
    def __init__(self, *, verify: bool = True) -> None:
        """`verify=False`: as a chat tool's incoming webhook, which takes unsigned JSON."""
        self.verify = verify
        # Answers to give first, in order, as (status, headers, body); then `answer` for the rest.
        self.script: list[tuple[int, dict[str, str], bytes]] = []
        self.secret: str | None = None
        self.received: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.answer = 204  # what a verified delivery gets: set 500 to play a broken endpoint
        self.hang = threading.Event()  # set: requests wait until `release` is set (a hung endpoint)
        self.release = threading.Event()
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.attempts += 1
                if receiver.hang.is_set():
                    receiver.release.wait(60)
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    if receiver.verify:
                        assert receiver.secret is not None, "no secret yet"
                        Webhook(receiver.secret).verify(body, headers)
                except (WebhookVerificationError, AssertionError) as exc:
                    receiver.rejected.append(str(exc))
                    self.send_response(401)
                    self.end_headers()
                    return
                if receiver.script:
                    status, extra, answer_body = receiver.script.pop(0)
                    self.send_response(status)
                    for name, value in {**extra, "content-length": str(len(answer_body))}.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer_body)
                    return
                if receiver.answer >= 300:
                    self.send_response(receiver.answer)
                    self.end_headers()
                    return
                receiver.received.append(
                    {"headers": headers, "body": json.loads(body), "raw": body, "at": time.monotonic()}
                )
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/evently"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
