"""Who is calling: set per request by the auth interceptor, read by servicers."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from evently_platform.errors import PermissionDenied, Unauthenticated

# Held by tokens that `evently operator-token` mints from the signing key (never by a sign-in):
# the methods that run the system (dead letters) ask for it.
OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    user_id: str
    roles: frozenset[str] = frozenset()


_current: ContextVar[Principal | None] = ContextVar("evently_principal", default=None)


def current_principal() -> Principal | None:
    return _current.get()


def require_principal() -> Principal:
    principal = _current.get()
    if principal is None:
        raise Unauthenticated("this method needs an access token: send `authorization: Bearer <token>`")
    return principal


def require_operator() -> Principal:
    principal = require_principal()
    if OPERATOR not in principal.roles:
        raise PermissionDenied("this method is for operators: use a token from `evently operator-token`")
    return principal


def set_principal(principal: Principal | None) -> object:
    return _current.set(principal)


def reset_principal(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
