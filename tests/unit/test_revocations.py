"""The set of deleted accounts whose tokens are refused: it holds what a token could still need
and forgets what no valid token can name any more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from evently_platform.auth.revocations import Revocations


def test_a_deleted_account_is_revoked_and_forgotten_once_its_tokens_have_expired() -> None:
    revocations = Revocations(cast(Any, None), window=timedelta(minutes=20))
    now = datetime.now(UTC)
    revocations.add("old", now - timedelta(minutes=25))
    revocations.add("recent", now - timedelta(minutes=1))
    assert revocations.revoked("recent")
    assert not revocations.revoked("old")  # every token it was issued has expired
    assert not revocations.revoked("someone-else")
