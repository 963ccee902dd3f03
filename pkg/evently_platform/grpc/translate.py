"""Servicer methods that only translate, declared as one line each: the request becomes a command,
the service's bus handles it, and what it answers becomes the reply.

    class EventServicer(...):
        DeleteEvent = translated(
            DeleteEventRequest, lambda r: commands.DeleteEvent(caller_id(), r.id), empty
        )

Most methods of a service are nothing more, and written out as methods they are a signature
repeated thirty times around two lines that differ; declared this way, each reads as what it
translates and nothing else. A method that does more (a cache, a stream, a check of its own)
stays a method.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

import grpc
from google.protobuf import empty_pb2
from google.protobuf.message import Message

from evently_platform.auth.principal import require_principal
from evently_platform.bus import Command, MessageBus
from evently_platform.grpc.pagination import encode_time_cursor
from evently_platform.paging import Page

Request = TypeVar("Request", bound=Message)
Reply = TypeVar("Reply", bound=Message)
Result = TypeVar("Result")
Item = TypeVar("Item")

Method = Callable[[Any, Request, grpc.aio.ServicerContext], Coroutine[Any, Any, Reply]]


class HasBus(Protocol):
    """A servicer: what it translates goes to `bus`."""

    bus: MessageBus


def caller_id() -> str:
    """The signed-in caller's user id (UNAUTHENTICATED without one)."""
    return require_principal().user_id


def empty(_: object) -> empty_pb2.Empty:
    """The reply of a method that answers nothing."""
    return empty_pb2.Empty()


def translated(
    request_type: type[Request],
    to_command: Callable[[Request], Command[Result]],
    to_reply: Callable[[Result], Reply],
) -> Method[Request, Reply]:
    """A unary method: `to_command(request)` → the bus → `to_reply(result)`. `request_type` only
    types `to_command`'s argument."""

    async def method(servicer: HasBus, request: Request, context: grpc.aio.ServicerContext) -> Reply:
        return to_reply(await servicer.bus.handle(to_command(request)))

    return method


def listed(
    request_type: type[Request],
    to_command: Callable[[Request], Command[Page[Item]]],
    reply_type: type[Reply],
    items: str,
    to_proto: Callable[[Item], Message],
) -> Method[Request, Reply]:
    """A list method: the page the command answers, its items as `reply_type.<items>` and the
    next page's token (bound to this request's filters) as `next_page_token`."""

    async def method(servicer: HasBus, request: Request, context: grpc.aio.ServicerContext) -> Reply:
        page = await servicer.bus.handle(to_command(request))
        return page_reply(reply_type, items, page, to_proto, request)

    return method


def page_reply(
    reply_type: type[Reply],
    items: str,
    page: Page[Item],
    to_proto: Callable[[Item], Message],
    request: Message,
    **more: Any,
) -> Reply:
    """`page` as a list method's reply: its items in the field `items`, the next page's token."""
    fields = {
        items: [to_proto(item) for item in page.items],
        "next_page_token": encode_time_cursor(page.next_cursor, request),
        **more,
    }
    return reply_type(**fields)
