"""The rules an event must satisfy to be published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from evently_events.domain.model import EventDraft, EventState, new_event
from evently_platform.errors import InvalidArgument

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)


def _draft(**changes: object) -> EventDraft:
    fields: dict[str, object] = {
        "title": "Python meetup",
        "description": "Talks and pizza",
        "location": "Berlin",
        "start_time": NOW + timedelta(days=7),
        "end_time": NOW + timedelta(days=7, hours=2),
        "capacity": 30,
    }
    fields.update(changes)
    return EventDraft(**fields)  # type: ignore[arg-type]


def test_a_valid_draft_becomes_a_scheduled_event_of_its_organizer() -> None:
    event = new_event("e1", "ann", _draft(title="  Python meetup  "), NOW)
    assert (event.organizer_id, event.state, event.title) == ("ann", EventState.SCHEDULED, "Python meetup")


def test_every_violation_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgument) as raised:
        new_event(
            "e1", "ann", _draft(title="", location=" ", capacity=-1, start_time=NOW - timedelta(hours=1)), NOW
        )
    assert [v.field for v in raised.value.violations] == [
        "event.title",
        "event.location",
        "event.capacity",
        "event.start_time",
    ]


def test_the_end_must_come_after_the_start() -> None:
    with pytest.raises(InvalidArgument) as raised:
        new_event("e1", "ann", _draft(end_time=NOW + timedelta(days=6)), NOW)
    assert [v.field for v in raised.value.violations] == ["event.end_time"]


def test_times_are_required() -> None:
    with pytest.raises(InvalidArgument) as raised:
        new_event("e1", "ann", _draft(start_time=None, end_time=None), NOW)
    assert [v.field for v in raised.value.violations] == ["event.start_time", "event.end_time"]


@pytest.mark.parametrize(
    "zone", ["America", "America/", "x" * 300, "../etc/passwd", "Mars/Olympus", "posixrules"]
)
def test_a_time_zone_must_be_an_iana_zone_whatever_is_sent(zone: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        new_event("e1", "ann", _draft(time_zone=zone), NOW)
    assert [v.field for v in refused.value.violations] == ["event.time_zone"]


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_zones_are_accepted(zone: str) -> None:
    assert new_event("e1", "ann", _draft(time_zone=zone), NOW).time_zone == zone
