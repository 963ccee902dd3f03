"""Composition root of the events service."""

from __future__ import annotations

from collections.abc import Callable

from evently.events.v1 import event_service_pb2_grpc
from evently_platform.bus import MessageBus, PerCommand
from evently_platform.clock import Clock, SystemClock
from evently_platform.config import Settings
from evently_platform.db.engine import is_postgres
from evently_platform.grpc.dead_letters import DeadLetterMethods
from evently_platform.grpc.interceptors import platform_interceptors
from evently_platform.grpc.server import ServiceHost
from evently_platform.messaging.consumer import DurableConsumer
from evently_platform.messaging.dead_letters import SqlDeadLetters
from evently_platform.runtime import start_runtime, users_service_verifier

from evently_events.adapters.event_room import EventRoom
from evently_events.adapters.protos import to_integration_event
from evently_events.adapters.repository import EventsUnitOfWork
from evently_events.adapters.view_cache import EventViewCache
from evently_events.entrypoints import event_consumer
from evently_events.entrypoints.grpc_servicer import PUBLIC_METHODS, SERVICE, EventServicer
from evently_events.entrypoints.poll_closer import PollCloser
from evently_events.service_layer.messagebus import HANDLERS
from evently_events.service_layer.ports import UnitOfWork

MIGRATIONS = "evently_events:migrations"


def message_bus(*, uows: Callable[[], UnitOfWork], clock: Clock, on_loop: bool = False) -> MessageBus:
    """The events use cases wired to what they need: SQL storage in the service, in-memory
    storage in the use-case tests — one door for both. `on_loop`: see MessageBus."""
    return MessageBus.wire(HANDLERS, on_loop=on_loop, uow=PerCommand(uows), clock=clock)


async def build(
    settings: Settings, *, clock: Clock | None = None, poll_close_seconds: float = 1.0
) -> ServiceHost:
    clock = clock or SystemClock()
    runtime = await start_runtime("events", settings, MIGRATIONS, clock=clock)
    verifier, users_channel = users_service_verifier(settings, runtime.revocations)
    views = EventViewCache()
    bus = message_bus(
        uows=EventsUnitOfWork.factory(
            runtime.engine, translate=to_integration_event, relay=runtime.relay, after_commit=views.committed
        ),
        clock=clock,
        # Every events use case is a short transaction: on SQLite (one process per database
        # file) it runs on the loop, cheaper than a thread hop; PostgreSQL's network round
        # trips stay in worker threads.
        on_loop=not is_postgres(runtime.engine),
    )
    dead_letters = SqlDeadLetters(runtime.engine, clock=clock)
    consumer = DurableConsumer(
        runtime.nc, event_consumer.SPEC, event_consumer.make_handler(bus), dead_letters
    )
    room = EventRoom(runtime.js)
    servicer = EventServicer(
        bus=bus,
        clock=clock,
        dead_letters=DeadLetterMethods(dead_letters, consumer),
        room=room,
        js=runtime.js,
        views=views,
    )
    runtime.on_reconnect.append(consumer.ensure)
    return ServiceHost(
        name="events",
        readiness=runtime.readiness(),
        addr=settings.bind_addr("events"),
        register=[lambda server: event_service_pb2_grpc.add_EventServiceServicer_to_server(servicer, server)],
        service_names=[SERVICE],
        interceptors=platform_interceptors(
            verifier, PUBLIC_METHODS, max_in_flight=settings.max_calls_in_flight
        ),
        workers=[
            *runtime.workers,
            consumer.run,
            room.run,
            PollCloser(bus, poll_interval=poll_close_seconds).run,
        ],
        cleanups=[users_channel.close, runtime.close],
    )
