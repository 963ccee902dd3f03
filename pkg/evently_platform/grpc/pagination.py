"""Opaque page tokens (AIP-158): a base64url JSON cursor the client must not interpret, bound to
the request it continues: a token reused with other filters is INVALID_ARGUMENT, not a page of
something else."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message

from evently_platform.errors import FieldViolation, InvalidArgument
from evently_platform.paging import Cursor, PageRequest

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument([FieldViolation("page_size", "must not be negative")])
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def filters_of(request: Message) -> str:
    """A digest of everything in a list request but its paging: what a token is bound to."""
    filters = type(request)()
    filters.CopyFrom(request)
    for paging in ("page_size", "page_token"):
        if paging in filters.DESCRIPTOR.fields_by_name:
            filters.ClearField(paging)
    return hashlib.sha256(filters.SerializeToString(deterministic=True)).hexdigest()[:16]


def encode_token(cursor: dict[str, Any], request: Message) -> str:
    bound = {**cursor, "f": filters_of(request)}
    return base64.urlsafe_b64encode(json.dumps(bound, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str, request: Message) -> dict[str, Any] | None:
    """The cursor in a token this method made for these same filters; None for the first page."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        cursor = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):  # anything may be sent
        cursor = None
    if not isinstance(cursor, dict):
        raise InvalidArgument([FieldViolation("page_token", "is not a token returned by this method")])
    if cursor.pop("f", None) != filters_of(request):
        raise InvalidArgument(
            [FieldViolation("page_token", "was made for other filters: start again without it")]
        )
    return cursor


def encode_time_cursor(cursor: Cursor | None, request: Message) -> str:
    """The next page's token for `request`'s filters; "" on the last page."""
    return encode_token({"t": cursor[0].isoformat(), "i": cursor[1]}, request) if cursor else ""


def decode_time_cursor(token: str, request: Message) -> Cursor | None:
    cursor = decode_token(token, request)
    if cursor is None:
        return None
    try:
        time, key = datetime.fromisoformat(cursor["t"]), cursor["i"]
        if time.tzinfo is None or not isinstance(key, str):
            raise ValueError("not a cursor of ours")
        return time.astimezone(UTC), key
    except (KeyError, TypeError, ValueError, OverflowError):
        raise InvalidArgument(
            [FieldViolation("page_token", "is not a token returned by this method")]
        ) from None


def page_request(request: Message) -> PageRequest:
    """The page a list request asks for: its `page_token` (bound to its filters) and size."""
    return PageRequest(
        after=decode_time_cursor(request.page_token, request),  # type: ignore[attr-defined]
        size=page_size(request.page_size),  # type: ignore[attr-defined]
    )
