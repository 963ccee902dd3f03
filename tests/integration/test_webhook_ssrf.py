"""Webhook connections are checked where it counts: after DNS resolution, at connect time."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from evently_notifier.adapters.webhook_sender import make_client

from tests.e2e.webhook_receiver import WebhookReceiver


@pytest.fixture
def inside() -> Iterator[WebhookReceiver]:
    """A service inside the network that a webhook must not reach."""
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]"])
async def test_names_and_addresses_that_lead_inside_are_refused_at_connect_time(
    inside: WebhookReceiver, host: str
) -> None:
    port = inside.url.split(":")[2].split("/")[0]
    async with make_client(allow_private=False, timeout=5) as client:
        with pytest.raises(httpx.ConnectError, match="non-public address"):
            await client.post(f"http://{host}:{port}/hooks", content=b"{}")
    assert inside.attempts == 0


async def test_private_targets_are_allowed_when_configured(inside: WebhookReceiver) -> None:
    async with make_client(allow_private=True, timeout=5) as client:
        answer = await client.post(inside.url.replace("127.0.0.1", "localhost"), content=b"{}")
    assert answer.status_code == 401  # reached: the receiver refused the unsigned body itself
    assert inside.attempts == 1
