"""Registrations as the events service's use cases decide them: seats, the waitlist, promotion.

Run through the service's own message bus (`bootstrap.message_bus`, the door the gRPC servicer
uses) with in-memory storage instead of a database: fast, and no network.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from evently_events.bootstrap import message_bus
from evently_events.domain.model import (
    Changes,
    Event,
    EventCancelled,
    EventDraft,
    EventState,
    EventUpdated,
)
from evently_events.domain.registrations import (
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
)
from evently_events.service_layer.commands import (
    CancelEvent,
    CancelRegistration,
    CreateEvent,
    ForgetUser,
    GetEvent,
    Register,
    UpdateEvent,
)
from evently_platform.bus import MessageBus
from evently_platform.errors import FailedPrecondition, NotFound, PermissionDenied

from tests.fakes.events_store import EventsStore

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


@pytest.fixture
def store() -> EventsStore:
    return EventsStore()


class TickingClock:
    """Time that moves on a second each time it is read, so that who came first is clear."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock(NOW)


@pytest.fixture
def bus(store: EventsStore, clock: TickingClock) -> MessageBus:
    return message_bus(uows=store.units_of_work(), clock=clock)


def _draft(capacity: int, title: str = "Python meetup") -> EventDraft:
    start = NOW + timedelta(days=7)
    return EventDraft(
        title=title,
        description="Talks and pizza",
        location="Lyon",
        start_time=start,
        end_time=start + timedelta(hours=2),
        capacity=capacity,
        time_zone="Europe/Paris",
    )


async def _event(bus: MessageBus, capacity: int, organizer: str = "olga") -> Event:
    return await bus.handle(CreateEvent(organizer_id=organizer, draft=_draft(capacity)))


async def _statuses(bus: MessageBus, event_id: str, *people: str) -> dict[str, RegistrationStatus]:
    return {
        p: (await bus.handle(Register(caller_id=p, event_id=event_id))).registration.status for p in people
    }


async def test_seats_go_first_come_first_served_and_the_rest_wait_in_line(bus: MessageBus) -> None:
    event = await _event(bus, capacity=2)

    views = [await bus.handle(Register(caller_id=p, event_id=event.id)) for p in ("ann", "bob", "cid", "dee")]

    assert [(v.registration.user_id, v.registration.status, v.waitlist_position) for v in views] == [
        ("ann", RegistrationStatus.CONFIRMED, 0),
        ("bob", RegistrationStatus.CONFIRMED, 0),
        ("cid", RegistrationStatus.WAITLISTED, 1),
        ("dee", RegistrationStatus.WAITLISTED, 2),
    ]
    shown = await bus.handle(GetEvent(event_id=event.id))
    assert (shown.confirmed, shown.waitlisted) == (2, 2)


async def test_a_freed_seat_goes_to_the_first_in_line(bus: MessageBus, store: EventsStore) -> None:
    event = await _event(bus, capacity=1)
    await _statuses(bus, event.id, "ann", "bob", "cid")

    await bus.handle(CancelRegistration(caller_id="ann", event_id=event.id))

    [promoted] = store.published_of(RegistrationPromoted)
    assert promoted.registration.user_id == "bob"
    bob = await bus.handle(Register(caller_id="bob", event_id=event.id))  # registering again: as it stands
    cid = await bus.handle(Register(caller_id="cid", event_id=event.id))
    assert (bob.registration.status, cid.registration.status, cid.waitlist_position) == (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        1,
    )


async def test_registering_twice_keeps_the_first_registration(bus: MessageBus, store: EventsStore) -> None:
    event = await _event(bus, capacity=5)

    first = await bus.handle(Register(caller_id="ann", event_id=event.id))
    again = await bus.handle(Register(caller_id="ann", event_id=event.id))

    assert again.registration.id == first.registration.id
    assert len(store.published_of(RegistrationCreated)) == 1


async def test_someone_who_cancelled_may_register_again_at_the_back_of_the_line(bus: MessageBus) -> None:
    event = await _event(bus, capacity=1)
    await _statuses(bus, event.id, "ann", "bob")
    await bus.handle(CancelRegistration(caller_id="bob", event_id=event.id))
    await _statuses(bus, event.id, "cid")

    back = await bus.handle(Register(caller_id="bob", event_id=event.id))

    assert (back.registration.status, back.waitlist_position) == (RegistrationStatus.WAITLISTED, 2)


async def test_more_seats_move_the_waitlist_up_in_order(bus: MessageBus, store: EventsStore) -> None:
    event = await _event(bus, capacity=1)
    await _statuses(bus, event.id, "ann", "bob", "cid", "dee")

    updated = await bus.handle(
        UpdateEvent(caller_id="olga", event_id=event.id, changes=Changes(("capacity",), _draft(capacity=3)))
    )

    assert (updated.event.capacity, updated.confirmed, updated.waitlisted) == (3, 3, 1)
    promoted = store.published_of(RegistrationPromoted)
    assert [p.registration.user_id for p in promoted] == ["bob", "cid"]
    assert len(store.published_of(EventUpdated)) == 1


async def test_a_refused_use_case_changes_nothing(bus: MessageBus, store: EventsStore) -> None:
    event = await _event(bus, capacity=10)
    commits, published = store.commits, list(store.published)

    with pytest.raises(PermissionDenied, match="only the organizer"):
        await bus.handle(
            UpdateEvent(
                caller_id="mallory", event_id=event.id, changes=Changes(("title",), _draft(10, "Mine"))
            )
        )
    with pytest.raises(NotFound):
        await bus.handle(CancelRegistration(caller_id="mallory", event_id=event.id))

    assert (store.commits, store.published) == (commits, published)
    assert (await bus.handle(GetEvent(event_id=event.id))).event.title == "Python meetup"


async def test_a_cancelled_event_takes_no_registrations(bus: MessageBus) -> None:
    event = await _event(bus, capacity=10)
    await bus.handle(CancelEvent(caller_id="olga", event_id=event.id, reason="venue flooded"))

    with pytest.raises(FailedPrecondition):
        await bus.handle(Register(caller_id="ann", event_id=event.id))


async def test_a_deleted_account_frees_its_seats_and_cancels_its_events_once(
    bus: MessageBus, store: EventsStore
) -> None:
    theirs = await _event(bus, capacity=10, organizer="ann")
    other = await _event(bus, capacity=1, organizer="olga")
    await _statuses(bus, theirs.id, "bob")
    await _statuses(bus, other.id, "ann", "cid")
    gone = ForgetUser(message_id="m1", user_id="ann", consumer="events")

    assert await bus.handle(gone) == 1
    assert await bus.handle(gone) == 0  # redelivered: nothing more happens

    assert (await bus.handle(GetEvent(event_id=theirs.id))).event.state is EventState.CANCELLED
    assert len(store.published_of(EventCancelled)) == 1
    assert len(store.published_of(RegistrationCancelled)) == 1
    [promoted] = store.published_of(RegistrationPromoted)
    assert promoted.registration.user_id == "cid"
