"""What a consumed batch costs the database, in statements: a fixed few per batch, and per
registration only its own rows (its attendee record, its reminders checked and written) — never
a read repeated for every message of the batch (as the known event's once was)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently.events.v1 import registration_pb2
from evently_notifier.adapters.facts import incoming
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.adapters.url_guard import UrlGuard
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.service_layer import webhooks
from evently_notifier.service_layer.commands import CreateSubscription
from evently_notifier.service_layer.consuming import ConsumeBatch, Consuming, Incoming
from evently_platform.clock import SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.messaging.consumer import Received
from evently_platform.messaging.contracts import envelope_of
from sqlalchemy import Engine, event

START = datetime(2031, 5, 1, 18, 0, tzinfo=UTC)
PER_REGISTRATION = 3  # the attendee record, the reminders read, the default reminders written


def _registered(n: int) -> Incoming:
    payload = registration_pb2.RegistrationChanged(organizer_id="org", event_title="Meetup")
    payload.event.id, payload.event.organizer_id, payload.event.title = "E1", "org", "Meetup"
    payload.event.start_time.FromDatetime(START)
    payload.event.end_time.FromDatetime(START + timedelta(hours=2))
    registration = payload.registration
    registration.id, registration.event_id, registration.user_id = f"R{n}", "E1", f"user{n}"
    registration.status = registration_pb2.Registration.Status.CONFIRMED
    registration.create_time.GetCurrentTime()
    registration.update_time.GetCurrentTime()
    envelope = envelope_of("evently.registration.created", payload, source="test", subject=f"R{n}")
    return incoming(Received(envelope, payload, envelope.encode(), {}))


def _statements(engine: Engine, consuming: Consuming, batch: list[Incoming]) -> int:
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        consuming.handle(ConsumeBatch(batch))
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return count


def test_a_batch_costs_a_few_statements_and_each_registration_only_its_own(engine: Engine) -> None:
    upgrade(engine, "notifier", MIGRATIONS)
    uows = NotifierUnitOfWork.factory(engine)
    clock = SystemClock()
    webhooks.create_subscription(
        CreateSubscription(
            owner_id="org",
            url="http://127.0.0.1:9/hook",
            event_types=["evently.registration.created"],
            description="",
        ),
        uow=uows(),
        guard=UrlGuard(allow_private=True),
        clock=clock,
    )
    consuming = Consuming(consumer="test", uows=uows, clock=clock)
    _statements(engine, consuming, [_registered(0)])  # the event becomes known

    # Batches of 8 and 32: the inbox records a batch in power-of-two chunks, one statement each.
    eight = _statements(engine, consuming, [_registered(n) for n in range(1, 9)])
    thirty_two = _statements(engine, consuming, [_registered(n) for n in range(9, 41)])

    assert thirty_two - eight == 24 * PER_REGISTRATION
    assert eight - 8 * PER_REGISTRATION <= 10  # the batch's own: transaction, inbox, fan-out
