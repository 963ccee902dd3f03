"""Page tokens are opaque: what this service made comes back as its cursor, and anything else a
client sends — however crafted — is INVALID_ARGUMENT on page_token, never an error of ours."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from evently_platform.errors import InvalidArgument
from evently_platform.grpc.pagination import decode_time_cursor, encode_time_cursor


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_token_of_ours_comes_back_as_its_cursor() -> None:
    at = datetime(2027, 3, 1, 18, 30, tzinfo=UTC)
    assert decode_time_cursor(encode_time_cursor((at, "e1"))) == (at, "e1")
    elsewhere = datetime(2027, 3, 1, 19, 30, tzinfo=timezone(timedelta(hours=1)))
    assert decode_time_cursor(encode_time_cursor((elsewhere, "e1"))) == (at, "e1")


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        _token(b"[" * 50_000 + b"]" * 50_000),  # nested past the parser's recursion limit
        _token(json.dumps({"t": "2027-01-01T00:00:00", "i": "e1"}).encode()),  # no zone
        _token(json.dumps({"t": "9999-12-31T23:59:59-14:00", "i": "e1"}).encode()),  # past 9999 in UTC
        _token(json.dumps({"t": "2027-01-01T00:00:00Z", "i": {"a": 1}}).encode()),
        _token(json.dumps({"t": 5, "i": "e1"}).encode()),
        _token(b'{"t": "2027-01-01T00:00:00Z", "i": "' + b"9" * 10 + b'"'),  # cut short
    ],
)
def test_anything_else_is_invalid_argument_on_the_page_token(token: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        decode_time_cursor(token)
    assert [v.field for v in refused.value.violations] == ["page_token"]
