"""Wakes live inbox watchers of this process when their inbox changes. Watchers also look at
the database every few seconds, which covers notifications written by other instances."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterable


class InboxHub:
    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)

    def notify(self, user_ids: Iterable[str]) -> None:
        """Call on the event loop's thread."""
        for user_id in user_ids:
            for waiter in self._waiters.get(user_id, ()):
                waiter.set()

    async def wait(self, user_id: str, timeout: float) -> None:
        """Until this user's inbox may have changed, or `timeout` seconds."""
        waiter = asyncio.Event()
        self._waiters[user_id].add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await waiter.wait()
        finally:
            self._waiters[user_id].discard(waiter)
            if not self._waiters[user_id]:
                del self._waiters[user_id]
