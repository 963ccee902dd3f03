"""The users and events services in-process, and people with real access tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evently.events.v1 import event_pb2, event_service_pb2, registration_pb2
from evently_events.bootstrap import build as build_events
from evently_notifier.bootstrap import build as build_notifier
from evently_platform.clock import new_id
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost
from evently_users.adapters.signing_keys import SigningKeyStore
from evently_users.bootstrap import build as build_users
from google.protobuf.timestamp_pb2 import Timestamp


async def build_users_service(settings: Settings) -> ServiceHost:
    return await build_users(settings)


async def build_notifier_service(settings: Settings) -> ServiceHost:
    return await build_notifier(settings)


async def build_events_service(settings: Settings) -> ServiceHost:
    return await build_events(settings)


class Venue:
    """The events service, and people with real access tokens signed by the users service's key
    (sign-up is the users tests' subject; here it would only add password hashing time)."""

    def __init__(self, events: Any, keys: SigningKeyStore) -> None:
        self.events = events
        self._keys = keys

    def person(self) -> tuple[str, tuple[tuple[str, str]]]:
        user_id = new_id()
        token = self._keys.issuer().issue(user_id, datetime.now(UTC)).token
        return user_id, (("authorization", f"Bearer {token}"),)

    async def event(
        self,
        organizer: Any,
        capacity: int = 0,
        *,
        title: str = "Workshop",
        days_ahead: float = 2,
        **fields: Any,
    ) -> event_pb2.Event:
        start, end = Timestamp(), Timestamp()
        start.FromDatetime(datetime.now(UTC) + timedelta(days=days_ahead))
        end.FromDatetime(datetime.now(UTC) + timedelta(days=days_ahead, hours=3))
        draft = event_pb2.Event(
            title=title, location="Online", start_time=start, end_time=end, capacity=capacity, **fields
        )
        created: event_pb2.Event = await self.events.CreateEvent(
            event_service_pb2.CreateEventRequest(event=draft), metadata=organizer
        )
        return created

    async def register(self, event_id: str, person: Any) -> registration_pb2.Registration:
        answer: registration_pb2.Registration = await self.events.RegisterForEvent(
            event_service_pb2.RegisterForEventRequest(event_id=event_id), metadata=person
        )
        return answer

    async def unregister(self, event_id: str, person: Any) -> registration_pb2.Registration:
        answer: registration_pb2.Registration = await self.events.CancelRegistration(
            event_service_pb2.CancelRegistrationRequest(event_id=event_id), metadata=person
        )
        return answer

    async def registrations(self, event_id: str, organizer: Any) -> list[registration_pb2.Registration]:
        found: list[registration_pb2.Registration] = []
        token = ""
        while True:
            page = await self.events.ListRegistrations(
                event_service_pb2.ListRegistrationsRequest(
                    event_id=event_id, page_size=100, page_token=token
                ),
                metadata=organizer,
            )
            found.extend(page.registrations)
            token = page.next_page_token
            if not token:
                return found
