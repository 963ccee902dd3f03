"""The cached JWKS: a rotation is picked up by one fetch, and tokens naming kids nobody knows
share that fetch instead of queueing for one each."""

from __future__ import annotations

import asyncio
import json

from cryptography.hazmat.primitives.asymmetric import ec
from evently_platform.auth.jwks import CachedKeySource
from evently_platform.auth.tokens import public_jwk


class Users:
    """The users service's JWKS endpoint, counting the fetches."""

    def __init__(self) -> None:
        self.jwk = public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())
        self.fetches = 0

    async def fetch(self) -> bytes:
        self.fetches += 1
        await asyncio.sleep(0)
        return json.dumps({"keys": [self.jwk]}).encode()


async def test_many_unknown_kids_at_once_share_one_fetch() -> None:
    users = Users()
    keys = CachedKeySource(users.fetch, min_refresh=0.05)
    assert await keys.key(users.jwk["kid"]) is not None
    assert users.fetches == 1

    found = await asyncio.gather(*(keys.key(f"forged-{n}") for n in range(30)))
    assert found == [None] * 30
    assert users.fetches == 2  # one more, for all thirty


async def test_a_new_kid_after_a_rotation_is_found_by_the_next_fetch() -> None:
    users = Users()
    keys = CachedKeySource(users.fetch, min_refresh=0.01)
    old = users.jwk["kid"]
    assert await keys.key(old) is not None
    users.jwk = public_jwk(ec.generate_private_key(ec.SECP256R1()).public_key())  # rotated
    assert await keys.key(users.jwk["kid"]) is not None
    assert users.fetches == 2
