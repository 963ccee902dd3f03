"""What the users service can be asked to do: one command per use case, each typed with what
handling it answers (see evently_platform.bus)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evently_platform.auth.tokens import IssuedToken
from evently_platform.bus import Command

from evently_users.domain.model import User, UserChanges


@dataclass(frozen=True)
class SignedIn:
    """What a sign-in, a refresh or a password change answers: a short-lived access token, the
    refresh token that gets the next one (shown once), and the account."""

    access: IssuedToken
    refresh_token: str
    refresh_expire_time: datetime
    user: User


@dataclass(frozen=True)
class CreateUser(Command[User]):
    email: str
    password: str
    display_name: str
    time_zone: str = ""  # empty: UTC


@dataclass(frozen=True)
class Login(Command[SignedIn]):
    email: str
    password: str
    client: str = ""  # the caller's network address, when known


@dataclass(frozen=True)
class RefreshSession(Command[SignedIn]):
    refresh_token: str


@dataclass(frozen=True)
class Logout(Command[None]):
    refresh_token: str


@dataclass(frozen=True)
class GetUser(Command[User]):
    user_id: str


@dataclass(frozen=True)
class UpdateUser(Command[User]):
    caller_id: str
    requested_id: str  # "me" or the caller's own id
    changes: UserChanges


@dataclass(frozen=True)
class ChangePassword(Command[SignedIn]):
    caller_id: str
    current_password: str
    new_password: str


@dataclass(frozen=True)
class RequestPasswordReset(Command[None]):
    email: str


@dataclass(frozen=True)
class ResetPassword(Command[None]):
    token: str
    new_password: str


@dataclass(frozen=True)
class DeleteUser(Command[None]):
    caller_id: str
    requested_id: str  # "me" or the caller's own id
