"""Cancelling and deleting events, and what a deleted organizer's account means for their events:
the users and events services over real gRPC, with the user.deleted choreography on real NATS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from evently_events.bootstrap import build as build_events
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from evently_platform.messaging.jetstream import STREAM
from evently_users.bootstrap import build as build_users
from google.protobuf.timestamp_pb2 import Timestamp
from nats.aio.client import Client as NATS

from tests.services.conftest import Services
from tests.support import eventually, stream_messages

PASSWORD = "correct horse battery staple"


async def _users(settings: Settings) -> ServiceHost:
    return await build_users(settings)


async def _events(settings: Settings) -> ServiceHost:
    return await build_events(settings)


class World:
    def __init__(self, users: Any, events: Any) -> None:
        self.users = users
        self.events = events

    async def person(self, name: str) -> tuple[str, tuple[tuple[str, str]]]:
        email = f"{name.lower()}@example.com"
        user = await self.users.CreateUser(
            user_service_pb2.CreateUserRequest(email=email, password=PASSWORD, display_name=name)
        )
        login = await self.users.Login(user_service_pb2.LoginRequest(email=email, password=PASSWORD))
        return user.id, (("authorization", f"Bearer {login.access_token}"),)

    async def event(self, metadata: Any, title: str = "Meetup") -> event_pb2.Event:
        start, end = Timestamp(), Timestamp()
        start.FromDatetime(datetime.now(UTC) + timedelta(days=7))
        end.FromDatetime(datetime.now(UTC) + timedelta(days=7, hours=2))
        created: event_pb2.Event = await self.events.CreateEvent(
            event_service_pb2.CreateEventRequest(
                event=event_pb2.Event(title=title, location="Berlin", start_time=start, end_time=end)
            ),
            metadata=metadata,
        )
        return created


@pytest.fixture
async def world(services: Services) -> World:
    users = user_service_pb2_grpc.UserServiceStub(await services.start(_users))
    events = event_service_pb2_grpc.EventServiceStub(await services.start(_events))
    return World(users, events)


async def _code(call: Any) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as failure:
        await call
    return failure.value.code()


async def test_the_organizer_cancels_with_a_reason_once(world: World) -> None:
    _, ada = await world.person("Ada")
    event = await world.event(ada)
    cancelled = await world.events.CancelEvent(
        event_service_pb2.CancelEventRequest(id=event.id, reason="speaker ill"), metadata=ada
    )
    assert (cancelled.state, cancelled.cancel_reason) == (event_pb2.Event.CANCELLED, "speaker ill")
    again = world.events.CancelEvent(event_service_pb2.CancelEventRequest(id=event.id), metadata=ada)
    assert await _code(again) == grpc.StatusCode.FAILED_PRECONDITION


async def test_only_the_organizer_cancels_or_deletes(world: World) -> None:
    _, ada = await world.person("Ada")
    _, bob = await world.person("Bob")
    event = await world.events.GetEvent(event_service_pb2.GetEventRequest(id=(await world.event(ada)).id))
    cancel = world.events.CancelEvent(event_service_pb2.CancelEventRequest(id=event.id), metadata=bob)
    delete = world.events.DeleteEvent(event_service_pb2.DeleteEventRequest(id=event.id), metadata=bob)
    assert await _code(cancel) == await _code(delete) == grpc.StatusCode.PERMISSION_DENIED
    await world.events.DeleteEvent(event_service_pb2.DeleteEventRequest(id=event.id), metadata=ada)
    gone = world.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
    assert await _code(gone) == grpc.StatusCode.NOT_FOUND


async def _consumer_idle(js_client: NATS, durable: str) -> bool:
    info = await js_client.jetstream().consumer_info(STREAM, durable)
    return bool(info.num_pending == 0 and info.num_ack_pending == 0)


async def test_a_deleted_organizers_upcoming_events_are_cancelled_once(world: World, js_client: NATS) -> None:
    ada_id, ada = await world.person("Ada")
    _, bob = await world.person("Bob")
    mine = [await world.event(ada, "Talk"), await world.event(ada, "Workshop")]
    theirs = await world.event(bob, "Bob's party")

    await world.users.DeleteUser(user_service_pb2.DeleteUserRequest(id="me"), metadata=ada)

    async def states() -> list[int]:
        return [
            (await world.events.GetEvent(event_service_pb2.GetEventRequest(id=e.id))).state
            for e in (*mine, theirs)
        ]

    await eventually(lambda: _all_but_last_cancelled(states()))
    for event in mine:
        got = await world.events.GetEvent(event_service_pb2.GetEventRequest(id=event.id))
        assert got.cancel_reason == "the organizer's account was deleted"
    assert (await states())[-1] == event_pb2.Event.SCHEDULED

    # The same user.deleted again (a publisher retry after the dedup window): no second effect.
    [deleted] = [m.envelope for m in await stream_messages(js_client, "evently.user.deleted")]
    assert deleted.subject == ada_id
    await js_client.jetstream().publish(
        deleted.type, deleted.encode(), stream=STREAM, headers={"Nats-Msg-Id": f"retry-{deleted.id}"}
    )
    await eventually(lambda: _consumer_idle(js_client, "events"))
    cancellations = [m.envelope for m in await stream_messages(js_client, "evently.event.cancelled")]
    assert sorted(c.subject or "" for c in cancellations) == sorted(e.id for e in mine)


async def _all_but_last_cancelled(states: Any) -> bool:
    values = await states
    return all(s == event_pb2.Event.CANCELLED for s in values[:-1])
