"""Composition root of the users service: the only place that wires adapters to use cases."""

from __future__ import annotations

from collections.abc import Callable

from evently.users.v1 import user_service_pb2_grpc
from evently_platform.auth.tokens import TokenVerifier
from evently_platform.bus import MessageBus, PerCommand
from evently_platform.clock import Clock, SystemClock
from evently_platform.config import Settings
from evently_platform.grpc.interceptors import platform_interceptors
from evently_platform.grpc.server import ServiceHost
from evently_platform.runtime import start_runtime

from evently_users.adapters.passwords import Argon2PasswordHasher
from evently_users.adapters.protos import to_integration_event
from evently_users.adapters.repository import UsersUnitOfWork
from evently_users.adapters.signing_keys import SigningKeyStore
from evently_users.entrypoints.grpc_servicer import PUBLIC_METHODS, SERVICE, UserServicer
from evently_users.service_layer.messagebus import HANDLERS
from evently_users.service_layer.ports import Issuers, PasswordHasher, UnitOfWork

MIGRATIONS = "evently_users:migrations"


def message_bus(
    *, uows: Callable[[], UnitOfWork], hasher: PasswordHasher, signing_keys: Issuers, clock: Clock
) -> MessageBus:
    """The users use cases wired to what they need: SQL storage in the service, in-memory
    storage in the use-case tests — one door for both."""
    return MessageBus.wire(
        HANDLERS, uow=PerCommand(uows), hasher=hasher, signing_keys=signing_keys, clock=clock
    )


async def build(
    settings: Settings, *, clock: Clock | None = None, hasher: PasswordHasher | None = None
) -> ServiceHost:
    clock = clock or SystemClock()
    runtime = await start_runtime("users", settings, MIGRATIONS, clock=clock)
    keys = SigningKeyStore(settings.users.signing_keys_dir)
    keys.ensure()
    bus = message_bus(
        uows=UsersUnitOfWork.factory(runtime.engine, translate=to_integration_event, relay=runtime.relay),
        hasher=hasher or Argon2PasswordHasher(),
        signing_keys=keys,
        clock=clock,
    )
    servicer = UserServicer(bus=bus, jwks_json=keys.jwks_json)
    # The users service owns the keys: it verifies locally.
    verifier = TokenVerifier(keys, revocations=runtime.revocations)
    return ServiceHost(
        name="users",
        readiness=runtime.readiness(),
        addr=settings.bind_addr("users"),
        register=[lambda server: user_service_pb2_grpc.add_UserServiceServicer_to_server(servicer, server)],
        service_names=[SERVICE],
        interceptors=platform_interceptors(
            verifier, PUBLIC_METHODS, max_in_flight=settings.max_calls_in_flight
        ),
        workers=runtime.workers,
        cleanups=[runtime.close],
    )
