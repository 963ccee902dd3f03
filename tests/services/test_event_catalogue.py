"""Changing, finding, exporting and discussing events, through gRPC on real databases, with
every emitted event checked on the real stream."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import icalendar
import pytest
from evently.events.v1 import event_pb2, event_service_pb2
from evently_events.adapters.repository import EventsUnitOfWork
from evently_events.domain.model import Event, EventState
from evently_platform.messaging.jetstream import STREAM
from google.protobuf import field_mask_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.services.venue import Venue
from tests.support import eventually, stream_messages


async def _code(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value.code()


async def _last(js_client: NATS, subject: str) -> dict[str, Any]:
    async def found() -> Any:
        try:
            message = await js_client.jetstream().get_last_msg(STREAM, subject)
        except Exception:
            return None
        return json.loads(message.data or b"null")

    result: dict[str, Any] = await eventually(found)
    return result


def _ts(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


async def _update(venue: Venue, organizer: Any, event: event_pb2.Event, *paths: str) -> event_pb2.Event:
    updated: event_pb2.Event = await venue.events.UpdateEvent(
        event_service_pb2.UpdateEventRequest(
            event=event, update_mask=field_mask_pb2.FieldMask(paths=list(paths))
        ),
        metadata=organizer,
    )
    return updated


async def test_moving_an_event_tells_what_changed_and_where_it_was(venue: Venue, js_client: NATS) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, 10)
    later = event.start_time.ToDatetime(tzinfo=UTC) + timedelta(days=1)
    change = event_pb2.Event(id=event.id, start_time=_ts(later), end_time=_ts(later + timedelta(hours=2)))
    updated = await _update(venue, organizer, change, "start_time", "end_time")
    assert (updated.title, updated.revision) == ("Workshop", 1)

    data = (await _last(js_client, "evently.event.updated"))["data"]
    assert data["changedFields"] == ["start_time", "end_time"]
    assert data["previousStartTime"] == event.start_time.ToJsonString()
    assert data["event"]["startTime"] == updated.start_time.ToJsonString()


async def test_raising_capacity_seats_the_waitlist_and_lowering_it_below_the_seats_taken_is_refused(
    venue: Venue, js_client: NATS
) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, 1)
    people = [venue.person() for _ in range(3)]
    for _, person in people:
        await venue.register(event.id, person)

    grown = await _update(venue, organizer, event_pb2.Event(id=event.id, capacity=2), "capacity")
    assert (grown.confirmed_count, grown.waitlist_count) == (2, 1)
    promoted = (await _last(js_client, "evently.registration.promoted"))["data"]["registration"]
    assert promoted["userId"] == people[1][0]  # the first in line

    shrink = _update(venue, organizer, event_pb2.Event(id=event.id, capacity=1), "capacity")
    assert await _code(shrink) == grpc.StatusCode.FAILED_PRECONDITION


async def test_only_the_organizer_changes_an_event_and_only_known_fields(venue: Venue) -> None:
    _, organizer = venue.person()
    _, stranger = venue.person()
    event = await venue.event(organizer)
    assert await _code(_update(venue, stranger, event_pb2.Event(id=event.id, title="Mine"), "title")) == (
        grpc.StatusCode.PERMISSION_DENIED
    )
    assert await _code(_update(venue, organizer, event_pb2.Event(id=event.id), "organizer_id")) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )


async def _titles(venue: Venue, metadata: Any = None, **filters: Any) -> list[str]:
    titles: list[str] = []
    token = ""
    while True:
        page = await venue.events.ListEvents(
            event_service_pb2.ListEventsRequest(page_size=2, page_token=token, **filters), metadata=metadata
        )
        titles.extend(e.title for e in page.events)
        token = page.next_page_token
        if not token:
            return titles


def _past_event(services: Services, organizer_id: str, title: str, days_ago: int) -> None:
    """Events cannot be created in the past through the API; history is written directly."""
    from evently_platform.db.engine import make_engine

    engine = make_engine(services.settings.db_urls["events"], instrument=False)
    start = datetime.now(UTC) - timedelta(days=days_ago)
    try:
        uow = EventsUnitOfWork(engine)
        with uow:
            uow.events.add(
                Event(
                    id=f"past{days_ago}",
                    organizer_id=organizer_id,
                    title=title,
                    description="",
                    location="Earlier",
                    start_time=start,
                    end_time=start + timedelta(hours=1),
                    capacity=0,
                    state=EventState.SCHEDULED,
                    create_time=start - timedelta(days=30),
                    update_time=start - timedelta(days=30),
                )
            )
            uow.commit()
    finally:
        engine.dispose()


async def test_listing_filters_pages_and_orders_events(venue: Venue, services: Services) -> None:
    ada_id, ada = venue.person()
    _, bob = venue.person()
    await venue.event(ada, title="Python night", days_ahead=3, description="Snakes and ladders")
    await venue.event(ada, title="Rust evening", days_ahead=1)
    await venue.event(bob, title="Board games", days_ahead=2, description="Bring PYTHON too")
    called_off = await venue.event(bob, title="Picnic", days_ahead=4)
    await venue.events.CancelEvent(event_service_pb2.CancelEventRequest(id=called_off.id), metadata=bob)
    _past_event(services, ada_id, "Old times", days_ago=2)
    _past_event(services, ada_id, "Older times", days_ago=9)

    assert await _titles(venue) == ["Rust evening", "Board games", "Python night"]
    assert await _titles(venue, include_cancelled=True) == [
        "Rust evening",
        "Board games",
        "Python night",
        "Picnic",
    ]
    assert await _titles(venue, timing=event_service_pb2.ListEventsRequest.PAST) == [
        "Old times",
        "Older times",
    ]
    assert await _titles(venue, query="python") == ["Board games", "Python night"]
    assert await _titles(venue, query="python snakes") == ["Python night"]
    assert await _titles(venue, ada, organizer_id="me") == ["Rust evening", "Python night"]
    in_two_days = _ts(datetime.now(UTC) + timedelta(days=2, hours=-1))
    assert await _titles(venue, start_after=in_two_days) == ["Board games", "Python night"]
    assert await _titles(venue, start_before=in_two_days) == ["Rust evening"]
    assert await _code(venue.events.ListEvents(event_service_pb2.ListEventsRequest(page_token="forged"))) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    # A next page of python events is not a page of Rust ones: the token says what it continues.
    first = await venue.events.ListEvents(event_service_pb2.ListEventsRequest(query="python", page_size=1))
    assert first.next_page_token
    reused = event_service_pb2.ListEventsRequest(query="rust", page_size=1, page_token=first.next_page_token)
    assert await _code(venue.events.ListEvents(reused)) == grpc.StatusCode.INVALID_ARGUMENT


async def _calendar(venue: Venue, event_id: str) -> Any:
    body = await venue.events.GetEventCalendar(event_service_pb2.GetEventCalendarRequest(id=event_id))
    assert body.content_type.startswith("text/calendar")
    [entry] = icalendar.Calendar.from_ical(body.data).walk("VEVENT")
    return entry


async def test_the_calendar_file_keeps_its_uid_and_counts_changes(venue: Venue) -> None:
    _, organizer = venue.person()
    event = await venue.event(organizer, title="Meetup", time_zone="Europe/Berlin")
    first = await _calendar(venue, event.id)
    assert (str(first["SUMMARY"]), int(first["SEQUENCE"]), str(first["STATUS"])) == ("Meetup", 0, "CONFIRMED")
    # iCalendar has whole seconds; the instant is the event's, shown in its time zone
    assert first.decoded("DTSTART") == event.start_time.ToDatetime(tzinfo=UTC).replace(microsecond=0)
    assert str(first["DTSTART"].params["TZID"]) == "Europe/Berlin"

    await _update(venue, organizer, event_pb2.Event(id=event.id, title="Meetup (new room)"), "title")
    await venue.events.CancelEvent(
        event_service_pb2.CancelEventRequest(id=event.id, reason="ill"), metadata=organizer
    )
    last = await _calendar(venue, event.id)
    assert str(last["UID"]) == str(first["UID"])
    assert (str(last["SUMMARY"]), int(last["SEQUENCE"]), str(last["STATUS"])) == (
        "Meetup (new room)",
        2,
        "CANCELLED",
    )


async def test_the_organizer_and_registered_people_comment(venue: Venue, js_client: NATS) -> None:
    _, organizer = venue.person()
    ada_id, ada = venue.person()
    _, stranger = venue.person()
    event = await venue.event(organizer, 5)
    await venue.register(event.id, ada)

    def add(person: Any, text: str) -> Any:
        return venue.events.AddComment(
            event_service_pb2.AddCommentRequest(event_id=event.id, text=text), metadata=person
        )

    for n in range(3):
        await add(ada, f"question {n}")
    await add(organizer, "answers soon")
    assert await _code(add(stranger, "hello?")) == grpc.StatusCode.PERMISSION_DENIED
    assert await _code(add(ada, " ")) == grpc.StatusCode.INVALID_ARGUMENT

    texts: list[str] = []
    token = ""
    while True:
        page = await venue.events.ListComments(
            event_service_pb2.ListCommentsRequest(event_id=event.id, page_size=3, page_token=token)
        )
        texts.extend(c.text for c in page.comments)
        token = page.next_page_token
        if not token:
            break
    assert texts == ["question 0", "question 1", "question 2", "answers soon"]
    data = await eventually(lambda: _published_comment(js_client, "answers soon"))
    assert (data["comment"]["authorId"], data["organizerId"]) == (event.organizer_id, event.organizer_id)
    first = await eventually(lambda: _published_comment(js_client, "question 0"))
    assert first["comment"]["authorId"] == ada_id


async def _published_comment(js_client: NATS, text: str) -> dict[str, Any] | None:
    comments = [m.envelope.data for m in await stream_messages(js_client, "evently.comment.added")]
    return next((data for data in comments if data["comment"]["text"] == text), None)


async def test_every_change_reaches_the_stream_under_its_own_id(venue: Venue, js_client: NATS) -> None:
    _, organizer = venue.person()
    _, ada = venue.person()
    event = await venue.event(organizer, 5)
    await venue.register(event.id, ada)
    await venue.unregister(event.id, ada)
    await _update(venue, organizer, event_pb2.Event(id=event.id, title="Renamed"), "title")
    await venue.events.AddComment(
        event_service_pb2.AddCommentRequest(event_id=event.id, text="hi"), metadata=organizer
    )
    await venue.events.CancelEvent(event_service_pb2.CancelEventRequest(id=event.id), metadata=organizer)
    await venue.events.DeleteEvent(event_service_pb2.DeleteEventRequest(id=event.id), metadata=organizer)
    expected = [
        "evently.event.created",
        "evently.registration.created",
        "evently.registration.cancelled",
        "evently.event.updated",
        "evently.comment.added",
        "evently.event.cancelled",
        "evently.event.deleted",
    ]

    async def published() -> list[tuple[str, str, str]] | None:
        found = [(m.subject, m.envelope.id, m.msg_id) for m in await stream_messages(js_client)]
        return found if len(found) == len(expected) else None

    messages = await eventually(published)
    assert [subject for subject, _, _ in messages] == expected  # the outbox keeps commit order
    for subject, body_id, msg_id in messages:
        assert body_id == msg_id, subject
    assert len({body_id for _, body_id, _ in messages}) == len(expected)


async def test_a_timestamp_no_date_can_hold_is_the_callers_mistake_named(venue: Venue) -> None:
    _, organizer = venue.person()
    start = _ts(datetime.now(UTC) + timedelta(days=3))
    far = Timestamp(seconds=10**15)  # beyond 9999-12-31
    bad_nanos = Timestamp(seconds=start.seconds, nanos=2_000_000_000)

    async def violations(call: Any) -> list[str]:  # the message lists them, as the details do
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT, refused.value.details()
        return str(refused.value.details()).split("; ")

    create = venue.events.CreateEvent(
        event_service_pb2.CreateEventRequest(
            event=event_pb2.Event(title="Far", location="Oslo", start_time=far, end_time=bad_nanos)
        ),
        metadata=organizer,
    )
    assert "event.start_time: must be a valid timestamp" in " ".join(await violations(create))
    listing = venue.events.ListEvents(event_service_pb2.ListEventsRequest(start_after=far))
    assert "start_after: must be a valid timestamp" in " ".join(await violations(listing))
    assert await _titles(venue, organizer, organizer_id="me") == []  # nothing was made


async def test_a_search_longer_than_a_search_is_refused_as_such(venue: Venue) -> None:
    huge = " ".join(["python"] * 8_000)  # ~50 KB
    assert await _code(venue.events.ListEvents(event_service_pb2.ListEventsRequest(query=huge))) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    nine = "a b c d e f g h i"
    assert await _code(venue.events.ListEvents(event_service_pb2.ListEventsRequest(query=nine))) == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    assert await _titles(venue, query="a b c d e f g h") == []  # eight words are a search


async def test_request_bytes_that_are_not_the_methods_message_are_invalid_argument(
    venue: Venue, services: Services
) -> None:
    async with grpc.aio.insecure_channel(services.settings.addrs["events"]) as channel:
        get_event = channel.unary_unary("/evently.events.v1.EventService/GetEvent")
        for garbage in (b"\xff\xff\xff\xff", b"\x0a\x05ab"):  # a bad tag; a string cut short
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await get_event(garbage, timeout=10)
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert "request: is not this method's message" in str(refused.value.details())
