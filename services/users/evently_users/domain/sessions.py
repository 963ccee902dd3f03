"""Sessions that outlast an access token. Signing in starts a session and hands out a refresh
token; each use of it exchanges it for a new one (rotation), so a copied token works once. A
token presented again after its exchange was copied, or the session's holder is replaying it:
either way the whole session (its family of tokens) ends. Only a hash of each token is stored,
and a token is 256 random bits, so a fast hash suffices (no guessing to slow down). Pure Python."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from evently_platform.clock import new_id
from evently_platform.errors import FieldViolation, InvalidArgument

SESSION_TTL = timedelta(days=30)  # since the last refresh: a session used weekly never ends
MAX_REFRESH_TOKEN_LENGTH = 100  # ours are 43 characters


@dataclass
class Session:
    """One refresh token's record."""

    id: str
    user_id: str
    family_id: str  # the sign-in this token descends from
    token_hash: str
    create_time: datetime
    expire_time: datetime
    used_time: datetime | None = None  # exchanged for its successor

    def usable(self, now: datetime) -> bool:
        return self.used_time is None and now < self.expire_time


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user_id: str, now: datetime, *, family_id: str | None = None) -> tuple[Session, str]:
    """A new refresh token (returned once, in clear) and the record that stores its hash."""
    token = secrets.token_urlsafe(32)
    session = Session(
        id=new_id(),
        user_id=user_id,
        family_id=family_id or new_id(),
        token_hash=hash_token(token),
        create_time=now,
        expire_time=now + SESSION_TTL,
    )
    return session, token


def validate_refresh_token(token: str) -> None:
    if not 0 < len(token) <= MAX_REFRESH_TOKEN_LENGTH:
        raise InvalidArgument(
            [FieldViolation("refresh_token", f"must be 1 to {MAX_REFRESH_TOKEN_LENGTH} characters long")]
        )
