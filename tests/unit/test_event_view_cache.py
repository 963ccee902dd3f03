"""GetEvent's answers kept a moment: never kept past a change, never longer than their time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evently.events.v1 import event_pb2
from evently_events.adapters.view_cache import EventViewCache
from evently_events.domain.comments import Comment, CommentAdded
from evently_events.domain.model import Event, EventDeleted, EventState
from evently_events.domain.registrations import Registration, RegistrationCreated, RegistrationStatus

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _event(event_id: str) -> Event:
    return Event(
        id=event_id,
        organizer_id="olga",
        title="Meetup",
        description="",
        location="Lyon",
        start_time=NOW + timedelta(days=1),
        end_time=NOW + timedelta(days=1, hours=2),
        capacity=10,
        state=EventState.SCHEDULED,
        create_time=NOW,
        update_time=NOW,
    )


def _view(event_id: str, title: str = "Meetup") -> event_pb2.Event:
    return event_pb2.Event(id=event_id, title=title)


def _kept(cache: EventViewCache, event_id: str, title: str = "Meetup") -> None:
    cache.put(event_id, _view(event_id, title), cache.generation())


def test_a_kept_answer_is_served_until_its_time_runs_out() -> None:
    ticks = Ticks()
    cache = EventViewCache(ttl=1.0, monotonic=ticks)
    _kept(cache, "e1")

    ticks.now += 0.9
    assert cache.get("e1") == _view("e1")
    ticks.now += 0.1
    assert cache.get("e1") is None


def test_a_registration_forgets_its_event_and_only_that_one() -> None:
    cache = EventViewCache()
    _kept(cache, "e1")
    _kept(cache, "e2")
    registration = Registration(
        id="r1",
        event_id="e1",
        user_id="ann",
        status=RegistrationStatus.CONFIRMED,
        create_time=NOW,
        update_time=NOW,
        queued_time=NOW,
    )

    cache.committed([RegistrationCreated(registration, _event("e1"))])

    assert cache.get("e1") is None
    assert cache.get("e2") == _view("e2")


def test_a_deleted_event_is_forgotten() -> None:
    cache = EventViewCache()
    _kept(cache, "e1")

    cache.committed([EventDeleted(event_id="e1", organizer_id="olga", title="Meetup")])

    assert cache.get("e1") is None


def test_a_change_it_cannot_place_forgets_everything() -> None:
    cache = EventViewCache()
    _kept(cache, "e1")

    cache.committed([object()])

    assert cache.get("e1") is None


def test_an_answer_read_while_a_change_committed_is_not_kept() -> None:
    cache = EventViewCache()
    before_the_read = cache.generation()
    comment = Comment(id="c1", event_id="e1", author_id="ann", text="hi", create_time=NOW)
    cache.committed([CommentAdded(comment, _event("e1"))])  # commits while the read runs

    cache.put("e1", _view("e1", "as it was"), before_the_read)

    assert cache.get("e1") is None


def test_the_least_recently_read_make_room() -> None:
    cache = EventViewCache(size=2)
    _kept(cache, "e1")
    _kept(cache, "e2")
    assert cache.get("e1") is not None  # e2 is now the least recently read
    _kept(cache, "e3")

    assert [cache.get(e) is not None for e in ("e1", "e2", "e3")] == [True, False, True]
