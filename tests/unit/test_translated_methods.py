"""A servicer method declared as a translation: the request becomes a command for the bus, and
what the bus answers becomes the reply (a page of items with the next page's token, for a list)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import grpc
import pytest
from evently.events.v1 import comment_pb2, event_service_pb2
from evently_platform.auth.principal import Principal, reset_principal, set_principal
from evently_platform.bus import Command, MessageBus
from evently_platform.errors import InvalidArgument, Unauthenticated
from evently_platform.grpc.pagination import decode_time_cursor, page_request
from evently_platform.grpc.translate import caller_id, empty, listed, translated
from evently_platform.paging import Page

AT = datetime(2026, 12, 7, 18, 30, tzinfo=UTC)
NO_CONTEXT = cast(grpc.aio.ServicerContext, None)


@dataclass(frozen=True)
class Delete(Command[None]):
    user_id: str
    comment_id: str


@dataclass(frozen=True)
class Comments(Command[Page[str]]):
    event_id: str
    size: int


class Servicer:
    def __init__(self) -> None:
        self.handled: list[Command[Any]] = []
        self.bus = MessageBus({Delete: self._delete, Comments: self._comments}, on_loop=True)

    def _delete(self, command: Delete) -> None:
        self.handled.append(command)

    def _comments(self, command: Comments) -> Page[str]:
        self.handled.append(command)
        return Page(["first", "second"][: command.size], (AT, "second") if command.size == 2 else None)

    DeleteComment = translated(
        event_service_pb2.DeleteCommentRequest, lambda r: Delete(caller_id(), r.id), empty
    )
    ListComments = listed(
        event_service_pb2.ListCommentsRequest,
        lambda r: Comments(r.event_id, page_request(r).size),
        event_service_pb2.ListCommentsResponse,
        "comments",
        lambda text: comment_pb2.Comment(text=text),
    )


def test_the_request_becomes_a_command_for_the_signed_in_caller() -> None:
    servicer = Servicer()
    signed_in = set_principal(Principal("u-ada"))
    try:
        request = event_service_pb2.DeleteCommentRequest(id="c-1")
        reply = asyncio.run(servicer.DeleteComment(request, NO_CONTEXT))
    finally:
        reset_principal(signed_in)
    assert servicer.handled == [Delete("u-ada", "c-1")]
    assert reply == empty(None)


def test_a_method_for_signed_in_callers_refuses_anyone_else_and_does_nothing() -> None:
    servicer = Servicer()
    with pytest.raises(Unauthenticated):
        asyncio.run(servicer.DeleteComment(event_service_pb2.DeleteCommentRequest(id="c-1"), NO_CONTEXT))
    assert servicer.handled == []


def test_a_list_answers_its_page_and_a_token_for_the_next_bound_to_its_filters() -> None:
    servicer = Servicer()
    request = event_service_pb2.ListCommentsRequest(event_id="e-1", page_size=2)
    reply = asyncio.run(servicer.ListComments(request, NO_CONTEXT))
    assert [c.text for c in reply.comments] == ["first", "second"]
    assert decode_time_cursor(reply.next_page_token, request) == (AT, "second")
    elsewhere = event_service_pb2.ListCommentsRequest(event_id="e-2", page_size=2)
    with pytest.raises(InvalidArgument):
        decode_time_cursor(reply.next_page_token, elsewhere)


def test_the_last_page_has_no_token() -> None:
    request = event_service_pb2.ListCommentsRequest(event_id="e-1", page_size=1)
    reply = asyncio.run(Servicer().ListComments(request, NO_CONTEXT))
    assert [c.text for c in reply.comments] == ["first"]
    assert reply.next_page_token == ""
