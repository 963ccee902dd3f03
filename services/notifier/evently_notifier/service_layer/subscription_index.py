"""Which active subscriptions want an event type, answered from memory: subscriptions are read
once, indexed by pattern, and read again only when the store's subscriptions version has moved
(any instance's change bumps it in the same transaction), instead of a query per event."""

from __future__ import annotations

from evently_notifier.domain.subscriptions import Subscription, matches
from evently_notifier.service_layer.ports import UnitOfWork


class SubscriptionIndex:
    def __init__(self) -> None:
        self._version: int | None = None
        self._exact: dict[str, list[Subscription]] = {}
        self._patterns: list[tuple[str, Subscription]] = []  # e.g. "evently.event.*"
        self._everything: list[Subscription] = []

    def refresh(self, uow: UnitOfWork) -> None:
        """Inside the caller's transaction: one cheap query, and a reload when something changed."""
        version = uow.subscriptions.version()
        if version == self._version:
            return
        exact: dict[str, list[Subscription]] = {}
        patterns: list[tuple[str, Subscription]] = []
        everything: list[Subscription] = []
        for subscription in uow.subscriptions.active():
            for pattern in dict.fromkeys(subscription.event_types):
                if pattern == "*":
                    everything.append(subscription)
                elif pattern.endswith(".*"):
                    patterns.append((pattern, subscription))
                else:
                    exact.setdefault(pattern, []).append(subscription)
        self._exact, self._patterns, self._everything = exact, patterns, everything
        self._version = version

    def forget(self) -> None:
        """After a rollback: what was read may include changes that never committed (and whose
        version number a later, different change may then take), so read afresh next time."""
        self._version = None

    def wanting(self, event_type: str) -> list[Subscription]:
        """Active subscriptions with a pattern that matches `event_type`, each once."""
        found = [*self._everything, *self._exact.get(event_type, ())]
        found += [s for pattern, s in self._patterns if matches(pattern, event_type)]
        return list({s.id: s for s in found}.values())
