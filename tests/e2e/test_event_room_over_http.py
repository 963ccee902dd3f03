"""An event's live room through the gateway, as a browser's EventSource uses it: Server-Sent
Events for anyone, each with an `id:`, resumed after a drop from the `Last-Event-ID` header."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests.e2e.access_kit import Client, an_event
from tests.e2e.conftest import System


def _events(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """SSE frames as {"id": ..., "data": {...}}, keep-alive comments skipped."""
    frame: dict[str, Any] = {}
    for line in lines:
        if line.startswith("id: "):
            frame["id"] = line[4:]
        elif line.startswith("data: "):
            frame["data"] = json.loads(line[6:])
        elif not line and "data" in frame:
            yield frame
            frame = {}


def test_anyone_watches_an_event_over_sse_and_resumes_from_last_event_id(system: System) -> None:
    client = Client(system)
    olga = client.person()
    event_id = an_event(client, olga)["event"]
    url = f"{system.gateway}/v1/events/{event_id}:watch"
    with httpx.Client(timeout=30) as browser:
        with browser.stream("GET", url) as answer:  # no sign-in: the page is public
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/event-stream")
            frames = _events(answer.iter_lines())
            snapshot = next(frames)
            assert snapshot["data"]["type"] == "evently.watch.snapshot"
            assert snapshot["id"] == snapshot["data"]["cursor"]
            client.call(olga, "POST", f"/v1/events/{event_id}/comments", {"text": "First!"})
            first = next(frames)
            assert first["data"]["comment"]["text"] == "First!"
        # Dropped; meanwhile another comment. EventSource sends the last id when it reconnects.
        client.call(olga, "POST", f"/v1/events/{event_id}/comments", {"text": "Welcome"})
        with browser.stream("GET", url, headers={"last-event-id": first["id"]}) as again:
            missed = next(_events(again.iter_lines()))
            assert missed["data"]["comment"]["text"] == "Welcome"
            assert int(missed["id"]) > int(first["id"])
