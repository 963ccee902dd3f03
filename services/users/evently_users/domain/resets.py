"""Password resets by an e-mailed link: a single-use token, valid for an hour, stored only as its
hash (like a refresh token, 256 random bits need no slow hash). Pure Python."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from evently_platform.clock import new_id

from evently_users.domain.sessions import hash_token

RESET_TTL = timedelta(hours=1)
RESET_INTERVAL = timedelta(minutes=1)  # at most one e-mail a minute per account: no mail bombs
MAX_RESET_TOKEN_LENGTH = 100


@dataclass
class PasswordReset:
    id: str
    user_id: str
    token_hash: str
    create_time: datetime
    expire_time: datetime
    used_time: datetime | None = None

    def usable(self, now: datetime) -> bool:
        return self.used_time is None and now < self.expire_time


@dataclass(frozen=True)
class PasswordResetRequested:
    """The link's token goes to the notifier, which e-mails it to the account's address."""

    user_id: str
    token: str
    expire_time: datetime


def start_reset(user_id: str, now: datetime) -> tuple[PasswordReset, str]:
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(new_id(), user_id, hash_token(token), now, now + RESET_TTL)
    return reset, token
