"""EventService over gRPC: proto in → command → use case (in a worker thread) → proto out."""

from __future__ import annotations

import asyncio
from datetime import datetime

import grpc
from evently.events.v1 import (
    comment_pb2,
    event_pb2,
    event_service_pb2,
    event_service_pb2_grpc,
    registration_pb2,
)
from evently.operations.v1 import dead_letter_pb2
from evently_platform.auth.principal import require_principal
from evently_platform.calendar import calendar_file
from evently_platform.clock import Clock
from evently_platform.errors import FailedPrecondition, FieldViolation, InvalidArgument
from evently_platform.grpc.dead_letters import DeadLetterMethods
from evently_platform.grpc.pagination import decode_time_cursor, encode_time_cursor, page_size
from evently_platform.grpc.timestamps import optional_time
from google.api import httpbody_pb2
from google.protobuf import empty_pb2
from nats.js import JetStreamContext

from evently_events.adapters.event_room import EventRoom
from evently_events.adapters.poll_protos import kind_from_proto, options_from_proto
from evently_events.adapters.poll_servicer import PollMethods
from evently_events.adapters.protos import (
    calendar_entry,
    comment_to_proto,
    draft_from_proto,
    event_to_proto,
    registration_to_proto,
)
from evently_events.adapters.watch_servicer import WatchMethods
from evently_events.domain.model import Changes, EventState, search_words
from evently_events.service_layer import comments, handlers
from evently_events.service_layer.ports import EventQuery, UnitOfWork

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


class EventServicer(PollMethods, WatchMethods, event_service_pb2_grpc.EventServiceServicer):
    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clock: Clock,
        dead_letters: DeadLetterMethods,
        room: EventRoom | None = None,
        js: JetStreamContext | None = None,
    ) -> None:
        self._room = room
        self._js = js
        self._uow = uow
        self._clock = clock
        self._dead_letters = dead_letters

    async def ListDeadLetters(
        self, request: dead_letter_pb2.ListDeadLettersRequest, context: grpc.aio.ServicerContext
    ) -> dead_letter_pb2.ListDeadLettersResponse:
        return await self._dead_letters.list(request)

    async def ReplayDeadLetter(
        self, request: dead_letter_pb2.ReplayDeadLetterRequest, context: grpc.aio.ServicerContext
    ) -> empty_pb2.Empty:
        return await self._dead_letters.replay(request)

    async def CreateEvent(
        self, request: event_service_pb2.CreateEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        date_poll = None
        if request.HasField("date_poll"):
            date_poll = handlers.DatePoll(
                kind=kind_from_proto(request.date_poll.kind, field_name="date_poll"),
                options=options_from_proto(request.date_poll, field_name="date_poll"),
                close_time=optional_time(request.date_poll, "close_time", "date_poll.close_time"),
            )
        cmd = handlers.CreateEvent(
            organizer_id=caller.user_id, draft=draft_from_proto(request.event), date_poll=date_poll
        )
        event = await asyncio.to_thread(handlers.create_event, cmd, uow=self._uow, clock=self._clock)
        return event_to_proto(event)

    async def GetEvent(
        self, request: event_service_pb2.GetEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        view = await asyncio.to_thread(handlers.get_event, request.id, uow=self._uow)
        return _event_view(view)

    async def ListEvents(
        self, request: event_service_pb2.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListEventsResponse:
        page = await asyncio.to_thread(
            handlers.list_events,
            _event_query(request, self._clock.now()),
            after=decode_time_cursor(request.page_token, request),
            page_size=page_size(request.page_size),
            uow=self._uow,
        )
        return event_service_pb2.ListEventsResponse(
            events=[_event_view(view) for view in page.events],
            next_page_token=encode_time_cursor(page.next_cursor, request),
        )

    async def UpdateEvent(
        self, request: event_service_pb2.UpdateEventRequest, context: grpc.aio.ServicerContext
    ) -> event_pb2.Event:
        caller = require_principal()
        changes = Changes(paths=tuple(request.update_mask.paths), values=draft_from_proto(request.event))
        view = await asyncio.to_thread(
            handlers.update_event, caller.user_id, request.event.id, changes, uow=self._uow, clock=self._clock
        )
        return _event_view(view)

    async def GetEventCalendar(
        self, request: event_service_pb2.GetEventCalendarRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        view = await asyncio.to_thread(handlers.get_event, request.id, uow=self._uow)
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
        cmd = comments.AddComment(
            author_id=caller.user_id,
            event_id=request.event_id,
            text=request.text,
            parent_id=request.parent_id,
            mention_ids=list(request.mention_ids),
        )
        comment = await asyncio.to_thread(comments.add_comment, cmd, uow=self._uow, clock=self._clock)
        return comment_to_proto(comment)

    async def UpdateComment(
        self, request: event_service_pb2.UpdateCommentRequest, context: grpc.aio.ServicerContext
    ) -> comment_pb2.Comment:
        caller = require_principal()
        paths = list(request.update_mask.paths) or ["text"]
        if paths != ["text"]:
            raise InvalidArgument([FieldViolation("update_mask", "only text can be changed")])
        comment = await asyncio.to_thread(
            comments.update_comment,
            caller.user_id,
            request.comment.id,
            request.comment.text,
            uow=self._uow,
            clock=self._clock,
        )
        return comment_to_proto(comment)

    async def DeleteComment(
        self, request: event_service_pb2.DeleteCommentRequest, context: grpc.aio.ServicerContext
    ) -> comment_pb2.Comment:
        caller = require_principal()
        comment = await asyncio.to_thread(
            comments.delete_comment, caller.user_id, request.id, uow=self._uow, clock=self._clock
        )
        return comment_to_proto(comment)

    async def ListComments(
        self, request: event_service_pb2.ListCommentsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListCommentsResponse:
        page = await asyncio.to_thread(
            comments.list_comments,
            request.event_id,
            after=decode_time_cursor(request.page_token, request),
            page_size=page_size(request.page_size),
            uow=self._uow,
        )
        return event_service_pb2.ListCommentsResponse(
            comments=[comment_to_proto(c) for c in page.comments],
            next_page_token=encode_time_cursor(page.next_cursor, request),
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

    async def RegisterForEvent(
        self, request: event_service_pb2.RegisterForEventRequest, context: grpc.aio.ServicerContext
    ) -> registration_pb2.Registration:
        caller = require_principal()
        view = await asyncio.to_thread(
            handlers.register, caller.user_id, request.event_id, uow=self._uow, clock=self._clock
        )
        return registration_to_proto(view.registration, view.waitlist_position)

    async def CancelRegistration(
        self, request: event_service_pb2.CancelRegistrationRequest, context: grpc.aio.ServicerContext
    ) -> registration_pb2.Registration:
        caller = require_principal()
        view = await asyncio.to_thread(
            handlers.cancel_registration, caller.user_id, request.event_id, uow=self._uow, clock=self._clock
        )
        return registration_to_proto(view.registration, view.waitlist_position)

    async def ListRegistrations(
        self, request: event_service_pb2.ListRegistrationsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListRegistrationsResponse:
        caller = require_principal()
        page = await asyncio.to_thread(
            handlers.list_registrations,
            caller.user_id,
            request.event_id,
            after=decode_time_cursor(request.page_token, request),
            page_size=page_size(request.page_size),
            uow=self._uow,
        )
        return event_service_pb2.ListRegistrationsResponse(
            registrations=[
                registration_to_proto(v.registration, v.waitlist_position) for v in page.registrations
            ],
            next_page_token=encode_time_cursor(page.next_cursor, request),
        )


def _event_view(view: handlers.EventView) -> event_pb2.Event:
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
