"""A worker over a table of due items (webhook deliveries, e-mails): claim a batch under a lease
in one statement, work on each item concurrently, claim more as slots free.

The claim's lease hides the items from other instances until it runs out, so an instance that
dies mid-work leaves them to be claimed again. Items can be grouped by a key (a webhook
endpoint): at most `per_key` of one key are in flight, so a hanging endpoint holds only its own
slots.

Claims reach one round ahead: up to the free slots plus `slots` more, and of a key up to
`claim_quota` (twice `per_key`) counting those in flight and waiting (see claims.KeyQuota), so
that a backlog of one endpoint is claimed a batch at a time rather than a place at a time. What
cannot start at once waits in memory, like offered work, for at most `hold` (shorter than a
lease): then it is let go, its lease runs out and a later claim takes it.

Work that its producer claimed as it wrote it (a row inserted already leased to this process)
is `offer`ed instead: it starts without a claim round trip through the database. A producer
asks `has_room()` before it leases work to this process: past `max_waiting` waiting items it
leaves new work to the claims, so that a backlog under overload waits in the database, not in
memory.

A work can `release_key()` once it is done with its key's resource (a webhook's POST answered)
and go on holding only its slot (while it records the outcome)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Generic, TypeVar

from evently_platform.db.outages import outage_summary
from evently_platform.logging import get_logger
from evently_platform.workers.poller import Poller

log = get_logger(__name__)

T = TypeVar("T")

# claim(limit, in_flight): at most `limit` due items, no more of a key than it has left given
# `taken` (this worker's items in flight or waiting, by key): at most `claim_quota` of a key,
# counting those taken; runs in a worker thread, one transaction.
Claim = Callable[[int, Mapping[str, int]], Sequence[T]]


class LeasedPoller(Generic[T]):
    def __init__(
        self,
        name: str,
        *,
        claim: Claim[T],
        work: Callable[[T], Awaitable[object]],
        slots: int,
        key: Callable[[T], str] | None = None,
        per_key: int | None = None,
        poll_interval: float = 1.0,
        hold: float = 20.0,
        max_waiting: int = 1000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if slots < 1 or (per_key is not None and per_key < 1):
            raise ValueError("slots and per_key must be at least 1")
        self._claim = claim
        self._work = work
        self._slots = slots
        self._key = key
        self._per_key = per_key if key is not None else None
        self.claim_quota = 2 * per_key if per_key is not None and key is not None else None
        self._in_flight: dict[asyncio.Task[None], str | None] = {}  # task -> the key it holds
        self._by_key: Counter[str] = Counter()
        # Offered items by key, oldest first; the keys in turn, so that one busy key's backlog
        # is never scanned for every start.
        self._offered: OrderedDict[str | None, deque[tuple[float, T]]] = OrderedDict()
        self._waiting = 0  # offered items not started yet
        self._max_waiting = max_waiting
        self._hold = hold
        self._monotonic = monotonic
        self._poll_interval = poll_interval
        self._claim_soon = True
        self._last_claim = float("-inf")
        self._at_quota: set[str] = set()  # keys the last claim could take no more of
        self._poller = Poller(name, self._step, poll_interval=poll_interval)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def waiting(self) -> int:
        return self._waiting

    def has_room(self) -> bool:
        """Whether more work may be leased to this process and offered (from any thread): an
        answer that a concurrent offer can make stale by one batch, which bounds the overshoot."""
        return self._waiting < self._max_waiting

    def wake(self) -> None:
        """Claim from the database soon: something made work due (from any thread)."""
        self._claim_soon = True
        self._poller.wake()

    def offer(self, items: Sequence[T]) -> None:
        """Items already leased to this process, to work on next. Call on the event loop."""
        now = self._monotonic()
        for item in items:
            key = self._key(item) if self._key is not None else None
            self._offered.setdefault(key, deque()).append((now, item))
        self._waiting += len(items)
        self._poller.wake_here()  # on the loop already: no round trip through its wake-up pipe

    def release_key(self) -> None:
        """From inside a work: its key's quota is free again; the work keeps its slot."""
        task = asyncio.current_task()
        key = self._in_flight.get(task) if task is not None else None
        if task is None or key is None:
            return
        self._in_flight[task] = None
        self._let_go(key)

    async def run(self) -> None:
        try:
            await self._poller.run()
        finally:
            for task in self._in_flight:
                task.cancel()
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    async def _step(self) -> bool:
        self._start_offered()
        free = self._slots - len(self._in_flight)
        if free <= 0:
            await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            return True
        # Offered work needs no claim: the database is asked when woken, after a full claim,
        # and once a poll interval (for retries come due, and leases other instances let go).
        if not self._claim_soon and self._monotonic() - self._last_claim < self._poll_interval:
            return False
        # One round ahead, less what already waits; but always the free slots, so that work in
        # the table (retries, other endpoints' overflow) never waits behind a long queue of
        # offered work that cannot start (a hanging endpoint's, until its hold runs out).
        limit = max(free, free + self._slots - self._waiting)
        self._claim_soon, self._last_claim = False, self._monotonic()
        taken = Counter(self._by_key)
        for key, queue in self._offered.items():
            if key is not None:
                taken[key] += len(queue)
        items = await asyncio.to_thread(self._claim, limit, dict(taken))
        self.offer(items)
        self._start_offered()
        self._claim_soon = len(items) == limit  # a full claim: more may be due at once
        if self.claim_quota is not None:
            # A key at its quota got nothing more: its due items may be waiting in the table,
            # to claim as soon as it has room again.
            key_of = self._key
            assert key_of is not None  # a quota is per key
            taken.update(key_of(item) for item in items)
            self._at_quota = {key for key, n in taken.items() if n >= self.claim_quota}
        return self._claim_soon

    def _start_offered(self) -> None:
        """Starts what fits of the offered items, each key's oldest first, the keys in turn;
        lets go of those held too long."""
        too_old = self._monotonic() - self._hold
        for key in list(self._offered):
            queue = self._offered[key]
            while queue and queue[0][0] < too_old:
                queue.popleft()  # its lease brings it back to a claim
                self._waiting -= 1
            while queue and len(self._in_flight) < self._slots and self._key_has_room(key):
                self._start(queue.popleft()[1])
                self._waiting -= 1
            if not queue:
                del self._offered[key]
            else:
                self._offered.move_to_end(key)  # the next key goes first next time

    def _key_has_room(self, key: str | None) -> bool:
        return key is None or self._per_key is None or self._by_key[key] < self._per_key

    def _start(self, item: T) -> None:
        key = self._key(item) if self._key is not None else None
        if key is not None:
            self._by_key[key] += 1
        task = asyncio.create_task(self._guarded(item))
        self._in_flight[task] = key

        def done(finished: asyncio.Task[None]) -> None:
            held = self._in_flight.pop(finished, None)
            if held is not None:
                self._let_go(held)
            elif self._offered:  # a slot is free for what waits
                self._poller.wake()

        task.add_done_callback(done)

    def _let_go(self, key: str) -> None:
        self._by_key[key] -= 1
        was_full = self._per_key is not None and self._by_key[key] == self._per_key - 1
        if self._by_key[key] <= 0:
            del self._by_key[key]
        if key in self._at_quota and key not in self._offered:
            # Its waiting items have started: claim its next batch now, not at the next poll
            # (a backlog of one endpoint would otherwise move a quota per poll interval).
            self._at_quota.discard(key)
            self._claim_soon = True
            self._poller.wake()
        elif was_full or self._offered:  # what waited for this key or slot may start now
            self._poller.wake()

    async def _guarded(self, item: T) -> None:
        try:
            await self._work(item)
        except Exception as exc:
            # The work records its own outcomes; what escapes is an outage or a bug, and the
            # item's lease brings it back later.
            outage = outage_summary(exc)
            if outage is not None:
                log.warning(f"{self._poller.name}.work_failed", error=outage)
            else:
                log.exception(f"{self._poller.name}.work_failed")
