"""Opaque page tokens (AIP-158): a base64url JSON cursor the client must not interpret."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any

from evently_platform.errors import FieldViolation, InvalidArgument

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument([FieldViolation("page_size", "must not be negative")])
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_token(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any] | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        cursor = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):  # anything may be sent
        cursor = None
    if not isinstance(cursor, dict):
        raise InvalidArgument([FieldViolation("page_token", "is not a token returned by this method")])
    return cursor


# Most lists page by (a time, an id): the position after the last item of the previous page.
TimeCursor = tuple[datetime, str]


def encode_time_cursor(cursor: TimeCursor | None) -> str:
    """The next page's token; "" on the last page."""
    return encode_token({"t": cursor[0].isoformat(), "i": cursor[1]}) if cursor else ""


def decode_time_cursor(token: str) -> TimeCursor | None:
    cursor = decode_token(token)
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
