"""What every scenario is given: how long to measure, where to put its files, and the clients
it needs to act as a user (a signed-in account, an event to read)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently.users.v1 import user_service_pb2, user_service_pb2_grpc
from google.protobuf.timestamp_pb2 import Timestamp

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Context:
    seconds: float  # per measured run
    work_dir: Path
    smoke: bool = False  # a ~1 s pass that proves the code runs, for the test suite
    only: tuple[int, ...] = ()  # --levels: measure these levels only (an A/B of one rate)

    def levels(self, full: tuple[int, ...]) -> tuple[int, ...]:
        """Concurrency (or rate) levels: all of them (or those asked for, even off the usual steps), the first
        only in a smoke run."""
        chosen = tuple(sorted(set(self.only))) if self.only else full
        return chosen[:1] if self.smoke else chosen


def timestamp(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


async def sign_in(users_addr: str) -> tuple[str, list[tuple[str, str]]]:
    """A new account; its id and the call metadata that authenticates as it."""
    async with grpc.aio.insecure_channel(users_addr) as channel:
        stub = user_service_pb2_grpc.UserServiceStub(channel)
        email = f"bench-{secrets.token_hex(6)}@example.com"
        user = await stub.CreateUser(
            user_service_pb2.CreateUserRequest(email=email, display_name="Bench", password=PASSWORD)
        )
        login = await stub.Login(user_service_pb2.LoginRequest(email=email, password=PASSWORD))
    return user.id, [("authorization", f"Bearer {login.access_token}")]


def new_event(title: str = "Benchmark meetup", *, capacity: int = 0, days: float = 30) -> event_pb2.Event:
    start = datetime.now(UTC) + timedelta(days=days)
    return event_pb2.Event(
        title=title,
        location="Online",
        start_time=timestamp(start),
        end_time=timestamp(start + timedelta(hours=1)),
        capacity=capacity,
    )


async def create_event(
    events_addr: str, auth: list[tuple[str, str]], title: str = "Benchmark meetup", *, capacity: int = 0
) -> str:
    async with grpc.aio.insecure_channel(events_addr) as channel:
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        request = event_service_pb2.CreateEventRequest(event=new_event(title, capacity=capacity))
        event = await stub.CreateEvent(request, metadata=auth)
    return str(event.id)


async def create_events(events_addr: str, auth: list[tuple[str, str]], count: int) -> list[str]:
    """`count` events over one channel, 16 at a time."""
    async with grpc.aio.insecure_channel(events_addr) as channel:
        stub = event_service_pb2_grpc.EventServiceStub(channel)
        limit = asyncio.Semaphore(16)

        async def one() -> str:
            async with limit:
                request = event_service_pb2.CreateEventRequest(event=new_event())
                return str((await stub.CreateEvent(request, metadata=auth)).id)

        return list(await asyncio.gather(*(one() for _ in range(count))))
