"""The one claim statement the workers share: mark a batch of due rows as taken and read them
back, in one `UPDATE ... WHERE key IN (SELECT ... LIMIT n) RETURNING ...`.

On PostgreSQL the inner select locks with `FOR UPDATE SKIP LOCKED`, so instances claiming at
once take disjoint batches without waiting for each other; SQLite has one writer at a time, so
a second claimer sees the first one's marks. What "taken" means is the caller's: a lease (a due
time pushed into the future, which brings the row back if its claimer dies) or a final state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Row, Table, case, func, literal, select, update

from evently_platform.db.engine import is_postgres


@dataclass(frozen=True)
class KeyQuota:
    """At most `per_key` rows of one key (e.g. one webhook endpoint) in flight: a claim takes no
    more of a key than it has left, counting the `in_flight` ones of this worker."""

    column: Column[Any]
    per_key: int
    in_flight: Mapping[str, int] = field(default_factory=dict)


def claim_rows(
    connection: Connection,
    table: Table,
    *,
    where: Sequence[ColumnElement[bool]],
    order_by: Column[Any],
    limit: int,
    values: Mapping[str, Any],
    quota: KeyQuota | None = None,
) -> list[Row[Any]]:
    """Rows matching `where`, the first `limit` by `order_by`, updated with `values`; returned
    in `order_by` order (in none when `values` overwrites that column)."""
    if limit <= 0:
        return []
    [key] = table.primary_key.columns
    if quota is None:
        candidates = select(key).where(*where).order_by(order_by).limit(limit)
    else:
        # Rank each key's due rows, keep those within what the key has left. (The ranking sits in
        # a subquery: PostgreSQL allows no FOR UPDATE beside a window function.)
        rank = func.row_number().over(partition_by=quota.column, order_by=order_by)
        ranked = select(key.label("k"), quota.column.label("g"), rank.label("rank")).where(*where).subquery()
        left = {g: quota.per_key - n for g, n in quota.in_flight.items() if n > 0}
        allowed: ColumnElement[Any] = (
            case(left, value=ranked.c.g, else_=quota.per_key) if left else literal(quota.per_key)
        )
        within = select(ranked.c.k).where(ranked.c.rank <= allowed)
        candidates = select(key).where(key.in_(within)).order_by(order_by).limit(limit)
    if is_postgres(connection.engine):
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = connection.execute(
        update(table).where(key.in_(candidates.scalar_subquery())).values(**values).returning(*table.c)
    )
    # RETURNING promises no order.
    return sorted(claimed, key=lambda row: row._mapping[order_by.name])
