"""Comments stored with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from evently_events.adapters.tables import comments
from evently_events.domain.comments import Comment, CommentState
from evently_events.service_layer.ports import Cursor


def _to_comment(row: Any) -> Comment:
    return Comment(
        id=row.id,
        event_id=row.event_id,
        author_id=row.author_id,
        text=row.text,
        create_time=row.create_time,
        parent_id=row.parent_id,
        update_time=row.update_time,
        state=CommentState(row.state),
        mention_ids=tuple(row.mention_ids or ()),
    )


class SqlCommentRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, comment: Comment) -> None:
        self._connection.execute(
            insert(comments).values(
                id=comment.id,
                event_id=comment.event_id,
                author_id=comment.author_id,
                text=comment.text,
                create_time=comment.create_time,
                parent_id=comment.parent_id,
                update_time=comment.update_time,
                state=comment.state.value,
                mention_ids=list(comment.mention_ids),
            )
        )

    def get(self, comment_id: str) -> Comment | None:
        row = self._connection.execute(select(comments).where(comments.c.id == comment_id)).first()
        return _to_comment(row) if row else None

    def save(self, comment: Comment) -> None:
        self._connection.execute(
            update(comments)
            .where(comments.c.id == comment.id)
            .values(
                text=comment.text,
                update_time=comment.update_time,
                state=comment.state.value,
                mention_ids=list(comment.mention_ids),
            )
        )

    def authors_among(self, event_id: str, user_ids: Collection[str]) -> set[str]:
        """Which of these people commented on the event."""
        if not user_ids:
            return set()
        query = select(comments.c.author_id).where(
            comments.c.event_id == event_id, comments.c.author_id.in_(list(user_ids))
        )
        return set(self._connection.execute(query).scalars())

    def list_for_event(self, event_id: str, *, after: Cursor | None, limit: int) -> list[Comment]:
        c = comments.c
        conditions: list[Any] = [c.event_id == event_id]
        if after is not None:
            time, key = after
            conditions.append(or_(c.create_time > time, and_(c.create_time == time, c.id > key)))
        statement = select(comments).where(*conditions).order_by(c.create_time, c.id).limit(limit)
        return [_to_comment(r) for r in self._connection.execute(statement)]

    def delete_for_event(self, event_id: str) -> None:
        self._connection.execute(delete(comments).where(comments.c.event_id == event_id))
