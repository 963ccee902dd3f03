"""The accounts whose tokens are refused: a deleted account's every token, a changed password's
older tokens; it holds what a token could still need and forgets what no valid token can name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from evently_platform.auth.revocations import Revocations


def _revocations() -> Revocations:
    return Revocations(cast(Any, None), window=timedelta(minutes=20))


def _seconds(at: datetime) -> float:
    return at.timestamp()


def test_a_deleted_account_is_revoked_and_forgotten_once_its_tokens_have_expired() -> None:
    revocations = _revocations()
    now = datetime.now(UTC)
    revocations.add("old", now - timedelta(minutes=25))
    revocations.add("recent", now - timedelta(minutes=1))
    assert revocations.revoked("recent", _seconds(now))  # whenever issued
    assert not revocations.revoked("old", _seconds(now - timedelta(minutes=26)))  # expired anyway
    assert not revocations.revoked("someone-else", _seconds(now))


def test_a_password_change_ends_the_tokens_issued_before_it_and_no_later_ones() -> None:
    revocations = _revocations()
    changed = datetime(2027, 3, 10, 18, 30, 0, 700_000, tzinfo=UTC)
    revocations.add("ann", changed, every_token=False)
    assert revocations.revoked("ann", _seconds(changed - timedelta(minutes=5)))
    # A session begun in the same second, before the change, ends too; the token the change
    # returns, issued a moment after it, goes on.
    assert revocations.revoked("ann", _seconds(changed - timedelta(milliseconds=300)))
    assert not revocations.revoked("ann", _seconds(changed + timedelta(milliseconds=1)))


def test_a_later_password_change_moves_the_line_and_a_deletion_ends_everything() -> None:
    revocations = _revocations()
    first = datetime.now(UTC) - timedelta(minutes=3)
    revocations.add("bo", first, every_token=False)
    revocations.add("bo", first + timedelta(minutes=1), every_token=False)
    assert revocations.revoked("bo", _seconds(first + timedelta(seconds=30)))
    revocations.add("bo", first + timedelta(minutes=2))
    assert revocations.revoked("bo", _seconds(datetime.now(UTC)))
