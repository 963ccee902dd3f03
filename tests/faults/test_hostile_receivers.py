"""Webhook receivers as bad luck and attackers make them, beside a healthy one: one that drips
its answer a byte a second, one that answers 20 MB, one that redirects, one that says 410 Gone.
The healthy one gets every delivery once; each hostile one costs only its own attempts, each
attempt ends at the deadline (the claim's lease never runs out under it, so nothing is POSTed
twice), nothing follows a redirect, and 410 switches its subscription off at once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, subscription_pb2
from evently_notifier.bootstrap import build as build_notifier
from evently_notifier.domain.deliveries import RetryPolicy
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually

EVENTS = 4
DEADLINE = 2.0  # the notifier's deadline for a whole attempt, shortened for the test
RETRIES = (timedelta(milliseconds=50), timedelta(milliseconds=50))  # 3 attempts in all
SUCCEEDED, FAILED = subscription_pb2.Delivery.Status.SUCCEEDED, subscription_pb2.Delivery.Status.FAILED
DISABLED = subscription_pb2.Subscription.State.DISABLED


class Hostile:
    """An endpoint that misbehaves in one way; counts the requests it gets by webhook-id."""

    def __init__(self, mode: str, redirect_to: str = "") -> None:
        self.requests: Counter[str] = Counter()
        self.stop = threading.Event()
        hostile = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                hostile.requests[self.headers.get("webhook-id", "")] += 1
                if mode == "drip":  # its status line a byte a second: no answer ever completes
                    for byte in b"HTTP/1.1 200 OK\r\n" * 10:
                        if hostile.stop.wait(1.0):
                            return
                        try:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                        except OSError:
                            return
                elif mode == "huge":
                    self.send_response(200)
                    self.send_header("content-length", str(20 * 1024 * 1024))
                    self.end_headers()
                    chunk = b"x" * 65536
                    try:
                        for _ in range(320):
                            self.wfile.write(chunk)
                    except OSError:
                        return  # the notifier stopped reading, as it should
                elif mode == "redirect":
                    self.send_response(302)
                    self.send_header("location", redirect_to)
                    self.send_header("content-length", "0")
                    self.end_headers()
                else:  # gone
                    self.send_response(410)
                    self.send_header("content-length", "0")
                    self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()


async def _build(settings: Settings) -> ServiceHost:
    return await build_notifier(
        settings, retry_policy=RetryPolicy(delays=RETRIES, jitter=0.0), webhook_timeout=DEADLINE
    )


@pytest.fixture
def receivers() -> Iterator[dict[str, Any]]:
    healthy, redirected_to = WebhookReceiver(), WebhookReceiver()
    healthy.start()
    redirected_to.start()
    hostile = {mode: Hostile(mode, redirected_to.url) for mode in ("drip", "huge", "redirect", "gone")}
    yield {"healthy": healthy, "redirected_to": redirected_to, **hostile}
    healthy.stop()
    redirected_to.stop()
    for endpoint in hostile.values():
        endpoint.close()


async def test_hostile_receivers_cost_only_their_own_attempts(
    venue: Venue, services: Services, receivers: dict[str, Any]
) -> None:
    hooks = notifier_service_pb2_grpc.NotifierServiceStub(await services.start(_build))
    subscriptions = {}
    for name in ("healthy", "drip", "huge", "redirect", "gone"):
        _, owner = venue.person()
        made = await hooks.CreateSubscription(
            notifier_service_pb2.CreateSubscriptionRequest(
                subscription=subscription_pb2.Subscription(
                    url=receivers[name].url, event_types=["evently.event.created"]
                )
            ),
            metadata=owner,
        )
        subscriptions[name] = (made, owner)
    receivers["healthy"].secret = subscriptions["healthy"][0].secret

    _, organizer = venue.person()
    began = time.monotonic()
    for n in range(EVENTS):
        await venue.event(organizer, title=f"Rush {n}")

    healthy = receivers["healthy"]
    await eventually(lambda: len(healthy.received) == EVENTS)
    # Served while the dripping endpoint still holds its attempts open: nobody waited for it.
    assert time.monotonic() - began < DEADLINE * len(RETRIES) * EVENTS
    assert len({d["headers"]["webhook-id"] for d in healthy.received}) == EVENTS

    async def log(name: str) -> list[subscription_pb2.Delivery]:
        made, owner = subscriptions[name]
        answer = await hooks.ListDeliveries(
            notifier_service_pb2.ListDeliveriesRequest(subscription_id=made.id), metadata=owner
        )
        return list(answer.deliveries)

    async def settled(name: str, status: int) -> bool:
        deliveries = await log(name)
        return len(deliveries) == EVENTS and all(d.status == status for d in deliveries)

    # 20 MB answered: read no further than needed, a success each, once.
    await eventually(lambda: settled("huge", SUCCEEDED))
    assert all(d.attempts == 1 for d in await log("huge"))
    # Dripping: each attempt cut at the deadline; exactly the policy's attempts, never more.
    await eventually(lambda: settled("drip", FAILED), timeout=60)
    assert all(n == 1 + len(RETRIES) for n in receivers["drip"].requests.values())
    assert len(receivers["drip"].requests) == EVENTS
    # A redirect is a failure and is not followed.
    await eventually(lambda: settled("redirect", FAILED))
    assert all(d.last_status_code == 302 for d in await log("redirect"))
    assert receivers["redirected_to"].attempts == 0
    # 410 Gone: no retries, and the subscription is switched off at once (so later events make
    # no deliveries for it).
    made, owner = subscriptions["gone"]

    async def gone_settled() -> bool:
        deliveries = await log("gone")
        return bool(deliveries) and all(d.status == FAILED for d in deliveries)

    await eventually(gone_settled)
    gone = await log("gone")
    assert all(d.attempts == 1 and d.last_status_code == 410 for d in gone)
    assert sum(receivers["gone"].requests.values()) == len(gone)
    listed = await hooks.ListSubscriptions(notifier_service_pb2.ListSubscriptionsRequest(), metadata=owner)
    assert [s.state for s in listed.subscriptions] == [DISABLED]
