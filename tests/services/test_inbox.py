"""The in-app inbox: people are told what concerns them, live, as their preferences allow;
webhooks carry registrations and comments only to those who may read them."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_service_pb2
from evently.notifier.v1 import notification_pb2, notifier_service_pb2, subscription_pb2
from google.protobuf import field_mask_pb2

from tests.services.venue import Venue
from tests.support import eventually


async def _inbox(
    notifier: Any, person: Any, **options: Any
) -> notifier_service_pb2.ListNotificationsResponse:
    answer: notifier_service_pb2.ListNotificationsResponse = await notifier.ListNotifications(
        notifier_service_pb2.ListNotificationsRequest(page_size=50, **options), metadata=person
    )
    return answer


async def _kinds(notifier: Any, person: Any) -> list[str]:
    return sorted(n.kind for n in (await _inbox(notifier, person)).notifications)


async def _has_kinds(notifier: Any, person: Any, expected: list[str]) -> bool:
    return await _kinds(notifier, person) == sorted(expected)


async def test_registrations_tell_the_registrant_and_the_organizer(venue: Venue, notifier: Any) -> None:
    _, olga = venue.person()
    (_, ada), (_, bob) = venue.person(), venue.person()
    event = await venue.event(olga, 1, title="Meetup")
    await venue.register(event.id, ada)
    await venue.register(event.id, bob)

    await eventually(lambda: _has_kinds(notifier, ada, ["registration.confirmed"]))
    await eventually(lambda: _has_kinds(notifier, bob, ["registration.waitlisted"]))
    await eventually(lambda: _has_kinds(notifier, olga, ["registration.new", "registration.new"]))
    inbox = await _inbox(notifier, ada)
    assert inbox.unread_count == 1
    assert inbox.notifications[0].title == "You are registered for Meetup"
    assert inbox.notifications[0].event_id == event.id


async def test_a_promotion_arrives_live_on_the_watch_stream(venue: Venue, notifier: Any) -> None:
    _, olga = venue.person()
    (_, ada), (_, bob) = venue.person(), venue.person()
    event = await venue.event(olga, 1)
    await venue.register(event.id, ada)
    await venue.register(event.id, bob)
    await eventually(lambda: _has_kinds(notifier, bob, ["registration.waitlisted"]))

    stream = notifier.WatchNotifications(notifier_service_pb2.WatchNotificationsRequest(), metadata=bob)
    await stream.initial_metadata()  # the watch is live from here on
    received: list[notification_pb2.Notification] = []

    async def watch() -> None:
        async for notification in stream:
            received.append(notification)

    watching = asyncio.create_task(watch())
    try:
        await venue.unregister(event.id, ada)
        await eventually(lambda: [n.kind for n in received] == ["registration.promoted"])
    finally:
        stream.cancel()
        await asyncio.gather(watching, return_exceptions=True)


async def test_a_watch_can_begin_with_what_is_unread(venue: Venue, notifier: Any) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    event = await venue.event(olga, 5)
    await venue.register(event.id, ada)
    await eventually(lambda: _has_kinds(notifier, ada, ["registration.confirmed"]))
    stream = notifier.WatchNotifications(
        notifier_service_pb2.WatchNotificationsRequest(include_unread=True), metadata=ada
    )
    first = await asyncio.wait_for(stream.read(), timeout=30)
    stream.cancel()
    assert first.kind == "registration.confirmed"


async def test_a_cancelled_event_tells_its_attendees(venue: Venue, notifier: Any) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    event = await venue.event(olga, 5)
    await venue.register(event.id, ada)
    await venue.events.CancelEvent(
        event_service_pb2.CancelEventRequest(id=event.id, reason="Rain"), metadata=olga
    )
    await eventually(lambda: _has_kinds(notifier, ada, ["registration.confirmed", "event.cancelled"]))
    cancelled = [n for n in (await _inbox(notifier, ada)).notifications if n.kind == "event.cancelled"]
    assert cancelled[0].body == "Rain"


async def test_muted_kinds_stay_out_of_the_inbox_and_read_ones_stop_counting(
    venue: Venue, notifier: Any
) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    prefs = await notifier.UpdatePreferences(
        notifier_service_pb2.UpdatePreferencesRequest(
            preferences=notification_pb2.Preferences(muted_kinds=["registration.new"]),
            update_mask=field_mask_pb2.FieldMask(paths=["muted_kinds"]),
        ),
        metadata=olga,
    )
    assert (prefs.email, prefs.in_app, list(prefs.muted_kinds)) == (True, True, ["registration.new"])
    event = await venue.event(olga, 5)
    await venue.register(event.id, ada)
    await venue.events.AddComment(
        event_service_pb2.AddCommentRequest(event_id=event.id, text="Hi"), metadata=ada
    )
    await eventually(lambda: _has_kinds(notifier, olga, ["comment.added"]))  # no registration.new

    marked = await notifier.MarkNotificationsRead(
        notifier_service_pb2.MarkNotificationsReadRequest(), metadata=olga
    )
    assert marked.marked_count == 1
    assert (await _inbox(notifier, olga)).unread_count == 0
    assert (await _inbox(notifier, olga, unread_only=True)).notifications == []


async def test_unknown_kinds_are_refused_in_preferences(venue: Venue, notifier: Any) -> None:
    _, ada = venue.person()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await notifier.UpdatePreferences(
            notifier_service_pb2.UpdatePreferencesRequest(
                preferences=notification_pb2.Preferences(muted_kinds=["spam"]),
                update_mask=field_mask_pb2.FieldMask(paths=["muted_kinds"]),
            ),
            metadata=ada,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_registration_webhooks_go_to_the_organizer_not_to_strangers(
    venue: Venue, notifier: Any
) -> None:
    _, olga = venue.person()
    _, ada = venue.person()
    _, eve = venue.person()

    async def subscribe(person: Any) -> str:
        created = await notifier.CreateSubscription(
            notifier_service_pb2.CreateSubscriptionRequest(
                subscription=subscription_pb2.Subscription(url="http://127.0.0.1:9/hook", event_types=["*"])
            ),
            metadata=person,
        )
        return str(created.id)

    olgas, eves = await subscribe(olga), await subscribe(eve)
    event = await venue.event(olga, 5)
    await venue.register(event.id, ada)

    async def types(person: Any, subscription_id: str) -> list[str]:
        log = await notifier.ListDeliveries(
            notifier_service_pb2.ListDeliveriesRequest(subscription_id=subscription_id), metadata=person
        )
        return sorted(d.event_type for d in log.deliveries)

    both = ["evently.event.created", "evently.registration.created"]
    await eventually(lambda: _equals(types(olga, olgas), both))
    await eventually(lambda: _equals(types(eve, eves), ["evently.event.created"]))  # public only
    assert await types(eve, eves) == ["evently.event.created"]


async def _equals(actual: Any, expected: Any) -> bool:
    return bool(await actual == expected)
