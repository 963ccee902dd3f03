"""The notification bell's feed: Server-Sent Events from the gateway, fed by the notifier."""

from __future__ import annotations

import json
import queue
import threading

import httpx

from tests.e2e.accounts import new_event, signed_in
from tests.e2e.conftest import System


def test_the_organizer_sees_a_registration_arrive_live(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    olga, ada = signed_in(http, "Olga"), signed_in(http, "Ada")
    event = new_event(http, olga, "Live meetup", days_ahead=5)

    lines: queue.Queue[str] = queue.Queue()
    opened = threading.Event()
    stop = threading.Event()

    def listen() -> None:
        with (
            httpx.Client(base_url=system.gateway, timeout=httpx.Timeout(30, read=None)) as sse,
            sse.stream("GET", "/v1/notifications:watch", headers=olga) as response,
        ):
            assert response.headers["content-type"].startswith("text/event-stream")
            opened.set()
            for line in response.iter_lines():
                lines.put(line)
                if stop.is_set():
                    return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert opened.wait(30), "the event stream did not open"

    http.post(f"/v1/events/{event['id']}:register", headers=ada).raise_for_status()

    notification = None
    while notification is None:
        line = lines.get(timeout=30)
        if line.startswith("data: "):
            notification = json.loads(line.removeprefix("data: "))
    stop.set()
    assert notification["kind"] == "registration.new"
    assert notification["eventId"] == event["id"]
    assert notification["title"] == "New registration for Live meetup"
