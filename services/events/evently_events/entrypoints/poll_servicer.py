"""The poll methods of EventService: proto in → command → the bus → proto out."""

from __future__ import annotations

from evently.events.v1 import event_service_pb2, poll_pb2
from evently_platform.auth.principal import current_principal
from evently_platform.bus import MessageBus
from evently_platform.grpc.timestamps import optional_time
from evently_platform.grpc.translate import caller_id, translated

from evently_events.adapters.poll_protos import (
    answers_from_proto,
    kind_from_proto,
    options_from_proto,
    poll_to_proto,
)
from evently_events.domain.polls import PollResults
from evently_events.service_layer import commands


def _create_poll(request: event_service_pb2.CreatePollRequest) -> commands.CreatePoll:
    return commands.CreatePoll(
        caller_id=caller_id(),
        event_id=request.poll.event_id,
        kind=kind_from_proto(request.poll.kind),
        options=options_from_proto(request.poll),
        close_time=optional_time(request.poll, "close_time", "poll.close_time"),
    )


def _vote(request: event_service_pb2.VoteRequest) -> commands.Vote:
    return commands.Vote(caller_id(), request.poll_id, answers_from_proto(list(request.answers)))


def _viewer_id() -> str:
    """Who sees the poll: the caller, whose own answers it shows, or nobody ("")."""
    caller = current_principal()
    return caller.user_id if caller else ""


def _poll(results: PollResults) -> poll_pb2.Poll:
    return poll_to_proto(results, caller_id=_viewer_id())


def _polls(found: list[PollResults]) -> event_service_pb2.ListPollsResponse:
    viewer = _viewer_id()
    return event_service_pb2.ListPollsResponse(polls=[poll_to_proto(r, caller_id=viewer) for r in found])


class PollMethods:
    bus: MessageBus

    CreatePoll = translated(event_service_pb2.CreatePollRequest, _create_poll, _poll)
    GetPoll = translated(event_service_pb2.GetPollRequest, lambda r: commands.GetPoll(r.id), _poll)
    ListPolls = translated(
        event_service_pb2.ListPollsRequest, lambda r: commands.ListPolls(r.event_id), _polls
    )
    Vote = translated(event_service_pb2.VoteRequest, _vote, _poll)
    ClosePoll = translated(
        event_service_pb2.ClosePollRequest,
        lambda r: commands.ClosePoll(caller_id(), r.id, r.option_id),
        _poll,
    )
