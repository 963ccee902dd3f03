"""Public keys that verify tokens: a local set, or the users service's set fetched and cached."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from evently_platform.logging import get_logger

log = get_logger(__name__)


def keys_from_jwks(document: dict[str, Any]) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for jwk in document.get("keys", []):
        if isinstance(jwk, dict) and isinstance(jwk.get("kid"), str):
            keys[jwk["kid"]] = jwt.PyJWK(jwk).key
    return keys


class StaticKeySource:
    def __init__(self, jwks: dict[str, Any]) -> None:
        self._keys = keys_from_jwks(jwks)

    async def key(self, kid: str) -> Any | None:
        return self._keys.get(kid)


class CachedKeySource:
    """Fetches the JWKS on first use, when it is older than `max_age`, and when a token names an
    unknown `kid` (a rotation). Fetches happen at most once per `min_refresh` seconds, so forged
    kids cannot hammer the users service; a token with a new kid waits for the next allowed
    fetch rather than being refused right after a rotation."""

    def __init__(
        self, fetch: Callable[[], Awaitable[bytes]], *, min_refresh: float = 1.0, max_age: float = 600.0
    ) -> None:
        self._fetch = fetch
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> Any | None:
        if kid not in self._keys or time.monotonic() - self._fetched_at > self._max_age:
            await self._refresh(kid)
        return self._keys.get(kid)

    async def _refresh(self, kid: str) -> None:
        asked_at = time.monotonic()
        async with self._lock:
            if self._fetched_at >= asked_at:
                # A fetch began after we asked, while we waited for the lock: its answer is as
                # fresh as ours would be. (Without this, every token naming an unknown kid
                # queued for a fetch of its own, one min_refresh apart.)
                return
            if kid in self._keys and time.monotonic() - self._fetched_at <= self._max_age:
                return  # another caller refreshed while we waited for the lock
            wait = self._fetched_at + self._min_refresh - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._fetched_at = time.monotonic()
            try:
                self._keys = keys_from_jwks(json.loads(await self._fetch()))
            except Exception as exc:  # keep the keys we had; the caller gets "unknown key"
                log.warning("jwks.fetch_failed", error=repr(exc))
