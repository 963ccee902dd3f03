"""Closes polls when their close time comes: a durable timer (the close time is a column; any
instance may close a due poll, and the poll's row lock makes it happen once)."""

from __future__ import annotations

import asyncio

from evently_platform.clock import Clock
from evently_platform.workers.poller import Poller

from evently_events.service_layer import polls
from evently_events.service_layer.ports import UnitOfWork

BATCH = 100


class PollCloser:
    def __init__(self, *, uow: UnitOfWork, clock: Clock, poll_interval: float = 1.0) -> None:
        self._uow = uow
        self._clock = clock
        self._poller = Poller("polls", self._step, poll_interval=poll_interval)

    async def run(self) -> None:
        await self._poller.run()

    async def _step(self) -> bool:
        closed = await asyncio.to_thread(polls.close_due, uow=self._uow, clock=self._clock, limit=BATCH)
        return closed == BATCH  # a full batch: more may be due at once
