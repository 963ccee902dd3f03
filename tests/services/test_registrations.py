"""Registrations through gRPC on real databases: seats, the waitlist, promotion, and no
overbooking under concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_service_pb2, registration_pb2
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.jetstream import STREAM, JetStreamPublisher
from nats.aio.client import Client as NATS

from tests.services.venue import Venue
from tests.support import eventually

CONFIRMED = registration_pb2.Registration.CONFIRMED
WAITLISTED = registration_pb2.Registration.WAITLISTED
CANCELLED = registration_pb2.Registration.CANCELLED


async def _code(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value.code()


async def test_a_hundred_people_at_once_for_ten_seats_never_overbook(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=10)
    people = [venue.person()[1] for _ in range(100)]

    answers = await asyncio.gather(*(venue.register(event.id, person) for person in people))

    assert sum(a.status == CONFIRMED for a in answers) == 10
    assert sum(a.status == WAITLISTED for a in answers) == 90
    assert sorted(a.waitlist_position for a in answers if a.status == WAITLISTED) == list(range(1, 91))
    listed = await venue.registrations(event.id, organizer)
    assert len(listed) == 100 and sum(r.status == CONFIRMED for r in listed) == 10


async def test_registering_twice_returns_the_first_registration(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=1)
    _, ada = venue.person()
    first = await venue.register(event.id, ada)
    assert (await venue.register(event.id, ada)).id == first.id
    assert len(await venue.registrations(event.id, organizer)) == 1


async def test_a_freed_seat_goes_to_the_first_in_line(venue: Venue, js_client: NATS) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=1)
    (_, ada), (bob_id, bob), (_, cy) = venue.person(), venue.person(), venue.person()
    assert (await venue.register(event.id, ada)).status == CONFIRMED
    bob_place = await venue.register(event.id, bob)
    cy_place = await venue.register(event.id, cy)
    assert [(p.status, p.waitlist_position) for p in (bob_place, cy_place)] == [
        (WAITLISTED, 1),
        (WAITLISTED, 2),
    ]

    assert (await venue.unregister(event.id, ada)).status == CANCELLED

    statuses = {
        r.user_id: (r.status, r.waitlist_position) for r in await venue.registrations(event.id, organizer)
    }
    assert statuses[bob_id] == (CONFIRMED, 0)
    assert sorted(statuses.values()) == sorted([(CONFIRMED, 0), (WAITLISTED, 1), (CANCELLED, 0)])

    async def promoted() -> Any:
        try:
            message = await js_client.jetstream().get_last_msg(STREAM, "evently.registration.promoted")
        except Exception:
            return None
        return json.loads(message.data or b"null")

    data = (await eventually(promoted))["data"]
    assert (data["registration"]["userId"], data["organizerId"]) == (bob_id, event.organizer_id)


async def test_unlimited_capacity_never_waitlists(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=0)
    answers = await asyncio.gather(*(venue.register(event.id, venue.person()[1]) for _ in range(5)))
    assert {a.status for a in answers} == {CONFIRMED}


async def test_a_cancelled_event_takes_no_registrations(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=5)
    await venue.events.CancelEvent(event_service_pb2.CancelEventRequest(id=event.id), metadata=organizer)
    assert await _code(venue.register(event.id, venue.person()[1])) == grpc.StatusCode.FAILED_PRECONDITION


async def test_cancelling_without_a_registration_finds_nothing(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=5)
    assert await _code(venue.unregister(event.id, venue.person()[1])) == grpc.StatusCode.NOT_FOUND


async def test_only_the_organizer_lists_an_events_registrations_and_anyone_their_own(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=5)
    ada_id, ada = venue.person()
    await venue.register(event.id, ada)
    assert await _code(venue.registrations(event.id, ada)) == grpc.StatusCode.PERMISSION_DENIED
    mine = await venue.registrations("-", ada)
    assert [(r.event_id, r.user_id) for r in mine] == [(event.id, ada_id)]


async def test_a_deleted_account_gives_its_seat_to_the_first_in_line(venue: Venue, js_client: NATS) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=1)
    (ada_id, ada), (bob_id, bob) = venue.person(), venue.person()
    await venue.register(event.id, ada)
    await venue.register(event.id, bob)

    # What the users service publishes when Ada deletes her account.
    deleted = Envelope(
        type="evently.user.deleted", source="//evently/users", subject=ada_id, data={"userId": ada_id}
    )
    await JetStreamPublisher(js_client.jetstream()).publish(
        deleted.type, deleted.encode(), msg_id=deleted.id, headers={}
    )

    async def statuses() -> dict[str, int]:
        return {r.user_id: r.status for r in await venue.registrations(event.id, organizer)}

    await eventually(lambda: _equals(statuses(), {ada_id: CANCELLED, bob_id: CONFIRMED}))


async def _equals(actual: Any, expected: Any) -> bool:
    return bool(await actual == expected)


async def test_the_event_shows_each_seat_taken_or_freed_at_once(venue: Venue) -> None:
    """GetEvent keeps its answers a moment; a registration or a cancellation is seen at once."""
    _, organizer = venue.person()
    event = await venue.event(organizer, capacity=2)
    (_, ada), (_, bob), (_, cy) = venue.person(), venue.person(), venue.person()

    async def seats() -> tuple[int, int]:
        shown = await venue.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
        return shown.confirmed_count, shown.waitlist_count

    assert await seats() == (0, 0)
    assert await seats() == (0, 0)  # the second answer is the kept one
    for person in (ada, bob, cy):
        await venue.register(event.id, person)
    assert await seats() == (2, 1)
    await venue.unregister(event.id, ada)
    assert await seats() == (2, 0)  # cy took the freed seat
