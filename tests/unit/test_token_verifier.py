"""A token is verified once and its principal remembered until the token expires; a
remembered token is still refused the moment its session ends, and once it expires."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.jwks import StaticKeySource
from evently_platform.auth.tokens import TokenIssuer, TokenVerifier, public_jwk
from evently_platform.errors import Unauthenticated

KEY = ec.generate_private_key(ec.SECP256R1())


class CountingKeys:
    """The real key set, counting how often a verification needed the key."""

    def __init__(self) -> None:
        self._keys = StaticKeySource({"keys": [public_jwk(KEY.public_key())]})
        self.lookups = 0

    async def key(self, kid: str) -> Any | None:
        self.lookups += 1
        return await self._keys.key(kid)


class Ended:
    def __init__(self) -> None:
        self.before: dict[str, float] = {}

    def revoked(self, user_id: str, issued_at: float) -> bool:
        return issued_at < self.before.get(user_id, float("-inf"))


def test_a_token_is_verified_once_for_many_calls() -> None:
    keys = CountingKeys()
    verifier = TokenVerifier(keys)
    token = TokenIssuer(KEY).issue("user-1", datetime.now(UTC)).token

    principals = [asyncio.run(verifier.verify(token)) for _ in range(5)]

    assert {p.user_id for p in principals} == {"user-1"}
    assert keys.lookups == 1


def test_a_remembered_token_is_refused_once_its_session_ends() -> None:
    ended = Ended()
    verifier = TokenVerifier(CountingKeys(), revocations=ended)
    issued = datetime.now(UTC)
    token = TokenIssuer(KEY).issue("user-1", issued).token
    assert asyncio.run(verifier.verify(token)).user_id == "user-1"

    ended.before["user-1"] = issued.timestamp() + 1  # the password changed after it was issued

    with pytest.raises(Unauthenticated) as refused:
        asyncio.run(verifier.verify(token))
    assert refused.value.reason == "SESSION_ENDED"


def test_a_remembered_token_is_refused_as_expired_once_it_expires() -> None:
    verifier = TokenVerifier(CountingKeys(), leeway=timedelta(0))
    token = TokenIssuer(KEY, ttl=timedelta(seconds=1)).issue("user-1", datetime.now(UTC)).token
    assert asyncio.run(verifier.verify(token)).user_id == "user-1"

    deadline = time.monotonic() + 10
    refusal = None
    while refusal is None:
        try:
            asyncio.run(verifier.verify(token))
        except Unauthenticated as refused:
            refusal = refused
        assert time.monotonic() < deadline, "an expired token was still accepted"
        time.sleep(0.05)
    assert refusal.reason == "TOKEN_EXPIRED"


def test_the_oldest_remembered_token_is_forgotten_first_when_full() -> None:
    keys = CountingKeys()
    verifier = TokenVerifier(keys, remember=2)
    issuer = TokenIssuer(KEY)
    first, second, third = (issuer.issue(f"user-{n}", datetime.now(UTC)).token for n in range(3))
    for token in (first, second, third):
        asyncio.run(verifier.verify(token))
    assert keys.lookups == 3

    asyncio.run(verifier.verify(third))  # remembered
    assert keys.lookups == 3
    asyncio.run(verifier.verify(first))  # forgotten for room: verified again
    assert keys.lookups == 4
