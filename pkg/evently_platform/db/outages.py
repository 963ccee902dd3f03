"""Which database errors mean "not now" rather than "this statement is wrong": the line between
UNAVAILABLE (retry) and a bug."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLite's primary result codes that mean "not now" (busy, locked, out of memory, read-only, I/O,
# disk full, cannot open, protocol), not "this statement is wrong": sqlite3 raises
# OperationalError for syntax errors and missing tables too.
_SQLITE_OUTAGES = frozenset({5, 6, 7, 8, 10, 13, 14, 15})


def is_outage(exc: BaseException) -> bool:
    """Errors that say the database cannot do work now, rather than that our statement is wrong."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    return sqlite_code is None or sqlite_code & 0xFF in _SQLITE_OUTAGES


def outage_summary(exc: BaseException) -> str | None:
    """One line saying why the database could not work, when `exc` is an outage (raw, or mapped to
    Unavailable); None when it is something else (a bug, whose traceback is worth logging)."""
    from evently_platform.errors import Unavailable

    cause = exc.__cause__ if isinstance(exc, Unavailable) and exc.__cause__ is not None else exc
    if not (isinstance(exc, Unavailable) or is_outage(cause)):
        return None
    first_line = (str(cause).splitlines() or [""])[0][:200]
    return f"{type(cause).__name__}: {first_line}"
