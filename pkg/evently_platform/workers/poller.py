"""The loop every background worker runs: do a step of work, and when a step leaves nothing
waiting, sleep until woken (after a commit that made work) or until the poll interval passes —
the poll finds what other instances or an expired lease made due. A failing step is logged and
retried with capped exponential backoff (cut short by a wake); it never stops the worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from evently_platform.db.outages import outage_summary
from evently_platform.logging import get_logger

log = get_logger(__name__)

Step = Callable[[], Awaitable[bool]]  # True when more work may be waiting right now


class Poller:
    def __init__(
        self,
        name: str,
        step: Step,
        *,
        poll_interval: float = 1.0,
        first_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.name = name
        self._step = step
        self._poll_interval = poll_interval
        self._first_backoff = first_backoff
        self._max_backoff = max_backoff
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Run a step soon; safe to call from any thread, before or after `run` starts."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def wake_here(self) -> None:
        """`wake` from the event loop's own thread: no hop through the loop's wake-up pipe."""
        self._wake.set()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        failures = 0
        while True:
            self._wake.clear()
            try:
                more = await self._step()
                failures = 0
            except Exception as exc:
                failures += 1
                outage = outage_summary(exc)
                if outage is not None:
                    # An outage, not a bug: one line per failure, without the traceback that
                    # would repeat at every backoff for as long as it lasts.
                    log.warning(f"{self.name}.step_failed", consecutive_failures=failures, error=outage)
                else:
                    log.exception(f"{self.name}.step_failed", consecutive_failures=failures)
                # A wake (new work committed) cuts the backoff short: what failed may work now,
                # and new work should not wait out a long backoff after an outage has ended.
                await self._sleep(min(self._max_backoff, self._first_backoff * 2 ** (failures - 1)))
                continue
            if not more:
                await self._sleep(self._poll_interval)

    async def _sleep(self, seconds: float) -> None:
        """Until woken, or `seconds` pass."""
        with contextlib.suppress(TimeoutError):
            # asyncio.timeout, not wait_for: on 3.11, wait_for can swallow a cancellation that
            # lands as the wake-up does, and the worker would never stop.
            async with asyncio.timeout(seconds):
                await self._wake.wait()
