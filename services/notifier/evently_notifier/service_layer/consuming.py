"""What consumed domain events mean to the notifier: a whole batch in one transaction, with its
inbox records (a redelivered event does nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from evently_platform.bus import Command
from evently_platform.clock import Clock, new_id
from evently_platform.messaging.inbox import handled_once

from evently_notifier.domain.chat import DeliveryFormat, chat_body, message_for
from evently_notifier.domain.deliveries import ATTEMPT_LEASE, Delivery, DeliveryStatus
from evently_notifier.domain.emails import SEND_LEASE, Email, Recipient
from evently_notifier.domain.facts import (
    EventGone,
    Fact,
    RegistrationChanged,
    UserDetails,
    UserLeft,
    event_of,
)
from evently_notifier.domain.reminders import DEFAULT_BEFORE_START
from evently_notifier.domain.routing import notices_for
from evently_notifier.domain.subscriptions import Subscription, receives
from evently_notifier.service_layer.channels import MailContext, ToTell, tell_all
from evently_notifier.service_layer.ports import UnitOfWork, UnitOfWorkFactory
from evently_notifier.service_layer.reminders import keep_reminders
from evently_notifier.service_layer.subscription_index import SubscriptionIndex
from evently_notifier.service_layer.webhooks import DueDelivery


@dataclass(frozen=True)
class Incoming:
    """One consumed domain event: its identity, the fact it states, and the bytes it travelled as."""

    id: str
    type: str
    subject: str | None
    time: datetime
    fact: Fact
    raw: bytes  # a webhook delivery's body
    trace_headers: dict[str, str]  # the consume span's: the webhook call joins the trace


@dataclass
class FanOut:
    deliveries: list[DueDelivery] = field(default_factory=list)
    notified_users: list[str] = field(default_factory=list)  # whose inbox got something
    emails: list[Email] = field(default_factory=list)
    leased: bool = False  # deliveries and e-mails were written leased to this process


@dataclass(frozen=True)
class ConsumeBatch(Command[FanOut]):
    """A fetched batch of domain events, to handle together."""

    items: list[Incoming]


class Consuming:
    def __init__(
        self,
        *,
        consumer: str,
        uows: UnitOfWorkFactory,
        clock: Clock,
        mail: MailContext | None = None,
        reminder_defaults: tuple[timedelta, ...] = DEFAULT_BEFORE_START,
        index: SubscriptionIndex | None = None,
        hand_off: Callable[[], bool] = lambda: False,
    ) -> None:
        """`hand_off()` asked per batch: when true, new deliveries and e-mails are written already
        claimed by this process (for ATTEMPT_LEASE, SEND_LEASE) and returned as `leased`, for its
        workers to start without a claim round trip; should the process die, their leases run out
        and any instance claims them. When false (its workers have a backlog) they are written
        due now, for whichever instance claims first."""
        self._uows = uows
        self._clock = clock
        self._mail = mail
        self._reminder_defaults = reminder_defaults
        self._index = index or SubscriptionIndex()
        self._handle = handled_once(consumer, self._fan_out)
        self._hand_off = hand_off

    def handle(self, cmd: ConsumeBatch) -> FanOut:
        """Everything a batch of domain events means here, committed together."""
        try:
            with self._uows() as uow:
                result = self._handle(uow, cmd.items)
                uow.commit()
        except BaseException:
            self._index.forget()
            raise
        result.notified_users = list(dict.fromkeys(result.notified_users))
        return result

    def _fan_out(self, uow: UnitOfWork, batch: list[Incoming]) -> FanOut:
        result = FanOut()
        if not batch:
            return result
        now = self._clock.now()
        self._index.refresh(uow)
        result.leased = self._hand_off()
        pending = _Pending(leased=result.leased)
        for item in batch:
            if isinstance(item.fact, UserLeft):
                self._flush(uow, pending, now, result)  # nothing of theirs may be written after
            self._one(uow, item, now, pending)
        self._flush(uow, pending, now, result)
        return result

    def _one(self, uow: UnitOfWork, item: Incoming, now: datetime, pending: _Pending) -> None:
        """What the owners of deleted things had here ends, people are told per the routing rules
        and their preferences, the attendee projection moves on, and a pending webhook delivery
        is made for each subscription that wants the event and whose owner may read it. What is
        written in bulk waits in `pending` until the batch ends."""
        fact = item.fact
        if isinstance(fact, UserDetails):
            uow.recipients.save(Recipient(fact.user_id, fact.email, fact.display_name, fact.time_zone))
        elif isinstance(fact, UserLeft):
            _forget(uow, fact.user_id)
            self._index.refresh(uow)  # their subscriptions are gone for the rest of the batch too
        # Route before projecting: those told of a cancellation are the attendees it ends.
        event = event_of(fact)
        for notice in notices_for(fact, uow.attendees.active_for_event):
            pending.notices.append(ToTell(notice, item.id, event))
        _project(uow, fact, item)
        keep_reminders(uow, fact, now, self._reminder_defaults)
        for subscription in self._index.wanting(item.type):
            if not receives(subscription, item.type, item.subject, fact):
                continue
            if _recovered_already(uow, subscription, item):
                continue
            pending.deliveries.append(
                DueDelivery(
                    Delivery(
                        id=new_id(),
                        subscription_id=subscription.id,
                        event_id=item.id,
                        event_type=item.type,
                        payload=self._payload(subscription.format, item),
                        trace_headers=item.trace_headers,
                        status=DeliveryStatus.PENDING,
                        attempts=0,
                        last_status_code=0,
                        last_error="",
                        next_attempt_time=now + ATTEMPT_LEASE if pending.leased else now,
                        create_time=now,
                        update_time=now,
                    ),
                    subscription,
                )
            )

    def _payload(self, delivery_format: DeliveryFormat, item: Incoming) -> bytes:
        return delivery_body(delivery_format, item, self._mail.base_url if self._mail is not None else "")

    def _flush(self, uow: UnitOfWork, pending: _Pending, now: datetime, result: FanOut) -> None:
        told = tell_all(
            uow, pending.notices, now, self._mail, email_lease=SEND_LEASE if pending.leased else None
        )
        result.notified_users += told.in_app_users
        result.emails += told.emails
        uow.deliveries.add(*(due.delivery for due in pending.deliveries))
        result.deliveries += pending.deliveries
        pending.notices.clear()
        pending.deliveries.clear()


def delivery_body(delivery_format: DeliveryFormat, item: Incoming, base_url: str) -> bytes:
    """The CloudEvents body as it travelled, or a chat tool's message made from it."""
    if delivery_format is DeliveryFormat.CLOUDEVENTS:
        return item.raw
    return chat_body(delivery_format, message_for(item.type, item.fact, base_url))


@dataclass
class _Pending:
    leased: bool
    notices: list[ToTell] = field(default_factory=list)
    deliveries: list[DueDelivery] = field(default_factory=list)


# An event's time is its own service's clock, a recovery's this one's: how far apart they may be.
CLOCK_SKEW = timedelta(minutes=1)


def _recovered_already(uow: UnitOfWork, subscription: Subscription, item: Incoming) -> bool:
    """Whether RecoverDeliveries sent this event already: it reads the stream itself, so an event
    this consumer reaches only after a recovery (it lagged behind) may be among those it sent.
    Asked only of events older than the subscription's last recovery, so it costs nothing in the
    steady state."""
    recovered_at = subscription.recovered_at
    if recovered_at is None or item.time > recovered_at + CLOCK_SKEW:
        return False
    return item.id in uow.deliveries.made_for(subscription.id, [item.id])


def _forget(uow: UnitOfWork, user_id: str) -> None:
    uow.subscriptions.delete_for_owner(user_id)
    uow.notifications.delete_for_user(user_id)
    uow.attendees.delete_for_user(user_id)
    uow.preferences.delete(user_id)
    uow.recipients.delete(user_id)
    uow.emails.delete_for_user(user_id)
    uow.reminders.delete_for_user(user_id)


def _project(uow: UnitOfWork, fact: Fact, item: Incoming) -> None:
    """Keep the notifier's view of who attends what."""
    if isinstance(fact, RegistrationChanged):
        uow.attendees.record(
            fact.registration_id, fact.event_id, fact.user_id, fact.status, fact.update_time or item.time
        )
    elif isinstance(fact, EventGone):
        uow.attendees.delete_for_event(fact.event_id)
