"""Reminders: made on registration, moved with the event, dropped with it, and fired exactly
once even with two notifier instances polling the same database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_pb2, event_service_pb2
from evently.notifier.v1 import notifier_service_pb2, notifier_service_pb2_grpc, reminder_pb2
from evently_notifier.bootstrap import build as build_notifier
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from google.protobuf import field_mask_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually, stream_messages


async def build_notifier_service(settings: Settings) -> ServiceHost:
    return await build_notifier(settings, reminder_poll_seconds=0.05)


@pytest.fixture
async def reminders(venue: Venue, services: Services) -> Any:
    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build_notifier_service))


def _ts(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


async def _mine(notifier: Any, person: Any) -> list[reminder_pb2.Reminder]:
    answer = await notifier.ListReminders(notifier_service_pb2.ListRemindersRequest(), metadata=person)
    return list(answer.reminders)


async def _count(notifier: Any, person: Any, expected: int) -> bool:
    return len(await _mine(notifier, person)) == expected


async def test_a_confirmed_seat_gets_default_reminders_that_move_with_the_event(
    venue: Venue, reminders: Any
) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    event = await venue.event(olga, 5, days_ahead=3)
    await venue.register(event.id, ada)
    await eventually(lambda: _count(reminders, ada, 2))
    start = event.start_time.ToDatetime(tzinfo=UTC)
    before = sorted(r.before_start.ToTimedelta() for r in await _mine(reminders, ada))
    assert before == [timedelta(hours=1), timedelta(hours=24)]
    assert {r.remind_time.ToDatetime(tzinfo=UTC) for r in await _mine(reminders, ada)} == {
        start - timedelta(hours=24),
        start - timedelta(hours=1),
    }

    later = start + timedelta(days=1)
    await venue.events.UpdateEvent(
        event_service_pb2.UpdateEventRequest(
            event=event_pb2.Event(
                id=event.id, start_time=_ts(later), end_time=_ts(later + timedelta(hours=3))
            ),
            update_mask=field_mask_pb2.FieldMask(paths=["start_time", "end_time"]),
        ),
        metadata=olga,
    )

    async def moved() -> bool:
        times = {r.remind_time.ToDatetime(tzinfo=UTC) for r in await _mine(reminders, ada)}
        return times == {later - timedelta(hours=24), later - timedelta(hours=1)}

    await eventually(moved)


async def test_reminders_go_with_a_cancelled_event_or_registration(venue: Venue, reminders: Any) -> None:
    _, olga = venue.person()
    (_, ada), (_, bob) = venue.person(), venue.person()
    event = await venue.event(olga, 5, days_ahead=3)
    await venue.register(event.id, ada)
    await venue.register(event.id, bob)
    await eventually(lambda: _count(reminders, ada, 2))
    await eventually(lambda: _count(reminders, bob, 2))
    await venue.unregister(event.id, bob)
    await eventually(lambda: _count(reminders, bob, 0))
    await venue.events.CancelEvent(event_service_pb2.CancelEventRequest(id=event.id), metadata=olga)
    await eventually(lambda: _count(reminders, ada, 0))


async def test_a_reminder_fires_once_with_two_notifier_instances(
    venue: Venue, reminders: Any, services: Services, js_client: NATS
) -> None:
    other = notifier_service_pb2_grpc.NotifierServiceStub(
        await services.start(build_notifier_service, another="notifier")
    )
    _, olga = venue.person()
    ada_id, ada = venue.person()
    event = await venue.event(olga, 5, days_ahead=1 / 24 / 60 / 6)  # starts in 10 s: no defaults fit
    await venue.register(event.id, ada)
    await eventually(lambda: _attending(reminders, ada, event.id))
    soon = datetime.now(UTC) + timedelta(seconds=1)
    created = await other.CreateReminder(
        notifier_service_pb2.CreateReminderRequest(event_id=event.id, remind_time=_ts(soon)), metadata=ada
    )
    assert created.state == reminder_pb2.Reminder.SCHEDULED

    async def fired() -> bool:
        return [r.state for r in await _mine(reminders, ada)] == [reminder_pb2.Reminder.FIRED]

    await eventually(fired)

    async def reminded() -> bool:
        inbox = await reminders.ListNotifications(
            notifier_service_pb2.ListNotificationsRequest(), metadata=ada
        )
        return any(n.kind == "reminder.due" for n in inbox.notifications)

    await eventually(reminded)
    inbox = await reminders.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=ada)
    assert [n.kind for n in inbox.notifications].count("reminder.due") == 1
    [told] = [n for n in inbox.notifications if n.kind == "reminder.due"]
    assert told.create_time.ToDatetime(tzinfo=UTC) >= soon  # not early
    due = [m.envelope.data for m in await stream_messages(js_client, "evently.reminder.due")]
    assert [(data["reminderId"], data["userId"]) for data in due] == [(created.id, ada_id)]


async def _attending(notifier: Any, person: Any, event_id: str) -> bool:
    """The notifier has seen the registration (its welcome is in the inbox)."""
    inbox = await notifier.ListNotifications(notifier_service_pb2.ListNotificationsRequest(), metadata=person)
    return any(n.event_id == event_id for n in inbox.notifications)


async def test_reminders_are_the_owners_and_must_fall_before_the_start(venue: Venue, reminders: Any) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    _, eve = venue.person()
    event = await venue.event(olga, 5, days_ahead=3)
    await venue.register(event.id, ada)
    await eventually(lambda: _count(reminders, ada, 2))

    too_late = event.start_time.ToDatetime(tzinfo=UTC) + timedelta(minutes=5)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await reminders.CreateReminder(
            notifier_service_pb2.CreateReminderRequest(event_id=event.id, remind_time=_ts(too_late)),
            metadata=ada,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as stranger:
        await reminders.CreateReminder(
            notifier_service_pb2.CreateReminderRequest(
                event_id=event.id, remind_time=_ts(datetime.now(UTC) + timedelta(hours=1))
            ),
            metadata=eve,
        )
    assert stranger.value.code() == grpc.StatusCode.NOT_FOUND

    first = (await _mine(reminders, ada))[0]
    with pytest.raises(grpc.aio.AioRpcError) as not_yours:
        await reminders.DeleteReminder(notifier_service_pb2.DeleteReminderRequest(id=first.id), metadata=eve)
    assert not_yours.value.code() == grpc.StatusCode.NOT_FOUND
    await reminders.DeleteReminder(notifier_service_pb2.DeleteReminderRequest(id=first.id), metadata=ada)
    assert len(await _mine(reminders, ada)) == 1
