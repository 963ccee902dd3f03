"""The poll methods of EventService: proto in → command → the bus → proto out."""

from __future__ import annotations

import grpc
from evently.events.v1 import event_service_pb2, poll_pb2
from evently_platform.auth.principal import current_principal, require_principal
from evently_platform.bus import MessageBus
from evently_platform.grpc.timestamps import optional_time

from evently_events.adapters.poll_protos import (
    answers_from_proto,
    kind_from_proto,
    options_from_proto,
    poll_to_proto,
)
from evently_events.service_layer import commands


class PollMethods:
    _bus: MessageBus

    async def CreatePoll(
        self, request: event_service_pb2.CreatePollRequest, context: grpc.aio.ServicerContext
    ) -> poll_pb2.Poll:
        caller = require_principal()
        cmd = commands.CreatePoll(
            caller_id=caller.user_id,
            event_id=request.poll.event_id,
            kind=kind_from_proto(request.poll.kind),
            options=options_from_proto(request.poll),
            close_time=optional_time(request.poll, "close_time", "poll.close_time"),
        )
        results = await self._bus.handle(cmd)
        return poll_to_proto(results, caller_id=caller.user_id)

    async def GetPoll(
        self, request: event_service_pb2.GetPollRequest, context: grpc.aio.ServicerContext
    ) -> poll_pb2.Poll:
        caller = current_principal()
        results = await self._bus.handle(commands.GetPoll(request.id))
        return poll_to_proto(results, caller_id=caller.user_id if caller else "")

    async def ListPolls(
        self, request: event_service_pb2.ListPollsRequest, context: grpc.aio.ServicerContext
    ) -> event_service_pb2.ListPollsResponse:
        caller = current_principal()
        found = await self._bus.handle(commands.ListPolls(request.event_id))
        caller_id = caller.user_id if caller else ""
        return event_service_pb2.ListPollsResponse(
            polls=[poll_to_proto(r, caller_id=caller_id) for r in found]
        )

    async def Vote(
        self, request: event_service_pb2.VoteRequest, context: grpc.aio.ServicerContext
    ) -> poll_pb2.Poll:
        caller = require_principal()
        answers = answers_from_proto(list(request.answers))
        results = await self._bus.handle(commands.Vote(caller.user_id, request.poll_id, answers))
        return poll_to_proto(results, caller_id=caller.user_id)

    async def ClosePoll(
        self, request: event_service_pb2.ClosePollRequest, context: grpc.aio.ServicerContext
    ) -> poll_pb2.Poll:
        caller = require_principal()
        results = await self._bus.handle(commands.ClosePoll(caller.user_id, request.id, request.option_id))
        return poll_to_proto(results, caller_id=caller.user_id)
