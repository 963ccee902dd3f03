"""EventService over gRPC: proto in → command → the bus → proto out."""

from __future__ import annotations

from datetime import datetime

import grpc
from evently.events.v1 import (
    comment_pb2,
    event_pb2,
    event_service_pb2,
    event_service_pb2_grpc,
    registration_pb2,
)
from evently_platform.auth.principal import require_principal
from evently_platform.bus import MessageBus
from evently_platform.calendar import calendar_file
from evently_platform.clock import Clock
from evently_platform.errors import FailedPrecondition, FieldViolation, InvalidArgument
from evently_platform.grpc.dead_letters import DeadLetterEndpoints, DeadLetterMethods
from evently_platform.grpc.pagination import encode_time_cursor, page_request
from evently_platform.grpc.timestamps import optional_time
from google.api import httpbody_pb2
from google.protobuf import empty_pb2
from nats.js import JetStreamContext

from evently_events.adapters.event_room import EventRoom
from evently_events.adapters.poll_protos import kind_from_proto, options_from_proto
from evently_events.adapters.protos import (
    calendar_entry,
    comment_to_proto,
    draft_from_proto,
    event_to_proto,
    registration_to_proto,
)
from evently_events.adapters.view_cache import EventViewCache
from evently_events.domain.model import Changes, EventState, search_words
from evently_events.entrypoints.poll_servicer import PollMethods
from evently_events.entrypoints.watch_servicer import WatchMethods
from evently_events.service_layer import commands
from evently_events.service_layer.ports import EventQuery

SERVICE = event_service_pb2.DESCRIPTOR.services_by_name["EventService"].full_name
PUBLIC_METHODS = frozenset(
    f"/{SERVICE}/{m}"
    for m in (
        "GetEvent",
        "ListEvents",
        "GetEventCalendar",
        "ListComments",
        "GetPoll",
        "ListPolls",
        "WatchEvent",
    )
)


class EventServicer(
    DeadLetterEndpoints, PollMethods, WatchMethods, event_service_pb2_grpc.EventServiceServicer
):
    def __init__(
        self,
        *,
        bus: MessageBus,
        clock: Clock,
        dead_letters: DeadLetterMethods,
        room: EventRoom | None = None,
        js: JetStreamContext | None = None,
        views: EventViewCache | None = None,
    ) -> None:
        """`views`: GetEvent's answers kept a moment (none kept without it)."""
        self._views = views
        self._room = room
        self._js = js
        self._bus = bus
        self._clock = clock
        self._dead_letters = dead_letters

    async def CreateEvent(
        self, request: event_service_pb2.CreateEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        date_poll = None
        if request.HasField("date_poll"):
            date_poll = commands.DatePoll(
                kind=kind_from_proto(request.date_poll.kind, field_name="date_poll"),
                options=options_from_proto(request.date_poll, field_name="date_poll"),
                close_time=optional_time(request.date_poll, "close_time", "date_poll.close_time"),
            )
        cmd = commands.CreateEvent(
            organizer_id=caller.user_id, draft=draft_from_proto(request.event), date_poll=date_poll
        )
        return event_to_proto(await self._bus.handle(cmd))

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        if self._views is None:
            return _event_view(await self._bus.handle(commands.GetEvent(request.id)))
        cached = self._views.get(request.id)
        if cached is not None:
            return cached
        generation = self._views.generation()
        view = _event_view(await self._bus.handle(commands.GetEvent(request.id)))
        self._views.put(request.id, view, generation)
        return view

    async def ListEvents(
        self, request: event_service_pb2.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListEventsResponse:
        query = _event_query(request, self._clock.now())
        page = await self._bus.handle(commands.ListEvents(query, page_request(request)))
        return event_service_pb2.ListEventsResponse(
            events=[_event_view(view) for view in page.items],
            next_page_token=encode_time_cursor(page.next_cursor, request),
        )

    async def UpdateEvent(
        self, request: event_service_pb2.UpdateEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        changes = Changes(paths=tuple(request.update_mask.paths), values=draft_from_proto(request.event))
        view = await self._bus.handle(commands.UpdateEvent(caller.user_id, request.event.id, changes))
        return _event_view(view)

    async def GetEventCalendar(
        self, request: event_service_pb2.GetEventCalendarRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        view = await self._bus.handle(commands.GetEvent(request.id))
        if view.event.state is EventState.PROPOSED:
            raise FailedPrecondition(
                f"event {request.id!r} has no date yet: no calendar entry until its poll closes"
            )
        return httpbody_pb2.HttpBody(
            content_type="text/calendar; charset=utf-8",
            data=calendar_file(calendar_entry(view.event), self._clock.now()),
        )

    async def AddComment(
        self, request: event_service_pb2.AddCommentRequest, context: grpc.aio.ServicerContext
    ) -> comment_pb2.Comment:
        caller = require_principal()
        cmd = commands.AddComment(
            author_id=caller.user_id,
            event_id=request.event_id,
            text=request.text,
            parent_id=request.parent_id,
            mention_ids=list(request.mention_ids),
        )
        return comment_to_proto(await self._bus.handle(cmd))

    async def UpdateComment(
        self, request: event_service_pb2.UpdateCommentRequest, context: grpc.aio.ServicerContext
    ) -> comment_pb2.Comment:
        caller = require_principal()
        paths = list(request.update_mask.paths) or ["text"]
        if paths != ["text"]:
            raise InvalidArgument([FieldViolation("update_mask", "only text can be changed")])
        cmd = commands.EditComment(caller.user_id, request.comment.id, request.comment.text)
        return comment_to_proto(await self._bus.handle(cmd))

    async def DeleteComment(
        self, request: event_service_pb2.DeleteCommentRequest, context: grpc.aio.ServicerContext
    ) -> comment_pb2.Comment:
        caller = require_principal()
        return comment_to_proto(await self._bus.handle(commands.DeleteComment(caller.user_id, request.id)))

    async def ListComments(
        self, request: event_service_pb2.ListCommentsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListCommentsResponse:
        page = await self._bus.handle(commands.ListComments(request.event_id, page_request(request)))
        return event_service_pb2.ListCommentsResponse(
            comments=[comment_to_proto(c) for c in page.items],
            next_page_token=encode_time_cursor(page.next_cursor, request),
        )

    async def CancelEvent(
        self, request: event_service_pb2.CancelEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        event = await self._bus.handle(commands.CancelEvent(caller.user_id, request.id, request.reason))
        return event_to_proto(event)

    async def DeleteEvent(
        self, request: event_service_pb2.DeleteEventRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        caller = require_principal()
        await self._bus.handle(commands.DeleteEvent(caller.user_id, request.id))
        return empty_pb2.Empty()

    async def RegisterForEvent(
        self, request: event_service_pb2.RegisterForEventRequest, context: grpc.aio.ServicerContext
    ) -> registration_pb2.Registration:
        caller = require_principal()
        view = await self._bus.handle(commands.Register(caller.user_id, request.event_id))
        return registration_to_proto(view.registration, view.waitlist_position)

    async def CancelRegistration(
        self, request: event_service_pb2.CancelRegistrationRequest, context: grpc.aio.ServicerContext
    ) -> registration_pb2.Registration:
        caller = require_principal()
        view = await self._bus.handle(commands.CancelRegistration(caller.user_id, request.event_id))
        return registration_to_proto(view.registration, view.waitlist_position)

    async def ListRegistrations(
        self, request: event_service_pb2.ListRegistrationsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListRegistrationsResponse:
        caller = require_principal()
        cmd = commands.ListRegistrations(caller.user_id, request.event_id, page_request(request))
        page = await self._bus.handle(cmd)
        return event_service_pb2.ListRegistrationsResponse(
            registrations=[registration_to_proto(v.registration, v.waitlist_position) for v in page.items],
            next_page_token=encode_time_cursor(page.next_cursor, request),
        )


def _event_view(view: commands.EventView) -> event_pb2.Event:
    return event_to_proto(view.event, view.confirmed, view.waitlisted)


def _event_query(request: event_service_pb2.ListEventsRequest, now: datetime) -> EventQuery:
    organizer_id = request.organizer_id
    if organizer_id == "me":
        organizer_id = require_principal().user_id
    return EventQuery(
        now=now,
        past=request.timing == event_service_pb2.ListEventsRequest.PAST,
        organizer_id=organizer_id,
        words=search_words(request.query),
        start_after=optional_time(request, "start_after", "start_after"),
        start_before=optional_time(request, "start_before", "start_before"),
        include_cancelled=request.include_cancelled,
    )
