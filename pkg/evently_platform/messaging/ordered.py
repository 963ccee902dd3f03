"""An ordered push consumer of the EVENTLY stream for in-process views (revocations, an event's
live room): subscribed with retries, since a clustered stream may still be electing its leader."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import nats.errors
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext, api

from evently_platform.logging import get_logger
from evently_platform.messaging.jetstream import STREAM

log = get_logger(__name__)


async def subscribe_ordered(
    js: JetStreamContext,
    subject: str,
    *,
    config: api.ConsumerConfig,
    cb: Callable[[Msg], Awaitable[None]],
    name: str,
) -> Subscription:
    """Retries until subscribed (logging `<name>.not_subscribed`), backing off to 5 s."""
    failures = 0
    while True:
        try:
            return await js.subscribe(subject, stream=STREAM, ordered_consumer=True, config=config, cb=cb)
        except (nats.errors.Error, TimeoutError) as exc:
            failures += 1
            log.warning(f"{name}.not_subscribed", error=repr(exc), failures=failures)
            await asyncio.sleep(min(5.0, 0.25 * 2**failures))
