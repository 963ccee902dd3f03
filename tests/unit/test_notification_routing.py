"""Who is told what: the routing rules, fed the domain events' real protobuf payloads through
the notifier's one translation into facts (so a renamed proto field fails here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from evently.events.v1 import comment_pb2, event_pb2, registration_pb2
from evently.notifier.v1 import reminder_pb2
from evently.users.v1 import user_pb2
from evently_notifier.adapters.facts import to_fact
from evently_notifier.domain.reminders import KnownEvent
from evently_notifier.domain.routing import Attendees, Notice, Preferences, notices_for, reminder_notice
from evently_platform.messaging.contracts import CONTRACTS
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

Registration = registration_pb2.Registration


def _attendees(*people: str) -> Attendees:
    return lambda event_id: list(people) if event_id == "e1" else []


def _notices(event_type: str, payload: Message, attendees: Attendees | None = None) -> list[Notice]:
    return notices_for(to_fact(event_type, payload), attendees or _attendees())


def _registration(status: int, user: str = "ada") -> Message:
    return registration_pb2.RegistrationChanged(
        registration=Registration(id="r1", event_id="e1", user_id=user, status=status),  # type: ignore[arg-type]
        organizer_id="olga",
        event_title="Meetup",
    )


def test_a_registration_tells_the_registrant_their_place_and_the_organizer_the_news() -> None:
    notices = _notices("evently.registration.created", _registration(Registration.WAITLISTED))
    assert [(n.user_id, n.kind) for n in notices] == [
        ("ada", "registration.waitlisted"),
        ("olga", "registration.new"),
    ]
    assert notices[1].body == "Someone registered (waitlisted)."
    confirmed = _notices("evently.registration.created", _registration(Registration.CONFIRMED))
    assert confirmed[0].kind == "registration.confirmed" and "Meetup" in confirmed[0].title


def test_the_organizer_is_not_told_of_their_own_registration() -> None:
    notices = _notices("evently.registration.created", _registration(Registration.CONFIRMED, user="olga"))
    assert [(n.user_id, n.kind) for n in notices] == [("olga", "registration.confirmed")]


def test_a_promotion_tells_the_promoted() -> None:
    notices = _notices("evently.registration.promoted", _registration(Registration.CONFIRMED))
    assert [(n.user_id, n.kind) for n in notices] == [("ada", "registration.promoted")]


def test_a_cancelled_registration_tells_the_organizer_a_seat_is_free() -> None:
    notices = _notices("evently.registration.cancelled", _registration(Registration.CANCELLED))
    assert [(n.user_id, n.kind, n.event_id) for n in notices] == [("olga", "registration.cancelled", "e1")]


def test_a_comment_reaches_the_organizer_and_attendees_but_not_its_author() -> None:
    added = comment_pb2.CommentAdded(
        comment=comment_pb2.Comment(event_id="e1", author_id="ada", text="Is there parking?"),
        organizer_id="olga",
        event_title="Meetup",
    )
    notices = _notices("evently.comment.added", added, _attendees("ada", "bob"))
    assert sorted(n.user_id for n in notices) == ["bob", "olga"]
    assert {n.body for n in notices} == {"Is there parking?"}


def _event(**fields: object) -> event_pb2.Event:
    start, end = Timestamp(seconds=1798826400), Timestamp(seconds=1798833600)  # 18:00 to 20:00 UTC
    return event_pb2.Event(id="e1", title="Meetup", start_time=start, end_time=end, **fields)  # type: ignore[arg-type]


def test_attendees_hear_of_a_move_but_not_of_a_new_description() -> None:
    moved = _notices(
        "evently.event.updated",
        event_pb2.EventUpdated(event=_event(location="Hall B"), changed_fields=["location"]),
        _attendees("ada", "bob"),
    )
    assert [(n.user_id, n.kind) for n in moved] == [("ada", "event.updated"), ("bob", "event.updated")]
    # Stated in the event's zone, and in each reader's own beside it when their clock differs.
    assert moved[0].body_for("UTC") == "Now Fri 1 Jan 2027, 18:00\u201320:00 UTC at Hall B."
    assert moved[0].body_for("America/New_York") == (
        "Now Fri 1 Jan 2027, 18:00\u201320:00 UTC (13:00\u201315:00 EST your time) at Hall B."
    )
    in_berlin = _notices(
        "evently.event.updated",
        event_pb2.EventUpdated(
            event=_event(location="Hall {B}", time_zone="Europe/Berlin"), changed_fields=["start_time"]
        ),
        _attendees("ada"),
    )
    assert in_berlin[0].body_for(None) == "Now Fri 1 Jan 2027, 19:00\u201321:00 CET at Hall {B}."
    reworded = _notices(
        "evently.event.updated",
        event_pb2.EventUpdated(event=_event(), changed_fields=["description"]),
        _attendees("ada"),
    )
    assert reworded == []


def test_attendees_hear_of_a_cancellation_with_its_reason() -> None:
    cancelled = event_pb2.EventCancelled(event=_event(), reason="Speaker ill")
    notices = _notices("evently.event.cancelled", cancelled, _attendees("ada"))
    assert [(n.user_id, n.kind, n.body) for n in notices] == [("ada", "event.cancelled", "Speaker ill")]


def test_a_due_reminder_tells_its_owner_when_the_event_starts() -> None:
    event = KnownEvent(
        "e1",
        "olga",
        "Meetup",
        datetime(2027, 1, 1, 18, tzinfo=UTC),
        end_time=datetime(2027, 1, 1, 20, tzinfo=UTC),
        time_zone="Europe/Berlin",
    )
    notice = reminder_notice("ada", event)
    assert (notice.user_id, notice.kind, notice.title, notice.body_for("Europe/Berlin"), notice.event_id) == (
        "ada",
        "reminder.due",
        "Reminder: Meetup",
        "It starts Fri 1 Jan 2027, 19:00\u201321:00 CET.",
        "e1",
    )
    assert notice.body_for("Asia/Tokyo") == (
        "It starts Fri 1 Jan 2027, 19:00\u201321:00 CET (Sat 2 Jan 2027, 03:00\u201305:00 JST your time)."
    )


def test_a_consumed_reminder_due_tells_nobody_again() -> None:
    # Its owner was told when it fired; the domain event is for webhooks and other consumers.
    due = reminder_pb2.ReminderDue(
        user_id="ada", event_id="e1", event_title="Meetup", event_start_time=Timestamp(seconds=1798826400)
    )
    assert _notices("evently.reminder.due", due) == []


def test_events_nobody_is_told_about_route_nowhere() -> None:
    created = user_pb2.UserCreated(user=user_pb2.User(id="ada"))
    assert _notices("evently.user.created", created, _attendees("ada")) == []


@pytest.mark.parametrize("event_type", sorted(CONTRACTS))
def test_every_contract_translates_into_a_fact(event_type: str) -> None:
    assert to_fact(event_type, CONTRACTS[event_type].payload()) is not None


def test_preferences_mute_a_kind_everywhere_and_a_channel_for_everything() -> None:
    quiet = Preferences("ada", email=False, muted_kinds=("comment.added",))
    assert not quiet.wants("comment.added", "in_app")
    assert quiet.wants("event.cancelled", "in_app")
    assert not quiet.wants("event.cancelled", "email")
