"""EventService over gRPC: proto in → command → the bus → proto out."""

from __future__ import annotations

from datetime import datetime

import grpc
from evently.events.v1 import (
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
from evently_platform.grpc.pagination import page_request
from evently_platform.grpc.timestamps import optional_time
from evently_platform.grpc.translate import caller_id, empty, listed, page_reply, translated
from google.api import httpbody_pb2
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


def _create_event(request: event_service_pb2.CreateEventRequest) -> commands.CreateEvent:
    organizer_id = caller_id()
    date_poll = None
    if request.HasField("date_poll"):
        date_poll = commands.DatePoll(
            kind=kind_from_proto(request.date_poll.kind, field_name="date_poll"),
            options=options_from_proto(request.date_poll, field_name="date_poll"),
            close_time=optional_time(request.date_poll, "close_time", "date_poll.close_time"),
        )
    return commands.CreateEvent(
        organizer_id=organizer_id, draft=draft_from_proto(request.event), date_poll=date_poll
    )


def _update_event(request: event_service_pb2.UpdateEventRequest) -> commands.UpdateEvent:
    organizer_id = caller_id()
    changes = Changes(paths=tuple(request.update_mask.paths), values=draft_from_proto(request.event))
    return commands.UpdateEvent(organizer_id, request.event.id, changes)


def _add_comment(request: event_service_pb2.AddCommentRequest) -> commands.AddComment:
    return commands.AddComment(
        author_id=caller_id(),
        event_id=request.event_id,
        text=request.text,
        parent_id=request.parent_id,
        mention_ids=list(request.mention_ids),
    )


def _edit_comment(request: event_service_pb2.UpdateCommentRequest) -> commands.EditComment:
    author_id = caller_id()
    if (list(request.update_mask.paths) or ["text"]) != ["text"]:
        raise InvalidArgument([FieldViolation("update_mask", "only text can be changed")])
    return commands.EditComment(author_id, request.comment.id, request.comment.text)


def _registration(view: commands.RegistrationView) -> registration_pb2.Registration:
    return registration_to_proto(view.registration, view.waitlist_position)


def _event_view(view: commands.EventView) -> event_pb2.Event:
    return event_to_proto(view.event, view.confirmed, view.waitlisted)


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
        self.bus = bus
        self._clock = clock
        self._dead_letters = dead_letters

    CreateEvent = translated(event_service_pb2.CreateEventRequest, _create_event, event_to_proto)
    UpdateEvent = translated(event_service_pb2.UpdateEventRequest, _update_event, _event_view)
    CancelEvent = translated(
        event_service_pb2.CancelEventRequest,
        lambda r: commands.CancelEvent(caller_id(), r.id, r.reason),
        event_to_proto,
    )
    DeleteEvent = translated(
        event_service_pb2.DeleteEventRequest, lambda r: commands.DeleteEvent(caller_id(), r.id), empty
    )
    AddComment = translated(event_service_pb2.AddCommentRequest, _add_comment, comment_to_proto)
    UpdateComment = translated(event_service_pb2.UpdateCommentRequest, _edit_comment, comment_to_proto)
    DeleteComment = translated(
        event_service_pb2.DeleteCommentRequest,
        lambda r: commands.DeleteComment(caller_id(), r.id),
        comment_to_proto,
    )
    ListComments = listed(
        event_service_pb2.ListCommentsRequest,
        lambda r: commands.ListComments(r.event_id, page_request(r)),
        event_service_pb2.ListCommentsResponse,
        "comments",
        comment_to_proto,
    )
    RegisterForEvent = translated(
        event_service_pb2.RegisterForEventRequest,
        lambda r: commands.Register(caller_id(), r.event_id),
        _registration,
    )
    CancelRegistration = translated(
        event_service_pb2.CancelRegistrationRequest,
        lambda r: commands.CancelRegistration(caller_id(), r.event_id),
        _registration,
    )
    ListRegistrations = listed(
        event_service_pb2.ListRegistrationsRequest,
        lambda r: commands.ListRegistrations(caller_id(), r.event_id, page_request(r)),
        event_service_pb2.ListRegistrationsResponse,
        "registrations",
        _registration,
    )

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        if self._views is None:
            return _event_view(await self.bus.handle(commands.GetEvent(request.id)))
        cached = self._views.get(request.id)
        if cached is not None:
            return cached
        generation = self._views.generation()
        view = _event_view(await self.bus.handle(commands.GetEvent(request.id)))
        self._views.put(request.id, view, generation)
        return view

    async def ListEvents(
        self, request: event_service_pb2.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListEventsResponse:
        query = _event_query(request, self._clock.now())
        page = await self.bus.handle(commands.ListEvents(query, page_request(request)))
        return page_reply(event_service_pb2.ListEventsResponse, "events", page, _event_view, request)

    async def GetEventCalendar(
        self, request: event_service_pb2.GetEventCalendarRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        view = await self.bus.handle(commands.GetEvent(request.id))
        if view.event.state is EventState.PROPOSED:
            raise FailedPrecondition(
                f"event {request.id!r} has no date yet: no calendar entry until its poll closes"
            )
        return httpbody_pb2.HttpBody(
            content_type="text/calendar; charset=utf-8",
            data=calendar_file(calendar_entry(view.event), self._clock.now()),
        )


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
