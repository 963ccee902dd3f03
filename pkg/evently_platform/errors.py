"""Typed errors raised by the core and mapped to gRPC status codes once, at the edge.

Pure Python on purpose: domain code raises these without knowing about gRPC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class FieldViolation:
    field: str
    description: str


class DomainError(Exception):
    """Base of every error the API reports to its caller with a specific status. `reason` is the
    machine-readable why (google.rpc.ErrorInfo), e.g. SESSION_ENDED; by default the error's kind."""

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).upper()


class InvalidArgument(DomainError):
    def __init__(self, violations: list[FieldViolation], message: str | None = None) -> None:
        summary = "; ".join(f"{v.field}: {v.description}" for v in violations)
        super().__init__(message or f"invalid request: {summary}")
        self.violations = violations


class NotFound(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class FailedPrecondition(DomainError):
    pass


class Unauthenticated(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class ResourceExhausted(DomainError):
    """Too much of something; `retry_after` tells the caller when trying again can succeed."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the call needs (its database, the broker) cannot be reached right now: the same
    call may well succeed after `retry_after`. Clients retry on it; it is not a bug."""

    def __init__(self, message: str, retry_after: timedelta | None = timedelta(seconds=1)) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Violations:
    """Collects every problem with a request so they are all reported at once."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self._items.append(FieldViolation(field, description))

    def check(self, condition: bool, field: str, description: str) -> None:
        if not condition:
            self.add(field, description)

    def raise_if_any(self) -> None:
        if self._items:
            raise InvalidArgument(list(self._items))
