"""Services run in the test's own event loop on real sockets, with a real NATS server and a
real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_service_pb2_grpc
from evently.notifier.v1 import notifier_service_pb2_grpc
from evently_platform.config import Settings
from evently_platform.grpc.server import ServiceHost, run_service
from evently_platform.messaging.embedded_server import EmbeddedNats
from evently_platform.net import free_port
from evently_users.adapters.signing_keys import SigningKeyStore
from nats.aio.client import Client as NATS

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue, build_events_service, build_notifier_service, build_users_service
from tests.services.webhooks_kit import MovableClock, quick_retries_notifier
from tests.support import eventually

Build = Callable[[Settings], Awaitable[ServiceHost]]


class Services:
    """Starts services on free ports; every one is stopped gracefully at the end of the test."""

    def __init__(self, settings: Settings, stack: contextlib.AsyncExitStack) -> None:
        self.settings = settings
        self._stack = stack

    async def start(self, build: Build, *, another: str | None = None) -> grpc.aio.Channel:
        """`another="notifier"`: one more instance of that service, on its own port, sharing
        the database and the durable consumer with the first."""
        settings = self.settings
        if another is not None:
            addrs = {**settings.addrs, another: f"127.0.0.1:{free_port()}"}
            settings = dataclasses.replace(settings, addrs=addrs)
        host = await build(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(run_service(host, stop))

        async def shutdown() -> None:
            stop.set()
            try:
                code = await asyncio.wait_for(asyncio.shield(task), timeout=60)
            except TimeoutError:
                for pending in asyncio.all_tasks():
                    where = [f"{f.f_code.co_filename}:{f.f_lineno}" for f in pending.get_stack()]
                    print(f"task {pending.get_name()}: {where}", file=sys.stderr)
                raise AssertionError(f"{host.name} did not stop within 60 s; task stacks above") from None
            assert code == 0, f"{host.name} did not stop cleanly"

        self._stack.push_async_callback(shutdown)
        await eventually(lambda: host.bound_port is not None or task.done())
        assert not task.done(), f"{host.name} failed to start"
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{host.bound_port}")
        self._stack.push_async_callback(channel.close)
        return channel


@pytest.fixture
def extra_env() -> dict[str, str]:
    """Test modules override this to configure their services further."""
    return {}


@pytest.fixture
async def services(
    tmp_path: Path,
    service_dbs: dict[str, str],
    nats_server: EmbeddedNats,
    js_client: NATS,
    extra_env: dict[str, str],
) -> AsyncIterator[Services]:
    ports = {name: f"127.0.0.1:{free_port()}" for name in ("users", "events", "notifier", "gateway")}
    env: dict[str, Any] = {
        "EVENTLY_DATA_DIR": str(tmp_path),
        "EVENTLY_NATS_URL": nats_server.url,
        **{f"EVENTLY_{name.upper()}_DB_URL": url for name, url in service_dbs.items()},
        "EVENTLY_LOG_FORMAT": "console",
        "EVENTLY_WEBHOOK_ALLOW_PRIVATE": "true",
        **{f"EVENTLY_{name.upper()}_ADDR": addr for name, addr in ports.items()},
        **extra_env,
    }
    async with contextlib.AsyncExitStack() as stack:
        yield Services(Settings.from_env(env), stack)


@pytest.fixture
async def venue(services: Services) -> Venue:
    """The users service (whose keys the events service fetches) and the events service."""
    await services.start(build_users_service)
    events = event_service_pb2_grpc.EventServiceStub(await services.start(build_events_service))
    return Venue(events, SigningKeyStore(services.settings.users.signing_keys_dir))


@pytest.fixture
async def notifier(venue: Venue, services: Services) -> notifier_service_pb2_grpc.NotifierServiceStub:
    """The notifier beside the users and events services."""
    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build_notifier_service))


@pytest.fixture
async def hooks(venue: Venue, services: Services) -> notifier_service_pb2_grpc.NotifierServiceStub:
    """The notifier with a quick retry schedule (two retries, 50 ms apart)."""
    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(quick_retries_notifier))


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
async def hooks_on_a_clock(
    venue: Venue, services: Services, clock: MovableClock
) -> notifier_service_pb2_grpc.NotifierServiceStub:
    """`hooks`, on a clock the test can move on."""

    async def build(settings: Settings) -> ServiceHost:
        return await quick_retries_notifier(settings, clock)

    return notifier_service_pb2_grpc.NotifierServiceStub(await services.start(build))


@pytest.fixture
def endpoint() -> Iterator[WebhookReceiver]:
    """A real HTTP endpoint that verifies signatures and records deliveries."""
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()
