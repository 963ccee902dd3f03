"""Subscriptions and deliveries stored with SQLAlchemy Core, and the notifier's unit of work."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from evently_platform.db.unit_of_work import SqlUnitOfWork
from evently_platform.workers.claims import KeyQuota, claim_rows
from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, insert, or_, select, update

from evently_notifier.adapters.email_repository import SqlEmailRepository, SqlRecipientRepository
from evently_notifier.adapters.inbox_repository import (
    SqlAttendeeRepository,
    SqlNotificationRepository,
    SqlPreferencesRepository,
)
from evently_notifier.adapters.reminder_repository import SqlKnownEventRepository, SqlReminderRepository
from evently_notifier.adapters.tables import (
    deliveries,
    delivery_attempts,
    subscriptions,
    subscriptions_version,
)
from evently_notifier.domain.chat import DeliveryFormat
from evently_notifier.domain.deliveries import Attempt, Delivery, DeliveryStatus
from evently_notifier.domain.subscriptions import Subscription, SubscriptionState
from evently_notifier.service_layer.ports import Cursor

# Statements built once: building one per call costs several times what executing it does.
_SUBSCRIPTIONS = select(subscriptions).where(subscriptions.c.id.in_(bindparam("b_ids", expanding=True)))
_SUBSCRIPTION = select(subscriptions).where(subscriptions.c.id == bindparam("b_id"))
_INSERT_DELIVERY = insert(deliveries)
_INSERT_ATTEMPT = insert(delivery_attempts)
_VERSION = select(subscriptions_version.c.version)
_SAVE_DELIVERY = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        last_status_code=bindparam("b_code"),
        last_error=bindparam("b_error"),
        next_attempt_time=bindparam("b_next"),
        update_time=bindparam("b_update"),
    )
)


def _to_subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        owner_id=row.owner_id,
        url=row.url,
        event_types=list(row.event_types),
        description=row.description,
        secret=row.secret,
        state=SubscriptionState(row.state),
        create_time=row.create_time,
        previous_secret=row.previous_secret,
        previous_secret_expire_time=row.previous_secret_expire_time,
        format=DeliveryFormat(row.format),
        failing_since=row.failing_since,
        rate_limit=row.rate_limit,
        recovered_at=row.recovered_at,
    )


def _to_delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id,
        subscription_id=row.subscription_id,
        event_id=row.event_id,
        event_type=row.event_type,
        payload=bytes(row.payload),
        trace_headers=dict(row.trace_headers or {}),
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        next_attempt_time=row.next_attempt_time,
        create_time=row.create_time,
        update_time=row.update_time,
    )


def _newest_first_before(table: Any, before: Cursor | None) -> Any:
    if before is None:
        return True
    time, key = before
    return or_(table.c.create_time < time, and_(table.c.create_time == time, table.c.id < key))


class SqlSubscriptionRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def _changed(self) -> None:
        self._connection.execute(
            update(subscriptions_version).values(version=subscriptions_version.c.version + 1)
        )

    def version(self) -> int:
        """Moves on with every change; SubscriptionIndex reloads when it has."""
        return int(self._connection.execute(_VERSION).scalar_one())

    def add(self, subscription: Subscription) -> None:
        row = asdict(subscription)
        row["state"] = subscription.state.value
        row["format"] = subscription.format.value
        self._connection.execute(insert(subscriptions), row)
        self._changed()

    def get(self, subscription_id: str) -> Subscription | None:
        row = self._connection.execute(_SUBSCRIPTION, {"b_id": subscription_id}).first()
        return _to_subscription(row) if row else None

    def get_many(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        if not subscription_ids:
            return {}
        found = self._connection.execute(_SUBSCRIPTIONS, {"b_ids": list(subscription_ids)})
        return {row.id: _to_subscription(row) for row in found}

    def save(self, subscription: Subscription) -> None:
        self._connection.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription.id)
            .values(
                state=subscription.state.value,
                secret=subscription.secret,
                previous_secret=subscription.previous_secret,
                previous_secret_expire_time=subscription.previous_secret_expire_time,
                failing_since=subscription.failing_since,
                recovered_at=subscription.recovered_at,
            )
        )
        self._changed()

    def delete(self, subscription_id: str) -> None:
        owned = select(deliveries.c.id).where(deliveries.c.subscription_id == subscription_id)
        self._connection.execute(delete(delivery_attempts).where(delivery_attempts.c.delivery_id.in_(owned)))
        self._connection.execute(delete(deliveries).where(deliveries.c.subscription_id == subscription_id))
        self._connection.execute(delete(subscriptions).where(subscriptions.c.id == subscription_id))
        self._changed()

    def delete_for_owner(self, owner_id: str) -> int:
        owned = select(subscriptions.c.id).where(subscriptions.c.owner_id == owner_id)
        their_deliveries = select(deliveries.c.id).where(deliveries.c.subscription_id.in_(owned))
        self._connection.execute(
            delete(delivery_attempts).where(delivery_attempts.c.delivery_id.in_(their_deliveries))
        )
        self._connection.execute(delete(deliveries).where(deliveries.c.subscription_id.in_(owned)))
        gone = self._connection.execute(
            delete(subscriptions).where(subscriptions.c.owner_id == owner_id).returning(subscriptions.c.id)
        )
        removed = len(gone.all())
        if removed:
            self._changed()
        return removed

    def list_for_owner(self, owner_id: str, *, before: Cursor | None, limit: int) -> list[Subscription]:
        query = (
            select(subscriptions)
            .where(subscriptions.c.owner_id == owner_id, _newest_first_before(subscriptions, before))
            .order_by(subscriptions.c.create_time.desc(), subscriptions.c.id.desc())
            .limit(limit)
        )
        return [_to_subscription(r) for r in self._connection.execute(query)]

    def active(self) -> list[Subscription]:
        query = select(subscriptions).where(subscriptions.c.state == SubscriptionState.ACTIVE.value)
        return [_to_subscription(r) for r in self._connection.execute(query)]


class SqlDeliveryRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, *added: Delivery) -> None:
        if not added:
            return
        self._connection.execute(
            _INSERT_DELIVERY,
            [
                dict(
                    id=d.id,
                    subscription_id=d.subscription_id,
                    event_id=d.event_id,
                    event_type=d.event_type,
                    payload=d.payload,
                    trace_headers=d.trace_headers,
                    status=d.status.value,
                    attempts=d.attempts,
                    last_status_code=d.last_status_code,
                    last_error=d.last_error,
                    next_attempt_time=d.next_attempt_time,
                    create_time=d.create_time,
                    update_time=d.update_time,
                )
                for d in added
            ],
        )

    def add_attempts(self, attempts: list[tuple[str, Attempt]]) -> None:
        """(delivery id, attempt) pairs, written in one statement."""
        if not attempts:
            return
        self._connection.execute(
            _INSERT_ATTEMPT,
            [
                dict(
                    delivery_id=delivery_id,
                    number=attempt.number,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    attempt_time=attempt.attempt_time,
                    response=attempt.response,
                )
                for delivery_id, attempt in attempts
            ],
        )

    def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[Attempt]]:
        if not delivery_ids:
            return {}
        c = delivery_attempts.c
        query = (
            select(delivery_attempts).where(c.delivery_id.in_(delivery_ids)).order_by(c.delivery_id, c.number)
        )
        found: dict[str, list[Attempt]] = {}
        for row in self._connection.execute(query):
            found.setdefault(row.delivery_id, []).append(
                Attempt(row.number, row.status_code, row.error, row.attempt_time, row.response)
            )
        return found

    def get(self, delivery_id: str) -> Delivery | None:
        row = self._connection.execute(select(deliveries).where(deliveries.c.id == delivery_id)).first()
        return _to_delivery(row) if row else None

    def save(self, *saved: Delivery) -> None:
        if not saved:
            return
        self._connection.execute(
            _SAVE_DELIVERY,
            [
                {
                    "b_id": delivery.id,
                    "b_status": delivery.status.value,
                    "b_attempts": delivery.attempts,
                    "b_code": delivery.last_status_code,
                    "b_error": delivery.last_error,
                    "b_next": delivery.next_attempt_time,
                    "b_update": delivery.update_time,
                }
                for delivery in saved
            ],
        )

    def received_or_pending(self, subscription_id: str, event_ids: Sequence[str]) -> set[str]:
        settled = deliveries.c.status.in_([DeliveryStatus.SUCCEEDED.value, DeliveryStatus.PENDING.value])
        return self._made_for(subscription_id, event_ids, settled)

    def made_for(self, subscription_id: str, event_ids: Sequence[str]) -> set[str]:
        return self._made_for(subscription_id, event_ids)

    def _made_for(
        self, subscription_id: str, event_ids: Sequence[str], *conditions: ColumnElement[bool]
    ) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(event_ids), 500):  # bound the statement's parameters
            rows = self._connection.execute(
                select(deliveries.c.event_id).where(
                    deliveries.c.subscription_id == subscription_id,
                    deliveries.c.event_id.in_(event_ids[start : start + 500]),
                    *conditions,
                )
            )
            found.update(row.event_id for row in rows)
        return found

    def reschedule(self, delivery_ids: Sequence[str], at: datetime) -> None:
        for start in range(0, len(delivery_ids), 500):
            self._connection.execute(
                update(deliveries)
                .where(
                    deliveries.c.id.in_(delivery_ids[start : start + 500]),
                    deliveries.c.status == DeliveryStatus.PENDING.value,
                )
                .values(next_attempt_time=at)
            )

    def fail_pending(self, subscription_id: str, now: datetime, reason: str) -> int:
        ended = self._connection.execute(
            update(deliveries)
            .where(
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.status == DeliveryStatus.PENDING.value,
            )
            .values(
                status=DeliveryStatus.FAILED.value, last_error=reason, next_attempt_time=None, update_time=now
            )
        )
        return int(ended.rowcount)

    def list_for_subscription(
        self, subscription_id: str, *, before: Cursor | None, limit: int
    ) -> list[Delivery]:
        query = (
            select(deliveries)
            .where(deliveries.c.subscription_id == subscription_id, _newest_first_before(deliveries, before))
            .order_by(deliveries.c.create_time.desc(), deliveries.c.id.desc())
            .limit(limit)
        )
        return [_to_delivery(r) for r in self._connection.execute(query)]

    def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        *,
        per_subscription: int | None = None,
        in_flight: Mapping[str, int] | None = None,
    ) -> list[Delivery]:
        # Pushing the due time past the lease hides them from other workers; if this worker
        # dies mid-attempt, they come due again when the lease runs out.
        quota = None
        if per_subscription is not None:
            quota = KeyQuota(deliveries.c.subscription_id, per_subscription, in_flight or {})
        rows = claim_rows(
            self._connection,
            deliveries,
            where=[
                deliveries.c.status == DeliveryStatus.PENDING.value,
                deliveries.c.next_attempt_time <= now,
            ],
            order_by=deliveries.c.next_attempt_time,
            limit=limit,
            values={"next_attempt_time": lease_until},
            quota=quota,
        )
        return [_to_delivery(r) for r in rows]


class NotifierUnitOfWork(SqlUnitOfWork):
    subscriptions: SqlSubscriptionRepository
    deliveries: SqlDeliveryRepository
    notifications: SqlNotificationRepository
    attendees: SqlAttendeeRepository
    preferences: SqlPreferencesRepository
    recipients: SqlRecipientRepository
    emails: SqlEmailRepository
    known_events: SqlKnownEventRepository
    reminders: SqlReminderRepository

    def _repositories(self, connection: Connection) -> dict[str, object]:
        return {
            "subscriptions": SqlSubscriptionRepository(connection),
            "deliveries": SqlDeliveryRepository(connection),
            "notifications": SqlNotificationRepository(connection),
            "attendees": SqlAttendeeRepository(connection),
            "preferences": SqlPreferencesRepository(connection),
            "recipients": SqlRecipientRepository(connection),
            "emails": SqlEmailRepository(connection),
            "known_events": SqlKnownEventRepository(connection),
            "reminders": SqlReminderRepository(connection),
        }
