"""What every service process sets up before serving: logs, traces, its database (migrated),
its NATS connection with the EVENTLY stream, and an outbox relay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import grpc
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from sqlalchemy import Engine, text

from evently_platform.auth.jwks import CachedKeySource
from evently_platform.auth.revocations import Revocations
from evently_platform.auth.tokens import TokenVerifier
from evently_platform.clock import Clock
from evently_platform.config import Settings
from evently_platform.db.checkpoints import WalCheckpoints
from evently_platform.db.engine import make_engine
from evently_platform.db.migrations import upgrade
from evently_platform.grpc.channels import channel as client_channel
from evently_platform.logging import get_logger
from evently_platform.messaging.jetstream import (
    JetStreamPublisher,
    connect,
    ensure_stream,
    ensure_stream_when_ready,
)
from evently_platform.messaging.outbox import OutboxRelay, unpublished_count
from evently_platform.metrics import gauge
from evently_platform.telemetry import shutdown_tracing

log = get_logger(__name__)
READINESS_TIMEOUT = 5.0


def _ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@dataclass
class Runtime:
    name: str
    settings: Settings
    engine: Engine
    nc: NATS
    js: JetStreamContext
    relay: OutboxRelay
    revocations: Revocations
    on_reconnect: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def workers(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        """What every service process runs beside its own: the outbox relay, the revocations'
        watch, and on SQLite the log's checkpoints."""
        workers = [self.relay.run, self.revocations.run]
        if self.engine.dialect.name == "sqlite":
            workers.append(WalCheckpoints(self.engine).run)
        return workers

    def readiness(self) -> list[Callable[[], Awaitable[str | None]]]:
        """The database answers a query, and the broker connection is up."""

        async def database() -> str | None:
            try:
                await asyncio.wait_for(asyncio.to_thread(_ping, self.engine), timeout=READINESS_TIMEOUT)
            except TimeoutError:
                return f"database: no answer within {READINESS_TIMEOUT:g} s"
            except Exception as exc:
                return f"database: {type(exc).__name__}"
            return None

        async def broker() -> str | None:
            return None if self.nc.is_connected else "broker: not connected"

        return [database, broker]

    async def close(self) -> None:
        if not self.nc.is_closed:
            try:
                await self.nc.drain()
            except Exception as exc:  # a drain cut short must not keep the rest from closing
                log.warning("nats.drain_incomplete", error=repr(exc))
                await self.nc.close()
        self.engine.dispose()
        shutdown_tracing()


async def start_runtime(
    name: str, settings: Settings, migrations: str, *, clock: Clock | None = None
) -> Runtime:
    """`migrations` is the Alembic script location, e.g. "evently_users:migrations"; `clock`: the
    service's, for the platform's workers too (the outbox relay's leases, the revocations' window)."""
    engine = make_engine(settings.db_urls[name], instrument=settings.trace_sql)
    await asyncio.to_thread(upgrade, engine, name, migrations)
    hooks: list[Callable[[], Awaitable[None]]] = []

    async def reconnected() -> None:
        # A restarted server may have lost the stream and consumers: ensure them again.
        await ensure_stream(js, settings.stream_replicas)
        for hook in hooks:
            await hook()

    nc = await connect(settings.require_nats(), name=f"evently-{name}", on_reconnect=reconnected)
    js = nc.jetstream()
    await ensure_stream_when_ready(js, settings.stream_replicas)
    relay = OutboxRelay(engine, JetStreamPublisher(js), clock=clock)
    gauge(
        "evently.outbox.backlog",
        lambda: [(unpublished_count(engine), {"service": name})],
        unit="{message}",
        description="Domain events committed but not yet acknowledged by JetStream",
    )
    return Runtime(
        name=name,
        settings=settings,
        engine=engine,
        nc=nc,
        js=js,
        relay=relay,
        revocations=Revocations(js, clock=clock),
        on_reconnect=hooks,
    )


def users_service_verifier(
    settings: Settings, revocations: Revocations | None = None
) -> tuple[TokenVerifier, grpc.aio.Channel]:
    """Verifies tokens with the users service's public keys, fetched over gRPC and cached; with
    `revocations`, a deleted account's tokens are refused at once."""
    from evently.users.v1 import user_service_pb2, user_service_pb2_grpc

    channel = client_channel(settings.addrs["users"])
    stub = user_service_pb2_grpc.UserServiceStub(channel)

    async def fetch() -> bytes:
        body = await stub.GetJwks(user_service_pb2.GetJwksRequest(), timeout=5.0)
        return bytes(body.data)

    return TokenVerifier(CachedKeySource(fetch), revocations=revocations), channel
