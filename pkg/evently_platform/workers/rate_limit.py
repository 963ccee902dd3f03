"""Rate limits by key (a token bucket each): work over the rate waits its turn, none is dropped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """`rate` a second, and up to one second's worth at once (a burst after a quiet spell)."""

    def __init__(self, rate: float, *, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._tokens = self.capacity
        self._at = now

    def reserve(self, now: float) -> float:
        """Takes a token: the seconds to wait before using it (0: at once). Reservations made
        while the bucket is empty queue behind each other."""
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class RateLimits:
    """One bucket per key, made on first use (and again when the key's rate changes)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    async def wait(self, key: str, rate: float) -> None:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate:
            bucket = self._buckets[key] = TokenBucket(rate, now=now)
        delay = bucket.reserve(now)
        if delay > 0:
            await asyncio.sleep(delay)

    def forget(self, key: str) -> None:
        self._buckets.pop(key, None)
