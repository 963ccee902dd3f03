"""Every gRPC method of every service, called with each field at the edges of its type — empty,
huge, negative, out of range, unknown enum values, timestamps no date can hold, control
characters — with and without an access token, and with request bytes that are not a message
at all: no answer may be INTERNAL or UNKNOWN (a bug's answer), and the services stay up."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from evently.events.v1 import event_service_pb2
from evently.notifier.v1 import notifier_service_pb2
from evently.users.v1 import user_service_pb2
from evently_platform.clock import new_id
from evently_users.adapters.signing_keys import SigningKeyStore
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from tests.services.conftest import Services
from tests.services.venue import build_events_service, build_notifier_service, build_users_service

SERVICES = {
    "users": user_service_pb2.DESCRIPTOR.services_by_name["UserService"],
    "events": event_service_pb2.DESCRIPTOR.services_by_name["EventService"],
    "notifier": notifier_service_pb2.DESCRIPTOR.services_by_name["NotifierService"],
}
# Methods that would end the fuzzing account midway; the access tests cover them.
SKIPPED = {"DeleteUser"}
BUG_CODES = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}

STRINGS = ["", " ", "x" * 100_000, "\x00\x1b[31m\r\n", "🙂" * 2_000, "../../etc/passwd", "*", "-", "me"]
INT32 = [0, -1, 2**31 - 1, -(2**31)]
INT64 = [0, -1, 2**63 - 1, -(2**63)]
UINT = [0, 2**32 - 1]
# Timestamps: before year 1, after 9999, nanos past a second, and negative nanos.
TIMESTAMPS = [(-62_135_596_801, 0), (253_402_300_800, 0), (0, 1_000_000_000), (1, -1), (2**62, 0)]
RAW_BODIES = [b"\xff\xff\xff\xff", b"\x0a\xff\xff\xff\xff\x0f", b"\x0a\x05abc", b"\x08" + b"\xff" * 10]


def _edges(field: FieldDescriptor, depth: int) -> Iterator[Any]:
    """Values at the edges of a field's type (as setters for a message of its type)."""
    if field.is_repeated:
        if field.type == FieldDescriptor.TYPE_STRING:
            yield ["x"] * 10_000
            yield ["", "\x00", "x" * 10_000]
        elif field.type == FieldDescriptor.TYPE_MESSAGE and depth == 0:
            yield [{}] * 1_000
        return
    kind = field.type
    if kind == FieldDescriptor.TYPE_STRING:
        yield from STRINGS
    elif kind == FieldDescriptor.TYPE_BYTES:
        yield b"\x00" * 100_000
    elif kind in (FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32):
        yield from INT32
    elif kind in (FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64):
        yield from INT64
    elif kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED32):
        yield from UINT
    elif kind == FieldDescriptor.TYPE_BOOL:
        yield True
    elif kind == FieldDescriptor.TYPE_ENUM:
        assert field.enum_type is not None
        yield from [value.number for value in field.enum_type.values]
        yield 99  # unknown to the server
    elif kind == FieldDescriptor.TYPE_MESSAGE:
        message = field.message_type
        assert message is not None
        if message.full_name == "google.protobuf.Timestamp":
            yield from ({"seconds": s, "nanos": n} for s, n in TIMESTAMPS)
        elif message.full_name == "google.protobuf.FieldMask":
            yield {"paths": ["no_such_field"]}
            yield {"paths": ["", "a.b.c", "x" * 10_000]}
        elif depth == 0:
            yield {}
            for inner in message.fields:
                for value in _edges(inner, depth + 1):
                    yield {inner.name: value}


def _requests(method: MethodDescriptor) -> Iterator[tuple[str, Message]]:
    request_type: Descriptor = method.input_type
    cls = GetMessageClass(request_type)
    yield "empty", cls()
    for field in request_type.fields:
        for value in _edges(field, 0):
            request = cls()
            try:
                _assign(request, field, value)
            except (ValueError, TypeError):
                continue  # the client library itself refuses it: nothing reaches the server
            yield f"{field.name}={_short(value)}", request


def _assign(message: Message, field: FieldDescriptor, value: Any) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.is_repeated:
            container = getattr(message, field.name)
            for item in value:
                _fill(container.add(), item)
        else:
            _fill(getattr(message, field.name), value)
            getattr(message, field.name).SetInParent()
    elif field.is_repeated:
        getattr(message, field.name).extend(value)
    else:
        setattr(message, field.name, value)


def _fill(message: Message, values: dict[str, Any]) -> None:
    fields: Any = message.DESCRIPTOR.fields_by_name  # upb's and python's descriptors alike
    for name, value in values.items():
        _assign(message, fields[name], value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


@pytest.fixture
async def channels(services: Services) -> dict[str, grpc.aio.Channel]:
    return {
        "users": await services.start(build_users_service),
        "events": await services.start(build_events_service),
        "notifier": await services.start(build_notifier_service),
    }


async def _call(
    channel: grpc.aio.Channel, path: str, method: MethodDescriptor, body: bytes, metadata: Any
) -> grpc.StatusCode:
    if method.server_streaming:
        stream = channel.unary_stream(path)
        call = stream(body, metadata=metadata, timeout=0.3)
        try:
            async for _ in call:
                break  # one answer is enough: a live stream is working
            call.cancel()
            return grpc.StatusCode.OK
        except grpc.aio.AioRpcError as exc:
            return exc.code()
    unary = channel.unary_unary(path)
    try:
        await unary(body, metadata=metadata, timeout=10)
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


async def test_no_request_gets_a_bugs_answer(
    services: Services, channels: dict[str, grpc.aio.Channel]
) -> None:
    issuer = SigningKeyStore(services.settings.users.signing_keys_dir).issuer()
    token = issuer.issue(new_id(), datetime.now(UTC)).token
    identities = {"anonymous": None, "signed in": (("authorization", f"Bearer {token}"),)}
    codes: Counter[str] = Counter()
    bugs: list[str] = []
    planned = 0
    for service, descriptor in SERVICES.items():
        channel = channels[service]
        for method in descriptor.methods:
            if method.name in SKIPPED:
                continue
            path = f"/{descriptor.full_name}/{method.name}"
            cases = [(label, request.SerializeToString()) for label, request in _requests(method)]
            cases += [(f"raw {body!r}", body) for body in RAW_BODIES]
            planned += len(cases) * len(identities)
            for who, metadata in identities.items():
                for label, body in cases:
                    code = await _call(channel, path, method, body, metadata)
                    codes[code.name] += 1
                    if code in BUG_CODES:
                        bugs.append(f"{method.name} {label} ({who}): {code.name}")
    print(f"\ncalls by answer: {dict(codes)}")  # the figures, for the log
    assert sum(codes.values()) == planned > 1_500  # every case of every method got an answer
    assert not bugs, "answered as bugs:\n" + "\n".join(bugs)
    # Still serving, all three, after everything above.
    for service, channel in channels.items():
        health = await _call(channel, "/grpc.health.v1.Health/Check", _health_method(), b"", None)
        assert health == grpc.StatusCode.OK, service


def _health_method() -> MethodDescriptor:
    from grpc_health.v1 import health_pb2

    method: MethodDescriptor = health_pb2.DESCRIPTOR.services_by_name["Health"].methods_by_name["Check"]
    return method
