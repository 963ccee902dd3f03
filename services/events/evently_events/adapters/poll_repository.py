"""Polls and people's answers, stored with SQLAlchemy Core."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently_platform.db.engine import is_postgres
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from evently_events.adapters.tables import poll_answers, polls
from evently_events.domain.polls import Answer, Ballot, Poll, PollKind, PollOption, PollState

_POLL = select(polls).where(polls.c.id == bindparam("b_id"))
_LOCKED_POLL = _POLL.with_for_update()


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _to_poll(row: Any) -> Poll:
    return Poll(
        id=row.id,
        event_id=row.event_id,
        kind=PollKind(row.kind),
        state=PollState(row.state),
        options=[
            PollOption(
                id=o["id"],
                start_time=_time(o.get("start_time")),
                end_time=_time(o.get("end_time")),
                location=o.get("location", ""),
                text=o.get("text", ""),
            )
            for o in row.options
        ],
        close_time=row.close_time,
        create_time=row.create_time,
        winner_option_id=row.winner_option_id,
        closed_time=row.closed_time,
    )


def _options(poll: Poll) -> list[dict[str, Any]]:
    return [
        {
            "id": o.id,
            "start_time": o.start_time.isoformat() if o.start_time else None,
            "end_time": o.end_time.isoformat() if o.end_time else None,
            "location": o.location,
            "text": o.text,
        }
        for o in poll.options
    ]


class SqlPollRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, poll: Poll) -> None:
        self._connection.execute(
            insert(polls),
            {
                "id": poll.id,
                "event_id": poll.event_id,
                "kind": poll.kind.value,
                "state": poll.state.value,
                "options": _options(poll),
                "close_time": poll.close_time,
                "create_time": poll.create_time,
                "winner_option_id": poll.winner_option_id,
                "closed_time": poll.closed_time,
            },
        )

    def get(self, poll_id: str) -> Poll | None:
        row = self._connection.execute(_POLL, {"b_id": poll_id}).first()
        return _to_poll(row) if row else None

    def get_for_update(self, poll_id: str) -> Poll | None:
        """Locked until the transaction ends, so that a vote and the close never interleave.
        (SQLite needs no row lock: a writing transaction already holds the database lock.)"""
        query = _LOCKED_POLL if is_postgres(self._connection.engine) else _POLL
        row = self._connection.execute(query, {"b_id": poll_id}).first()
        return _to_poll(row) if row else None

    def save(self, poll: Poll) -> None:
        self._connection.execute(
            update(polls)
            .where(polls.c.id == poll.id)
            .values(
                state=poll.state.value, winner_option_id=poll.winner_option_id, closed_time=poll.closed_time
            )
        )

    def list_for_event(self, event_id: str) -> list[Poll]:
        query = (
            select(polls)
            .where(polls.c.event_id == event_id)
            .order_by(polls.c.create_time.desc(), polls.c.id.desc())
        )
        return [_to_poll(r) for r in self._connection.execute(query)]

    def due(self, now: datetime, limit: int) -> list[str]:
        """Open polls whose close time has come, soonest first."""
        query = (
            select(polls.c.id)
            .where(polls.c.state == PollState.OPEN.value, polls.c.close_time <= now)
            .order_by(polls.c.close_time)
            .limit(limit)
        )
        return list(self._connection.execute(query).scalars())

    def ballots(self, poll_id: str) -> list[Ballot]:
        rows = self._connection.execute(
            select(poll_answers)
            .where(poll_answers.c.poll_id == poll_id)
            .order_by(poll_answers.c.user_id, poll_answers.c.option_id)
        )
        by_user: dict[str, dict[str, Answer]] = {}
        for row in rows:
            by_user.setdefault(row.user_id, {})[row.option_id] = Answer(row.answer)
        return [Ballot(user, answers) for user, answers in by_user.items()]

    def put_answers(self, poll_id: str, user_id: str, answers: dict[str, Answer], now: datetime) -> None:
        mine = (poll_answers.c.poll_id == poll_id) & (poll_answers.c.user_id == user_id)
        self._connection.execute(
            delete(poll_answers).where(mine, poll_answers.c.option_id.in_(list(answers)))
        )
        self._connection.execute(
            insert(poll_answers),
            [
                {
                    "poll_id": poll_id,
                    "user_id": user_id,
                    "option_id": o,
                    "answer": a.value,
                    "update_time": now,
                }
                for o, a in answers.items()
            ],
        )

    def yes_voters(self, poll_id: str, option_id: str) -> list[str]:
        query = (
            select(poll_answers.c.user_id)
            .where(
                poll_answers.c.poll_id == poll_id,
                poll_answers.c.option_id == option_id,
                poll_answers.c.answer == Answer.YES.value,
            )
            .order_by(poll_answers.c.update_time, poll_answers.c.user_id)
        )
        return list(self._connection.execute(query).scalars())

    def delete_for_event(self, event_id: str) -> None:
        ids = select(polls.c.id).where(polls.c.event_id == event_id)
        self._connection.execute(delete(poll_answers).where(poll_answers.c.poll_id.in_(ids)))
        self._connection.execute(delete(polls).where(polls.c.event_id == event_id))

    def delete_answers_of(self, user_id: str) -> None:
        self._connection.execute(delete(poll_answers).where(poll_answers.c.user_id == user_id))
