"""Registrations: seats while they last, then a first-come waitlist, promoted in order. Pure Python."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from evently_events.domain.model import Event


class RegistrationStatus(enum.Enum):
    CONFIRMED = "CONFIRMED"
    WAITLISTED = "WAITLISTED"
    CANCELLED = "CANCELLED"


@dataclass
class Registration:
    id: str
    event_id: str
    user_id: str
    status: RegistrationStatus
    create_time: datetime
    update_time: datetime
    # When it took its current place; the waitlist is served in this order.
    queued_time: datetime

    @property
    def active(self) -> bool:
        return self.status is not RegistrationStatus.CANCELLED

    def cancel(self, now: datetime) -> None:
        self.status = RegistrationStatus.CANCELLED
        self.update_time = now

    def promote(self, now: datetime) -> None:
        assert self.status is RegistrationStatus.WAITLISTED, "only the waitlist is promoted"
        self.status = RegistrationStatus.CONFIRMED
        self.update_time = now

    def reopen(self, status: RegistrationStatus, now: datetime) -> None:
        """A cancelled registration taken up again goes to the back of the line."""
        self.status = status
        self.update_time = now
        self.queued_time = now


def status_for_newcomer(event: Event, confirmed: int, now: datetime) -> RegistrationStatus:
    """A seat while any remain (capacity 0: unlimited), else the waitlist."""
    event.check_open_for_registration(now)
    if event.capacity == 0 or confirmed < event.capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


@dataclass(frozen=True)
class RegistrationCreated:
    registration: Registration
    event: Event


@dataclass(frozen=True)
class RegistrationCancelled:
    registration: Registration
    event: Event


@dataclass(frozen=True)
class RegistrationPromoted:
    registration: Registration
    event: Event
