"""JWT access tokens: ES256 signatures, `kid` header, required claims (RFC 8725 practice)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from evently_platform.auth.principal import Principal
from evently_platform.errors import Unauthenticated

ALGORITHM = "ES256"  # fixed in code, never taken from the token
ISSUER = "evently-users"
AUDIENCE = "evently"


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, Any]:
    """The key as a JWK with `kid` = its RFC 7638 thumbprint."""
    jwk: dict[str, Any] = json.loads(ECAlgorithm.to_jwk(public_key))
    canonical = json.dumps(
        {k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"), sort_keys=True
    )
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expire_time: datetime


class TokenIssuer:
    def __init__(
        self, private_key: ec.EllipticCurvePrivateKey, *, ttl: timedelta = timedelta(minutes=15)
    ) -> None:
        self._key = private_key
        self._kid = public_jwk(private_key.public_key())["kid"]
        self._ttl = ttl

    @property
    def kid(self) -> str:
        return str(self._kid)

    def issue(self, user_id: str, now: datetime, *, roles: Sequence[str] = ()) -> IssuedToken:
        expire = now + self._ttl
        # `iat` to the microsecond (a NumericDate may have a fraction): a session that began in the
        # same second as a password change, but before it, must end with the others.
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "iat": now.timestamp(),
            "exp": expire,
        }
        if roles:
            claims["roles"] = sorted(roles)
        token = jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self._kid})
        return IssuedToken(token=token, expire_time=expire)


class KeySource(Protocol):
    async def key(self, kid: str) -> Any | None:
        """The public key with this id, or None when it is unknown."""
        ...


class Revoked(Protocol):
    def revoked(self, user_id: str, issued_at: float) -> bool:
        """True when this account's token issued at `issued_at` (epoch seconds) must be refused:
        the account was deleted, or its password changed after."""
        ...


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    issued_at: float
    usable_until: float  # `exp` plus the leeway, epoch seconds


class TokenVerifier:
    """Checks an access token's signature and claims once, then remembers the principal it names
    until the token expires: a client calls many times with one token, and an ES256 verification
    costs more than the rest of a small call's authentication together. Revocations are asked on
    every call, remembered or not, so a deleted account's session ends at once either way."""

    def __init__(
        self,
        keys: KeySource,
        *,
        leeway: timedelta = timedelta(seconds=30),
        revocations: Revoked | None = None,
        remember: int = 4096,
        now: Callable[[], float] = time.time,
    ) -> None:
        if remember < 1:
            raise ValueError("remember must be at least 1")
        self._keys = keys
        self._leeway = leeway
        self._revocations = revocations
        self._remember = remember
        self._now = now
        self._verified: dict[str, _Verified] = {}  # oldest first

    async def verify(self, token: str) -> Principal:
        verified = self._verified.get(token)
        if verified is None or self._now() >= verified.usable_until:
            # Unknown or expired: the full check (which names an expired token as such).
            self._verified.pop(token, None)
            verified = await self._check(token)
            if len(self._verified) >= self._remember:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = verified
        principal = verified.principal
        if self._revocations is not None and self._revocations.revoked(principal.user_id, verified.issued_at):
            raise Unauthenticated(
                "this session has ended (the account was deleted or its password changed): sign in again",
                reason="SESSION_ENDED",
            )
        return principal

    async def _check(self, token: str) -> _Verified:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed access token") from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or header.get("alg") != ALGORITHM:
            raise Unauthenticated("access token has no usable key id")
        key = await self._keys.key(kid)
        if key is None:
            raise Unauthenticated("access token signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("access token expired", reason="TOKEN_EXPIRED") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid access token: {exc}") from exc
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise Unauthenticated("invalid access token: roles must be a list of names")
        return _Verified(
            Principal(user_id=str(claims["sub"]), roles=frozenset(roles)),
            issued_at=float(claims["iat"]),
            usable_until=float(claims["exp"]) + self._leeway.total_seconds(),
        )
