"""Users, as the rest of the code talks about them. Pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from evently_platform.errors import FieldViolation, InvalidArgument, Violations
from evently_platform.time_words import DEFAULT_ZONE, is_zone

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2 takes any length; a cap keeps hashing cost bounded
MAX_EMAIL_LENGTH = 254  # RFC 5321's longest path
MAX_DISPLAY_NAME_LENGTH = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

UPDATABLE_FIELDS = ("display_name", "time_zone", "password")


@dataclass
class User:
    id: str
    email: str
    display_name: str
    password_hash: str
    create_time: datetime
    update_time: datetime
    time_zone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class UserCreated:
    user: User


@dataclass(frozen=True)
class UserUpdated:
    """Public details changed (not the password: that is PasswordChanged)."""

    user: User
    changed_fields: tuple[str, ...]


@dataclass(frozen=True)
class UserDeleted:
    user_id: str
    delete_time: datetime


@dataclass(frozen=True)
class PasswordChanged:
    user_id: str
    change_time: datetime


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def check_password(problems: Violations, field: str, password: str, email: str) -> None:
    """NIST SP 800-63B: length matters, composition rules do not; the e-mail is no password."""
    problems.check(
        MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH,
        field,
        f"must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long",
    )
    lowered = password.strip().lower()
    local_part = email.split("@", 1)[0]
    problems.check(
        lowered != email and not (len(local_part) >= 4 and lowered == local_part),
        field,
        "must not be the e-mail address",
    )


def check_display_name(problems: Violations, field: str, display_name: str) -> None:
    problems.check(
        0 < len(display_name.strip()) <= MAX_DISPLAY_NAME_LENGTH,
        field,
        f"is required, at most {MAX_DISPLAY_NAME_LENGTH} characters",
    )


def validate_sign_in(email: str, password: str) -> None:
    """Credentials no account can have are refused before any lookup (and never counted as a
    failed attempt, nor stored as a throttling key): over-long ones, or empty ones."""
    problems = Violations()
    problems.check(
        0 < len(email) <= MAX_EMAIL_LENGTH, "email", f"must be 1 to {MAX_EMAIL_LENGTH} characters long"
    )
    problems.check(
        0 < len(password) <= MAX_PASSWORD_LENGTH,
        "password",
        f"must be 1 to {MAX_PASSWORD_LENGTH} characters long",
    )
    problems.raise_if_any()


def check_time_zone(problems: Violations, field: str, time_zone: str) -> None:
    problems.check(is_zone(time_zone), field, 'must be an IANA time zone such as "Europe/Berlin" or "UTC"')


def validate_sign_up(email: str, password: str, display_name: str, time_zone: str = DEFAULT_ZONE) -> None:
    """Raise InvalidArgument naming every field that is wrong."""
    problems = Violations()
    problems.check(
        bool(_EMAIL.match(email)) and len(email) <= MAX_EMAIL_LENGTH,
        "email",
        "must be a valid e-mail address",
    )
    check_password(problems, "password", password, email)
    check_display_name(problems, "display_name", display_name)
    check_time_zone(problems, "time_zone", time_zone)
    problems.raise_if_any()


@dataclass(frozen=True)
class UserChanges:
    """What `UpdateUser` asks for: the mask's paths and the values they point at."""

    paths: tuple[str, ...]
    display_name: str = ""
    time_zone: str = ""
    new_password: str = ""
    current_password: str = ""
    password_field: str = "user.password"  # where the new password came from, for violations


def validate_changes(changes: UserChanges, email: str) -> None:
    if not changes.paths:
        raise InvalidArgument(
            [FieldViolation("update_mask", f"must name at least one of: {', '.join(UPDATABLE_FIELDS)}")]
        )
    problems = Violations()
    for path in changes.paths:
        if path not in UPDATABLE_FIELDS:
            problems.add("update_mask", f"{path!r} cannot be changed; allowed: {', '.join(UPDATABLE_FIELDS)}")
    if "display_name" in changes.paths:
        check_display_name(problems, "user.display_name", changes.display_name)
    if "time_zone" in changes.paths:
        check_time_zone(problems, "user.time_zone", changes.time_zone)
    if "password" in changes.paths:
        check_password(problems, changes.password_field, changes.new_password, email)
        problems.check(
            bool(changes.current_password), "current_password", "is required to change the password"
        )
    problems.raise_if_any()
