"""The events service's storage, in memory: repositories that honour the ports' contracts, for
use-case tests with no database.

Rows are kept as copies: a use case changing an object it read changes nothing stored until it
saves it and commits, as with a database.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from evently_events.domain.comments import Comment
from evently_events.domain.model import Event, EventState
from evently_events.domain.polls import Answer, Ballot, Poll, PollState
from evently_events.domain.registrations import Registration, RegistrationStatus
from evently_events.service_layer.ports import Cursor, EventQuery, UnitOfWork

from tests.fakes.memory import MemoryStore, MemoryUnitOfWork

_GOING_AHEAD = (EventState.SCHEDULED, EventState.PROPOSED)


@dataclass
class _Answer:
    answer: Answer
    update_time: datetime
    order: int  # ties on time are broken by who answered first, as the SQL order by id does


@dataclass
class Tables:
    events: dict[str, Event] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    polls: dict[str, Poll] = field(default_factory=dict)
    answers: dict[tuple[str, str, str], _Answer] = field(default_factory=dict)  # poll, user, option
    inbox: set[tuple[str, str]] = field(default_factory=set)  # consumer, message id


def _after(key: tuple[datetime, str], after: Cursor | None) -> bool:
    return after is None or key > after


class FakeEventRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.events

    def add(self, event: Event) -> None:
        assert event.id not in self._rows, "duplicate key"
        self._rows[event.id] = copy.deepcopy(event)

    def get(self, event_id: str) -> Event | None:
        return copy.deepcopy(self._rows.get(event_id))

    get_for_update = get  # one transaction at a time holds the store (see FakeUnitOfWork)

    def save(self, event: Event) -> None:
        self._rows[event.id] = copy.deepcopy(event)

    def delete(self, event_id: str) -> None:
        self._rows.pop(event_id, None)

    def upcoming_organized_by(self, organizer_id: str, now: datetime) -> list[Event]:
        return [
            copy.deepcopy(e)
            for e in self._rows.values()
            if e.organizer_id == organizer_id and e.state in _GOING_AHEAD and e.end_time > now
        ]

    def list_page(self, query: EventQuery, *, after: Cursor | None, limit: int) -> list[Event]:
        def matches(e: Event) -> bool:
            text = f"{e.title}\n{e.description}".lower()
            return (
                (e.end_time <= query.now if query.past else e.end_time > query.now)
                and (query.include_cancelled or e.state in _GOING_AHEAD)
                and (not query.organizer_id or e.organizer_id == query.organizer_id)
                and (query.start_after is None or e.start_time >= query.start_after)
                and (query.start_before is None or e.start_time < query.start_before)
                and all(word.lower() in text for word in query.words)
            )

        found = sorted(
            (e for e in self._rows.values() if matches(e)),
            key=lambda e: (e.start_time, e.id),
            reverse=query.past,
        )
        if after is not None:
            found = [
                e
                for e in found
                if ((e.start_time, e.id) < after if query.past else (e.start_time, e.id) > after)
            ]
        return copy.deepcopy(found[:limit])


class FakeRegistrationRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.registrations

    def add(self, registration: Registration) -> None:
        assert registration.id not in self._rows, "duplicate key"
        assert self.get_for(registration.event_id, registration.user_id) is None, "one per person and event"
        self._rows[registration.id] = copy.deepcopy(registration)

    def save(self, registration: Registration) -> None:
        self._rows[registration.id] = copy.deepcopy(registration)

    def get_for(self, event_id: str, user_id: str) -> Registration | None:
        return next(
            (copy.deepcopy(r) for r in self._rows.values() if (r.event_id, r.user_id) == (event_id, user_id)),
            None,
        )

    def count_confirmed(self, event_id: str) -> int:
        return sum(1 for r in self._of(event_id) if r.status is RegistrationStatus.CONFIRMED)

    def first_waitlisted(self, event_id: str, limit: int = 1) -> list[Registration]:
        return copy.deepcopy(self._waitlist(event_id)[:limit])

    def waitlist_position(self, registration: Registration) -> int:
        if registration.status is not RegistrationStatus.WAITLISTED:
            return 0
        ids = [r.id for r in self._waitlist(registration.event_id)]
        return ids.index(registration.id) + 1

    def list_for_event(self, event_id: str, *, after: Cursor | None, limit: int) -> list[Registration]:
        return self._page([r for r in self._rows.values() if r.event_id == event_id], after, limit)

    def list_for_user(self, user_id: str, *, after: Cursor | None, limit: int) -> list[Registration]:
        return self._page([r for r in self._rows.values() if r.user_id == user_id], after, limit)

    def active_for_user(self, user_id: str) -> list[Registration]:
        return [copy.deepcopy(r) for r in self._rows.values() if r.user_id == user_id and r.active]

    def delete_for_event(self, event_id: str) -> None:
        for registration in self._of(event_id):
            del self._rows[registration.id]

    def counts(self, event_ids: list[str]) -> dict[str, tuple[int, int]]:
        found: dict[str, tuple[int, int]] = {}
        for event_id in event_ids:
            statuses = [r.status for r in self._of(event_id) if r.active]
            if statuses:
                confirmed = statuses.count(RegistrationStatus.CONFIRMED)
                found[event_id] = (confirmed, len(statuses) - confirmed)
        return found

    def _of(self, event_id: str) -> list[Registration]:
        return [r for r in self._rows.values() if r.event_id == event_id]

    def _waitlist(self, event_id: str) -> list[Registration]:
        waiting = [r for r in self._of(event_id) if r.status is RegistrationStatus.WAITLISTED]
        return sorted(waiting, key=lambda r: (r.queued_time, r.id))

    @staticmethod
    def _page(rows: list[Registration], after: Cursor | None, limit: int) -> list[Registration]:
        ordered = sorted(rows, key=lambda r: (r.create_time, r.id))
        return copy.deepcopy([r for r in ordered if _after((r.create_time, r.id), after)][:limit])


class FakeCommentRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.comments

    def add(self, comment: Comment) -> None:
        assert comment.id not in self._rows, "duplicate key"
        self._rows[comment.id] = comment  # frozen: no copy needed

    def get(self, comment_id: str) -> Comment | None:
        return self._rows.get(comment_id)

    def save(self, comment: Comment) -> None:
        self._rows[comment.id] = comment

    def authors_among(self, event_id: str, user_ids: Collection[str]) -> set[str]:
        return {
            c.author_id for c in self._rows.values() if c.event_id == event_id and c.author_id in user_ids
        }

    def list_for_event(self, event_id: str, *, after: Cursor | None, limit: int) -> list[Comment]:
        ordered = sorted(
            (c for c in self._rows.values() if c.event_id == event_id), key=lambda c: (c.create_time, c.id)
        )
        return [c for c in ordered if _after((c.create_time, c.id), after)][:limit]

    def delete_for_event(self, event_id: str) -> None:
        for comment_id in [c.id for c in self._rows.values() if c.event_id == event_id]:
            del self._rows[comment_id]


class FakePollRepository:
    def __init__(self, tables: Tables) -> None:
        self._rows = tables.polls
        self._answers = tables.answers

    def add(self, poll: Poll) -> None:
        assert poll.id not in self._rows, "duplicate key"
        self._rows[poll.id] = copy.deepcopy(poll)

    def get(self, poll_id: str) -> Poll | None:
        return copy.deepcopy(self._rows.get(poll_id))

    get_for_update = get

    def save(self, poll: Poll) -> None:
        self._rows[poll.id] = copy.deepcopy(poll)

    def list_for_event(self, event_id: str) -> list[Poll]:
        mine = [p for p in self._rows.values() if p.event_id == event_id]
        return copy.deepcopy(sorted(mine, key=lambda p: (p.create_time, p.id), reverse=True))

    def due(self, now: datetime, limit: int) -> list[str]:
        due = [
            p
            for p in self._rows.values()
            if p.state is PollState.OPEN and p.close_time is not None and p.close_time <= now
        ]
        return [p.id for p in sorted(due, key=lambda p: p.close_time or now)][:limit]

    def ballots(self, poll_id: str) -> list[Ballot]:
        by_user: dict[str, dict[str, Answer]] = {}
        for (poll, user, option), answer in sorted(self._answers.items()):
            if poll == poll_id:
                by_user.setdefault(user, {})[option] = answer.answer
        return [Ballot(user, answers) for user, answers in by_user.items()]

    def put_answers(self, poll_id: str, user_id: str, answers: dict[str, Answer], now: datetime) -> None:
        for option_id, answer in answers.items():
            self._answers[(poll_id, user_id, option_id)] = _Answer(answer, now, len(self._answers))

    def yes_voters(self, poll_id: str, option_id: str) -> list[str]:
        yes = [
            (a.update_time, user)
            for (poll, user, option), a in self._answers.items()
            if (poll, option) == (poll_id, option_id) and a.answer is Answer.YES
        ]
        return [user for _, user in sorted(yes)]

    def delete_for_event(self, event_id: str) -> None:
        gone = {p.id for p in self._rows.values() if p.event_id == event_id}
        for key in [k for k in self._answers if k[0] in gone]:
            del self._answers[key]
        for poll_id in gone:
            del self._rows[poll_id]

    def delete_answers_of(self, user_id: str) -> None:
        for key in [k for k in self._answers if k[1] == user_id]:
            del self._answers[key]


class EventsStore(MemoryStore[Tables]):
    def __init__(self) -> None:
        super().__init__(Tables())

    def units_of_work(self) -> Callable[[], UnitOfWork]:
        return lambda: FakeUnitOfWork(self)


class FakeUnitOfWork(MemoryUnitOfWork[Tables]):
    events: FakeEventRepository
    registrations: FakeRegistrationRepository
    comments: FakeCommentRepository
    polls: FakePollRepository

    def _open(self, tables: Tables) -> None:
        self.events = FakeEventRepository(tables)
        self.registrations = FakeRegistrationRepository(tables)
        self.comments = FakeCommentRepository(tables)
        self.polls = FakePollRepository(tables)

    def first_delivery(self, consumer: str, message_id: str) -> bool:
        if (consumer, message_id) in self.working.inbox:
            return False
        self.working.inbox.add((consumer, message_id))
        return True

    def reading(self) -> UnitOfWork:
        return FakeUnitOfWork(self._store)
