"""Webhook connections are checked where it counts: after DNS resolution, at connect time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from evently_notifier.adapters.guarded_resolver import RefusedAddress
from evently_notifier.adapters.webhook_sender import WebhookSender

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
    sender = WebhookSender(allow_private=False, timeout=5)
    try:
        with pytest.raises(RefusedAddress, match="non-public address"):
            await sender.post(f"http://{host}:{port}/hooks", b"{}", {})
    finally:
        await sender.close()
    assert inside.attempts == 0


async def test_private_targets_are_allowed_when_configured(inside: WebhookReceiver) -> None:
    sender = WebhookSender(allow_private=True, timeout=5)
    try:
        status, _ = await sender.post(inside.url.replace("127.0.0.1", "localhost"), b"{}", {})
    finally:
        await sender.close()
    assert status == 401  # reached: the receiver refused the unsigned body itself
    assert inside.attempts == 1
