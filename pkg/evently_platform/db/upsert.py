"""A row saved whether or not it exists yet, in one atomic statement:
`INSERT .. ON CONFLICT (key) DO UPDATE SET .. = excluded..`, the same SQL on SQLite (3.24 and
later) and PostgreSQL.

Not an UPDATE followed by an INSERT when nothing matched: that is two statements where the row is
new, and on PostgreSQL two writers saving the same new row at once both find nothing to update,
and the second INSERT fails. Written as text because SQLAlchemy 2.0 does not cache its dialects'
ON CONFLICT inserts (see evently_platform.messaging.inbox); one statement is compiled per table
and set of columns, with each column's own type binding its value (times, JSON)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from sqlalchemy import Connection, Table, bindparam, text
from sqlalchemy.sql.elements import TextClause


def upsert(connection: Connection, table: Table, row: Mapping[str, object], *, key: tuple[str, ...]) -> None:
    """Insert `row` into `table`, or update the row with the same `key` columns to it."""
    connection.execute(_statement(table, key, tuple(row)), dict(row))


@functools.cache
def _statement(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> TextClause:
    missing = [name for name in (*key, *columns) if name not in table.c]
    if missing or not set(key) <= set(columns):
        raise ValueError(f"{table.name}: the row must hold its key {key} and only columns: {missing}")
    names = ", ".join(f'"{name}"' for name in columns)
    values = ", ".join(f":{name}" for name in columns)
    changes = ", ".join(f'"{name}" = excluded."{name}"' for name in columns if name not in key)
    on_conflict = f"DO UPDATE SET {changes}" if changes else "DO NOTHING"
    conflict = ", ".join(f'"{name}"' for name in key)
    return text(
        f'INSERT INTO "{table.name}" ({names}) VALUES ({values}) ON CONFLICT ({conflict}) {on_conflict}'
    ).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))
