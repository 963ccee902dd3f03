"""Who gets a seat, who waits, and when registrations are closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from evently_events.domain.model import Event, EventState
from evently_events.domain.registrations import Registration, RegistrationStatus, status_for_newcomer
from evently_platform.errors import FailedPrecondition

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _event(
    capacity: int, *, starts_in: timedelta = timedelta(days=1), state: EventState = EventState.SCHEDULED
) -> Event:
    return Event(
        id="e1",
        organizer_id="o1",
        title="Meetup",
        description="",
        location="Berlin",
        start_time=NOW + starts_in,
        end_time=NOW + starts_in + timedelta(hours=2),
        capacity=capacity,
        state=state,
        create_time=NOW,
        update_time=NOW,
    )


def test_seats_are_taken_until_none_remain_then_people_wait() -> None:
    assert status_for_newcomer(_event(2), confirmed=1, now=NOW) is RegistrationStatus.CONFIRMED
    assert status_for_newcomer(_event(2), confirmed=2, now=NOW) is RegistrationStatus.WAITLISTED


def test_capacity_zero_means_unlimited() -> None:
    assert status_for_newcomer(_event(0), confirmed=10_000, now=NOW) is RegistrationStatus.CONFIRMED


def test_a_cancelled_event_is_closed() -> None:
    with pytest.raises(FailedPrecondition, match="cancelled"):
        status_for_newcomer(_event(5, state=EventState.CANCELLED), confirmed=0, now=NOW)


def test_an_event_that_has_started_is_closed() -> None:
    with pytest.raises(FailedPrecondition, match="already started"):
        status_for_newcomer(_event(5, starts_in=timedelta(minutes=-1)), confirmed=0, now=NOW)


def test_coming_back_after_cancelling_means_the_back_of_the_line() -> None:
    registration = Registration("r1", "e1", "u1", RegistrationStatus.CONFIRMED, NOW, NOW, NOW)
    registration.cancel(NOW + timedelta(minutes=1))
    assert not registration.active
    later = NOW + timedelta(minutes=5)
    registration.reopen(RegistrationStatus.WAITLISTED, later)
    assert (registration.status, registration.queued_time, registration.create_time) == (
        RegistrationStatus.WAITLISTED,
        later,
        NOW,
    )
