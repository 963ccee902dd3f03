"""Changing an event: masks, what may change when, capacity against seats taken, revisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from evently_events.domain.comments import check_comment
from evently_events.domain.model import Changes, Event, EventDraft, EventState, apply_changes
from evently_platform.errors import FailedPrecondition, InvalidArgument, PermissionDenied

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
EVENT = Event(
    id="e1",
    organizer_id="o1",
    title="Meetup",
    description="Talks",
    location="Berlin",
    start_time=NOW + timedelta(days=1),
    end_time=NOW + timedelta(days=1, hours=2),
    capacity=10,
    state=EventState.SCHEDULED,
    create_time=NOW,
    update_time=NOW,
)


def _values(**overrides: object) -> EventDraft:
    blank = EventDraft(title="", description="", location="", start_time=None, end_time=None, capacity=0)
    return replace(blank, **overrides)  # type: ignore[arg-type]


def test_only_the_masked_fields_change_and_the_revision_goes_up() -> None:
    updated, changed = apply_changes(
        EVENT, Changes(("title",), _values(title="Big meetup", location="ignored")), confirmed=0, now=NOW
    )
    assert (updated.title, updated.location, changed, updated.revision) == (
        "Big meetup",
        "Berlin",
        ("title",),
        1,
    )


def test_setting_the_same_value_changes_nothing() -> None:
    updated, changed = apply_changes(
        EVENT, Changes(("title",), _values(title="Meetup")), confirmed=0, now=NOW
    )
    assert (changed, updated.revision, updated.update_time) == ((), 0, NOW)


def test_unknown_paths_and_an_empty_mask_are_refused() -> None:
    for paths in (("organizer_id",), ()):
        with pytest.raises(InvalidArgument) as refused:
            apply_changes(EVENT, Changes(paths, _values()), confirmed=0, now=NOW)
        assert refused.value.violations[0].field == "update_mask"


def test_the_result_is_validated_as_a_whole() -> None:
    with pytest.raises(InvalidArgument) as refused:
        apply_changes(
            EVENT,
            Changes(("end_time", "title"), _values(end_time=EVENT.start_time - timedelta(hours=1), title="")),
            confirmed=0,
            now=NOW,
        )
    assert {v.field for v in refused.value.violations} == {"event.end_time", "event.title"}


def test_an_event_in_progress_may_change_its_title_but_not_move_into_the_past() -> None:
    started = replace(EVENT, start_time=NOW - timedelta(minutes=30), end_time=NOW + timedelta(hours=1))
    apply_changes(started, Changes(("title",), _values(title="Still on")), confirmed=0, now=NOW)
    with pytest.raises(InvalidArgument, match="must be in the future"):
        apply_changes(
            started, Changes(("start_time",), _values(start_time=NOW - timedelta(minutes=10))), 0, NOW
        )


def test_capacity_cannot_drop_below_the_seats_taken() -> None:
    with pytest.raises(FailedPrecondition, match="7 people already have a seat"):
        apply_changes(EVENT, Changes(("capacity",), _values(capacity=5)), confirmed=7, now=NOW)
    updated, _ = apply_changes(EVENT, Changes(("capacity",), _values(capacity=0)), confirmed=7, now=NOW)
    assert updated.capacity == 0  # unlimited is always enough


def test_cancelled_and_past_events_are_frozen() -> None:
    for frozen in (
        replace(EVENT, state=EventState.CANCELLED),
        replace(EVENT, start_time=NOW - timedelta(days=2), end_time=NOW - timedelta(days=1)),
    ):
        with pytest.raises(FailedPrecondition):
            apply_changes(frozen, Changes(("title",), _values(title="x")), confirmed=0, now=NOW)


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidArgument, match="IANA time zone"):
        apply_changes(EVENT, Changes(("time_zone",), _values(time_zone="Mars/Olympus")), confirmed=0, now=NOW)


def test_only_the_organizer_and_registered_people_comment_with_sensible_text() -> None:
    assert check_comment(EVENT, "o1", registered=False, text="  Welcome!  ") == "Welcome!"
    assert check_comment(EVENT, "u1", registered=True, text="Thanks") == "Thanks"
    with pytest.raises(PermissionDenied):
        check_comment(EVENT, "u2", registered=False, text="Hi")
    for text in ("   ", "x" * 2001):
        with pytest.raises(InvalidArgument):
            check_comment(EVENT, "o1", registered=False, text=text)
