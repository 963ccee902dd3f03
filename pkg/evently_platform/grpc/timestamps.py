"""Timestamps from requests: a `google.protobuf.Timestamp` may carry seconds or nanos that no
datetime can hold; such a field is the caller's mistake (INVALID_ARGUMENT naming it), not ours."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.message import Message

from evently_platform.errors import FieldViolation, InvalidArgument

RANGE = "must be a valid timestamp between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z"


def optional_time(message: Message, field: str, path: str) -> datetime | None:
    """`message.field` as an aware UTC datetime, None when unset; `path` names it in the error."""
    if not message.HasField(field):
        return None
    try:
        return getattr(message, field).ToDatetime(tzinfo=UTC)  # type: ignore[no-any-return]
    except (ValueError, OverflowError):
        raise InvalidArgument([FieldViolation(path, RANGE)]) from None
