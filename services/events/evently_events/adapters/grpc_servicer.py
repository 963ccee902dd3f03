"""EventService over gRPC: proto in → command → use case (in a worker thread) → proto out."""

from __future__ import annotations

import asyncio
from datetime import datetime

import grpc
from evently.events.v1 import event_pb2, event_service_pb2, event_service_pb2_grpc
from evently_platform.auth.principal import require_principal
from evently_platform.clock import Clock
from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.grpc.pagination import decode_token, encode_token, page_size
from google.protobuf import empty_pb2

from evently_events.adapters.protos import draft_from_proto, event_to_proto
from evently_events.service_layer import handlers
from evently_events.service_layer.ports import UnitOfWork

SERVICE = event_service_pb2.DESCRIPTOR.services_by_name["EventService"].full_name
PUBLIC_METHODS = frozenset(f"/{SERVICE}/{m}" for m in ("GetEvent", "ListEvents"))


class EventServicer(event_service_pb2_grpc.EventServiceServicer):
    def __init__(self, *, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def CreateEvent(
        self, request: event_service_pb2.CreateEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        cmd = handlers.CreateEvent(organizer_id=caller.user_id, draft=draft_from_proto(request.event))
        event = await asyncio.to_thread(handlers.create_event, cmd, uow=self._uow, clock=self._clock)
        return event_to_proto(event)

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        event = await asyncio.to_thread(handlers.get_event, request.id, uow=self._uow)
        return event_to_proto(event)

    async def ListEvents(
        self, request: event_service_pb2.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListEventsResponse:
        size = page_size(request.page_size)
        cursor = decode_token(request.page_token)
        after = None
        if cursor is not None:
            try:
                after = (datetime.fromisoformat(cursor["s"]), str(cursor["i"]))
            except (KeyError, TypeError, ValueError):
                raise InvalidArgument(
                    [FieldViolation("page_token", "is not a token returned by ListEvents")]
                ) from None
        page = await asyncio.to_thread(handlers.list_events, after=after, page_size=size, uow=self._uow)
        token = (
            encode_token({"s": page.next_cursor[0].isoformat(), "i": page.next_cursor[1]})
            if page.next_cursor
            else ""
        )
        return event_service_pb2.ListEventsResponse(
            events=[event_to_proto(e) for e in page.events], next_page_token=token
        )

    async def CancelEvent(
        self, request: event_service_pb2.CancelEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        event = await asyncio.to_thread(
            handlers.cancel_event,
            caller.user_id,
            request.id,
            request.reason,
            uow=self._uow,
            clock=self._clock,
        )
        return event_to_proto(event)

    async def DeleteEvent(
        self, request: event_service_pb2.DeleteEventRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        caller = require_principal()
        await asyncio.to_thread(handlers.delete_event, caller.user_id, request.id, uow=self._uow)
        return empty_pb2.Empty()
