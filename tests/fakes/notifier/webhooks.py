"""Webhook subscriptions and their deliveries, in memory."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from evently_notifier.domain.deliveries import Attempt, Delivery, DeliveryStatus
from evently_notifier.domain.subscriptions import Subscription, SubscriptionState
from evently_notifier.service_layer.ports import Cursor

from tests.fakes.notifier.rows import due, insert_all, newest_first, update_existing
from tests.fakes.notifier.tables import Tables


class FakeSubscriptionRepository:
    def __init__(self, tables: Tables) -> None:
        self._tables = tables
        self._rows = tables.subscriptions

    def _changed(self) -> None:
        self._tables.subscriptions_version += 1

    def version(self) -> int:
        return self._tables.subscriptions_version

    def add(self, subscription: Subscription) -> None:
        insert_all(self._rows, [subscription])
        self._changed()

    def get(self, subscription_id: str) -> Subscription | None:
        return self._rows.get(subscription_id)

    def get_many(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        return {i: self._rows[i] for i in subscription_ids if i in self._rows}

    def save(self, subscription: Subscription) -> None:
        self._rows[subscription.id] = subscription
        self._changed()

    def delete(self, subscription_id: str) -> None:
        for delivery in [d for d in self._tables.deliveries.values() if d.subscription_id == subscription_id]:
            del self._tables.deliveries[delivery.id]
            self._tables.attempts.pop(delivery.id, None)
        self._rows.pop(subscription_id, None)
        self._changed()

    def delete_for_owner(self, owner_id: str) -> int:
        theirs = [s.id for s in self._rows.values() if s.owner_id == owner_id]
        for subscription_id in theirs:
            self.delete(subscription_id)
        return len(theirs)

    def list_for_owner(self, owner_id: str, *, before: Cursor | None, limit: int) -> list[Subscription]:
        theirs = (s for s in self._rows.values() if s.owner_id == owner_id)
        return newest_first(theirs, lambda s: (s.create_time, s.id), before, limit)

    def active(self) -> list[Subscription]:
        return [s for s in self._rows.values() if s.state is SubscriptionState.ACTIVE]


class FakeDeliveryRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.deliveries
        self._attempts = tables.attempts

    def add(self, *added: Delivery) -> None:
        insert_all(self._rows, added)

    def get(self, delivery_id: str) -> Delivery | None:
        return self._rows.get(delivery_id)

    def add_attempts(self, attempts: list[tuple[str, Attempt]]) -> None:
        for delivery_id, attempt in attempts:
            self._attempts.setdefault(delivery_id, []).append(attempt)

    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        return {
            i: sorted(self._attempts[i], key=lambda a: a.number)
            for i in delivery_ids
            if self._attempts.get(i)
        }

    def save(self, *saved: Delivery) -> None:
        update_existing(self._rows, saved)

    def received_or_pending(self, subscription_id: str, event_ids: Sequence[str]) -> set[str]:
        return self.made_for(subscription_id, event_ids, (DeliveryStatus.SUCCEEDED, DeliveryStatus.PENDING))

    def made_for(
        self, subscription_id: str, event_ids: Sequence[str], statuses: Collection[DeliveryStatus] = ()
    ) -> set[str]:
        wanted = set(event_ids)
        return {
            d.event_id
            for d in self._rows.values()
            if d.subscription_id == subscription_id
            and d.event_id in wanted
            and (not statuses or d.status in statuses)
        }

    def reschedule(self, delivery_ids: Sequence[str], at: datetime) -> None:
        for delivery_id in delivery_ids:
            delivery = self._rows.get(delivery_id)
            if delivery is not None and delivery.status is DeliveryStatus.PENDING:
                self._rows[delivery_id] = replace(delivery, next_attempt_time=at)

    def fail_pending(self, subscription_id: str, now: datetime, reason: str) -> int:
        ended = [
            d
            for d in self._rows.values()
            if d.subscription_id == subscription_id and d.status is DeliveryStatus.PENDING
        ]
        for d in ended:
            self._rows[d.id] = replace(
                d, status=DeliveryStatus.FAILED, last_error=reason, next_attempt_time=None, update_time=now
            )
        return len(ended)

    def list_for_subscription(
        self, subscription_id: str, *, before: Cursor | None, limit: int
    ) -> list[Delivery]:
        theirs = (d for d in self._rows.values() if d.subscription_id == subscription_id)
        return newest_first(theirs, lambda d: (d.create_time, d.id), before, limit)

    def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        *,
        per_subscription: int | None = None,
        in_flight: Mapping[str, int] | None = None,
    ) -> list[Delivery]:
        due_rows = due(self._rows, DeliveryStatus.PENDING, now)
        taken: dict[str, int] = dict(in_flight or {})
        claimed: list[Delivery] = []
        for delivery in due_rows:
            if len(claimed) == limit:
                break
            if per_subscription is not None and taken.get(delivery.subscription_id, 0) >= per_subscription:
                continue
            taken[delivery.subscription_id] = taken.get(delivery.subscription_id, 0) + 1
            self._rows[delivery.id] = replace(delivery, next_attempt_time=lease_until)
            claimed.append(self._rows[delivery.id])
        return claimed
