"""Who is told what: the routing rules, one per domain event type."""

from __future__ import annotations

from evently_notifier.domain.routing import Preferences, notices_for


def _attendees(*people: str):  # type: ignore[no-untyped-def]
    return lambda event_id: list(people) if event_id == "e1" else []


def _registration(status: str, user: str = "ada") -> dict[str, object]:
    return {
        "registration": {"id": "r1", "eventId": "e1", "userId": user, "status": status},
        "organizerId": "olga",
        "eventTitle": "Meetup",
    }


def test_a_registration_tells_the_registrant_their_place_and_the_organizer_the_news() -> None:
    notices = notices_for("evently.registration.created", _registration("WAITLISTED"), _attendees())
    assert [(n.user_id, n.kind) for n in notices] == [
        ("ada", "registration.waitlisted"),
        ("olga", "registration.new"),
    ]
    confirmed = notices_for("evently.registration.created", _registration("CONFIRMED"), _attendees())
    assert confirmed[0].kind == "registration.confirmed" and "Meetup" in confirmed[0].title


def test_the_organizer_is_not_told_of_their_own_registration() -> None:
    notices = notices_for(
        "evently.registration.created", _registration("CONFIRMED", user="olga"), _attendees()
    )
    assert [(n.user_id, n.kind) for n in notices] == [("olga", "registration.confirmed")]


def test_a_promotion_tells_the_promoted() -> None:
    notices = notices_for("evently.registration.promoted", _registration("CONFIRMED"), _attendees())
    assert [(n.user_id, n.kind) for n in notices] == [("ada", "registration.promoted")]


def test_a_comment_reaches_the_organizer_and_attendees_but_not_its_author() -> None:
    data = {
        "comment": {"eventId": "e1", "authorId": "ada", "text": "Is there parking?"},
        "organizerId": "olga",
        "eventTitle": "Meetup",
    }
    notices = notices_for("evently.comment.added", data, _attendees("ada", "bob"))
    assert sorted(n.user_id for n in notices) == ["bob", "olga"]
    assert {n.body for n in notices} == {"Is there parking?"}


def test_attendees_hear_of_a_move_but_not_of_a_new_description() -> None:
    event = {"id": "e1", "title": "Meetup", "startTime": "2027-01-01T18:00:00Z", "location": "Hall B"}
    moved = notices_for(
        "evently.event.updated", {"event": event, "changedFields": ["location"]}, _attendees("ada", "bob")
    )
    assert [(n.user_id, n.kind) for n in moved] == [("ada", "event.updated"), ("bob", "event.updated")]
    assert "Hall B" in moved[0].body
    reworded = notices_for(
        "evently.event.updated", {"event": event, "changedFields": ["description"]}, _attendees("ada")
    )
    assert reworded == []


def test_attendees_hear_of_a_cancellation_with_its_reason() -> None:
    data = {"event": {"id": "e1", "title": "Meetup"}, "reason": "Speaker ill"}
    notices = notices_for("evently.event.cancelled", data, _attendees("ada"))
    assert [(n.user_id, n.kind, n.body) for n in notices] == [("ada", "event.cancelled", "Speaker ill")]


def test_events_nobody_is_told_about_route_nowhere() -> None:
    assert notices_for("evently.user.created", {"user": {"id": "ada"}}, _attendees("ada")) == []


def test_preferences_mute_a_kind_everywhere_and_a_channel_for_everything() -> None:
    quiet = Preferences("ada", email=False, muted_kinds=("comment.added",))
    assert not quiet.wants("comment.added", "in_app")
    assert quiet.wants("event.cancelled", "in_app")
    assert not quiet.wants("event.cancelled", "email")
