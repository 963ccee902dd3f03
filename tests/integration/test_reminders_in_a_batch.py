"""Reminders follow their event within one consumed batch too: an event moved between two
registrations moves the first one's reminders and sets the second one's by the new start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently.events.v1 import event_pb2, registration_pb2
from evently_notifier.adapters.facts import incoming
from evently_notifier.adapters.repository import NotifierUnitOfWork
from evently_notifier.bootstrap import MIGRATIONS
from evently_notifier.service_layer.consuming import ConsumeBatch, Consuming, Incoming
from evently_platform.clock import SystemClock
from evently_platform.db.migrations import upgrade
from evently_platform.messaging.consumer import Received
from evently_platform.messaging.contracts import envelope_of
from google.protobuf.message import Message
from sqlalchemy import Engine

FIRST_START = datetime(2031, 5, 1, 18, 0, tzinfo=UTC)
MOVED_START = FIRST_START + timedelta(days=2)


def _event(start: datetime) -> event_pb2.Event:
    event = event_pb2.Event(id="E1", organizer_id="org", title="Meetup")
    event.start_time.FromDatetime(start)
    event.end_time.FromDatetime(start + timedelta(hours=2))
    return event


def _incoming(event_type: str, payload: Message, subject: str) -> Incoming:
    envelope = envelope_of(event_type, payload, source="test", subject=subject)
    return incoming(Received(envelope, payload, envelope.encode(), {}))


def _registered(registration_id: str, user_id: str, start: datetime) -> Incoming:
    payload = registration_pb2.RegistrationChanged(event=_event(start))
    registration = payload.registration
    registration.id, registration.event_id, registration.user_id = registration_id, "E1", user_id
    registration.status = registration_pb2.Registration.Status.CONFIRMED
    registration.create_time.GetCurrentTime()
    registration.update_time.GetCurrentTime()
    return _incoming("evently.registration.created", payload, registration_id)


def _moved() -> Incoming:
    payload = event_pb2.EventUpdated(event=_event(MOVED_START), changed_fields=["start_time", "end_time"])
    payload.previous_start_time.FromDatetime(FIRST_START)
    payload.previous_end_time.FromDatetime(FIRST_START + timedelta(hours=2))
    return _incoming("evently.event.updated", payload, "E1")


def test_an_event_moved_mid_batch_moves_the_reminders_made_before_it(engine: Engine) -> None:
    upgrade(engine, "notifier", MIGRATIONS)
    uows = NotifierUnitOfWork.factory(engine)
    consuming = Consuming(consumer="test", uows=uows, clock=SystemClock())

    consuming.handle(
        ConsumeBatch(
            [
                _registered("R1", "ann", FIRST_START),
                _moved(),
                _registered("R2", "bob", MOVED_START),
            ]
        )
    )

    with uows() as uow:
        for user in ("ann", "bob"):
            times = sorted(r.remind_time for r in uow.reminders.for_user_and_event(user, "E1"))
            assert times == [MOVED_START - timedelta(hours=24), MOVED_START - timedelta(hours=1)], user
