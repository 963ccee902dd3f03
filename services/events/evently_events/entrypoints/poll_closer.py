"""Closes polls when their close time comes: a durable timer (the close time is a column; any
instance may close a due poll, and the poll's row lock makes it happen once)."""

from __future__ import annotations

from evently_platform.bus import MessageBus
from evently_platform.workers.poller import Poller

from evently_events.service_layer.commands import CloseDuePolls

BATCH = 100


class PollCloser:
    def __init__(self, bus: MessageBus, *, poll_interval: float = 1.0) -> None:
        self._bus = bus
        self._poller = Poller("polls", self._step, poll_interval=poll_interval)

    async def run(self) -> None:
        await self._poller.run()

    async def _step(self) -> bool:
        closed = await self._bus.handle(CloseDuePolls(BATCH))
        return closed == BATCH  # a full batch: more may be due at once
