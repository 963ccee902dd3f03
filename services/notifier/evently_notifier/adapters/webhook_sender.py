"""POSTs one delivery: the CloudEvent as sent on the stream, signed per Standard Webhooks."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx

from evently_notifier.adapters.guarded_network import guarded_transport
from evently_notifier.domain.deliveries import AttemptOutcome, Delivery
from evently_notifier.domain.signing import signature_headers
from evently_notifier.domain.subscriptions import Subscription

USER_AGENT = "Evently-Webhooks/0.1"


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, delivery: Delivery, subscription: Subscription) -> AttemptOutcome:
        headers = {
            "content-type": "application/cloudevents+json; charset=utf-8",
            "user-agent": USER_AGENT,
            **signature_headers(
                subscription.signing_secrets(datetime.now(UTC)),
                delivery.event_id,
                int(time.time()),
                delivery.payload,
            ),
        }
        try:
            response = await self._client.post(subscription.url, content=delivery.payload, headers=headers)
        except httpx.TimeoutException:
            return AttemptOutcome(0, "timed out")
        except httpx.HTTPError as exc:
            return AttemptOutcome(0, f"{type(exc).__name__}: {exc}")
        if 200 <= response.status_code < 300:
            return AttemptOutcome(response.status_code)
        return AttemptOutcome(response.status_code, f"HTTP {response.status_code}: {response.text[:200]}")


def make_client(*, allow_private: bool, timeout: float = 15.0) -> httpx.AsyncClient:
    # Redirects are not followed: a 3xx is a failed attempt (and could point anywhere).
    return httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, transport=guarded_transport(allow_private=allow_private)
    )
