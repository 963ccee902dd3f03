"""Users, as the rest of the code talks about them. Pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from evently_platform.errors import Violations

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
MAX_DISPLAY_NAME_LENGTH = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class User:
    id: str
    email: str
    display_name: str
    password_hash: str
    create_time: datetime


@dataclass(frozen=True)
class UserCreated:
    user: User


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def validate_sign_up(email: str, password: str, display_name: str) -> None:
    """Raise InvalidArgument naming every field that is wrong."""
    problems = Violations()
    problems.check(bool(_EMAIL.match(email)) and len(email) <= 254, "email", "must be a valid e-mail address")
    problems.check(
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH,
        "password",
        f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long",
    )
    problems.check(password.strip().lower() != email, "password", "must not be the e-mail address")
    name = display_name.strip()
    problems.check(
        0 < len(name) <= MAX_DISPLAY_NAME_LENGTH,
        "display_name",
        f"is required, at most {MAX_DISPLAY_NAME_LENGTH} characters",
    )
    problems.raise_if_any()
