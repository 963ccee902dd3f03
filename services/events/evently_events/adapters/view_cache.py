"""Recently read events, kept as the `Event` protos GetEvent answers, so that a popular event's
page costs no database read per visitor.

Fresh within this process: every commit that records a change to an event forgets it before the
use case returns (read-your-writes holds), and an answer loaded while a change committed is not
kept. Another instance's changes are seen when the entry expires (`ttl`, a second by default),
so several instances may show an event's seat counts up to that long behind.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence

from evently.events.v1 import event_pb2

from evently_events.domain.model import Event, EventDeleted


class EventViewCache:
    def __init__(
        self, *, ttl: float = 1.0, size: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._size = size
        self._monotonic = monotonic
        self._entries: OrderedDict[str, tuple[float, event_pb2.Event]] = OrderedDict()
        self._generation = 0  # moves on with every forgetting: loads that straddle one are not kept
        self._lock = threading.Lock()  # commits forget from worker threads

    def get(self, event_id: str) -> event_pb2.Event | None:
        with self._lock:
            entry = self._entries.get(event_id)
            if entry is None:
                return None
            if entry[0] <= self._monotonic():
                del self._entries[event_id]
                return None
            self._entries.move_to_end(event_id)
            return entry[1]

    def generation(self) -> int:
        """Taken before loading an event, and given back to `put` with what was loaded."""
        return self._generation

    def put(self, event_id: str, view: event_pb2.Event, generation: int) -> None:
        with self._lock:
            if generation != self._generation:
                return  # something changed while it was read: it may be stale already
            self._entries[event_id] = (self._monotonic() + self._ttl, view)
            self._entries.move_to_end(event_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def forget(self, event_ids: Iterable[str]) -> None:
        with self._lock:
            self._generation += 1
            for event_id in event_ids:
                self._entries.pop(event_id, None)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()

    def committed(self, domain_events: Sequence[object]) -> None:
        """A unit of work's `after_commit`: the events these changes are about are forgotten (all
        of them, for a change whose event cannot be told)."""
        event_ids: set[str] = set()
        for change in domain_events:
            event = getattr(change, "event", None)
            if isinstance(event, Event):
                event_ids.add(event.id)
            elif isinstance(change, EventDeleted):
                event_ids.add(change.event_id)
            else:
                self.forget_all()
                return
        self.forget(event_ids)
