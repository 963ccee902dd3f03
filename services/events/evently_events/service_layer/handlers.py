"""Use cases of the events service; each runs in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from evently_platform.clock import Clock, new_id
from evently_platform.errors import FieldViolation, InvalidArgument, NotFound
from evently_platform.paging import Page

from evently_events.domain.model import (
    Changes,
    Event,
    EventCancelled,
    EventCreated,
    EventDeleted,
    EventState,
    EventUpdated,
    apply_changes,
    new_event,
    proposed_event,
)
from evently_events.domain.polls import (
    Poll,
    PollKind,
    PollOpened,
    PollResults,
    PollState,
    check_new_poll,
    tally,
)
from evently_events.domain.registrations import (
    Registration,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
    RegistrationStatus,
    status_for_newcomer,
)
from evently_events.service_layer.commands import (
    CancelEvent,
    CancelRegistration,
    CreateEvent,
    DatePoll,
    DeleteEvent,
    EventView,
    ForgetUser,
    GetEvent,
    ListEvents,
    ListRegistrations,
    Register,
    RegistrationView,
    UpdateEvent,
)
from evently_events.service_layer.ports import UnitOfWork


def create_event(cmd: CreateEvent, *, uow: UnitOfWork, clock: Clock) -> Event:
    if cmd.date_poll is not None:
        return _propose_event(cmd, cmd.date_poll, uow=uow, now=clock.now())
    event = new_event(new_id(), cmd.organizer_id, cmd.draft, clock.now())
    with uow:
        uow.events.add(event)
        uow.record(EventCreated(event))
        uow.commit()
    return event


def _propose_event(cmd: CreateEvent, date_poll: DatePoll, *, uow: UnitOfWork, now: datetime) -> Event:
    """A proposed event and its date poll, published together."""
    options = [replace(option, id=new_id()) for option in date_poll.options]
    candidates = [(o.start_time, o.end_time) for o in options if o.start_time and o.end_time]
    if date_poll.kind is not PollKind.DATE:
        raise InvalidArgument([FieldViolation("date_poll.kind", "must be DATE: the poll decides the date")])
    event = proposed_event(new_id(), cmd.organizer_id, cmd.draft, candidates, now)
    options = check_new_poll(
        event, cmd.organizer_id, PollKind.DATE, options, date_poll.close_time, now, field_name="date_poll"
    )
    poll = Poll(new_id(), event.id, PollKind.DATE, PollState.OPEN, options, date_poll.close_time, now)
    with uow:
        uow.events.add(event)
        uow.polls.add(poll)
        uow.record(
            EventCreated(event), PollOpened(PollResults(poll, tally(poll, []), [], event.organizer_id), event)
        )
        uow.commit()
    return event


def _views(uow: UnitOfWork, events: list[Event]) -> list[EventView]:
    counts = uow.registrations.counts([e.id for e in events])
    return [EventView(e, *counts.get(e.id, (0, 0))) for e in events]


def get_event(cmd: GetEvent, *, uow: UnitOfWork) -> EventView:
    with uow.reading() as reader:
        event = reader.events.get(cmd.event_id)
        if event is None:
            raise NotFound(f"event {cmd.event_id!r} not found")
        return _views(reader, [event])[0]


def list_events(cmd: ListEvents, *, uow: UnitOfWork) -> Page[EventView]:
    with uow.reading() as reader:
        rows = reader.events.list_page(cmd.query, after=cmd.page.after, limit=cmd.page.fetch)
        page = Page.of(rows, cmd.page, lambda e: (e.start_time, e.id))
        return page.map(lambda events: _views(reader, events))


def update_event(cmd: UpdateEvent, *, uow: UnitOfWork, clock: Clock) -> EventView:
    caller_id, event_id, changes = cmd.caller_id, cmd.event_id, cmd.changes
    with uow:
        event = uow.events.get_for_update(event_id)
        if event is None:
            raise NotFound(f"event {event_id!r} not found")
        event.check_organizer(caller_id, "change")
        updated = edit_event(uow, event, changes, clock.now())
        view = _views(uow, [updated])[0]
        uow.commit()
    return view


def edit_event(uow: UnitOfWork, event: Event, changes: Changes, now: datetime) -> Event:
    """An edit, inside the caller's transaction (UpdateEvent, a closed poll's winner): saved and
    announced when anything changed, and the waitlist moved up into any new seats."""
    confirmed = uow.registrations.count_confirmed(event.id)
    updated, changed = apply_changes(event, changes, confirmed, now)
    if changed:
        uow.events.save(updated)
        uow.record(EventUpdated(updated, changed, event))
        _fill_free_seats(uow, updated, confirmed, now)
    return updated


def _fill_free_seats(uow: UnitOfWork, event: Event, confirmed: int, now: datetime) -> None:
    """More seats (or unlimited ones): the waitlist moves up, first come first served."""
    free = 1_000_000 if event.capacity == 0 else event.capacity - confirmed
    if free <= 0:
        return
    for registration in uow.registrations.first_waitlisted(event.id, limit=free):
        registration.promote(now)
        uow.registrations.save(registration)
        uow.record(RegistrationPromoted(registration, event))


def _existing(uow: UnitOfWork, event_id: str) -> Event:
    event = uow.events.get(event_id)
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def cancel_event(cmd: CancelEvent, *, uow: UnitOfWork, clock: Clock) -> Event:
    with uow:
        event = _existing(uow, cmd.event_id)
        event.check_organizer(cmd.caller_id, "cancel")
        event.cancel(cmd.reason, clock.now())
        uow.events.save(event)
        uow.record(EventCancelled(event, event.cancel_reason))
        uow.commit()
    return event


def delete_event(cmd: DeleteEvent, *, uow: UnitOfWork) -> None:
    event_id = cmd.event_id
    with uow:
        event = _existing(uow, event_id)
        event.check_organizer(cmd.caller_id, "delete")
        uow.registrations.delete_for_event(event_id)
        uow.comments.delete_for_event(event_id)
        uow.polls.delete_for_event(event_id)
        uow.events.delete(event_id)
        uow.record(EventDeleted(event.id, event.organizer_id, event.title))
        uow.commit()


ORGANIZER_GONE = "the organizer's account was deleted"


def forget_user(cmd: ForgetUser, *, uow: UnitOfWork, clock: Clock) -> int:
    """A deleted user's registrations end (freed seats go to the waitlist) and their upcoming
    events are cancelled (attendees are told). Returns how many events were cancelled; a
    redelivered message changes nothing."""
    user_id, now = cmd.user_id, clock.now()
    with uow:
        if not uow.first_delivery(cmd.consumer, cmd.message_id):
            return 0
        uow.polls.delete_answers_of(user_id)  # what they answered goes with them
        for registration in uow.registrations.active_for_user(user_id):
            event = uow.events.get_for_update(registration.event_id)
            if event is not None:
                _end_registration(uow, event, registration, now)
        events = uow.events.upcoming_organized_by(user_id, now)
        for event in events:
            event.cancel(ORGANIZER_GONE, now)
            uow.events.save(event)
            uow.record(EventCancelled(event, event.cancel_reason))
        uow.commit()
    return len(events)


def _view(uow: UnitOfWork, registration: Registration) -> RegistrationView:
    return RegistrationView(registration, uow.registrations.waitlist_position(registration))


def register(cmd: Register, *, uow: UnitOfWork, clock: Clock) -> RegistrationView:
    caller_id, event_id = cmd.caller_id, cmd.event_id
    with uow:
        # The event row is locked first: counting seats and taking one happen under that lock,
        # so concurrent registrations cannot overbook.
        event = uow.events.get_for_update(event_id)
        if event is None:
            raise NotFound(f"event {event_id!r} not found")
        existing = uow.registrations.get_for(event_id, caller_id)
        if existing is not None and existing.active:
            return _view(uow, existing)  # registering twice: the first registration stands
        registration = _seat(uow, event, caller_id, clock.now(), existing)
        view = _view(uow, registration)
        uow.commit()
    return view


def seat(uow: UnitOfWork, event: Event, user_id: str, now: datetime) -> Registration:
    """A seat, or a place on the waitlist, for someone not registered yet; the caller holds the
    event row's lock."""
    return _seat(uow, event, user_id, now, uow.registrations.get_for(event.id, user_id))


def _seat(
    uow: UnitOfWork, event: Event, user_id: str, now: datetime, existing: Registration | None
) -> Registration:
    """`seat`, given the person's earlier registration (ended) if they had one."""
    status = status_for_newcomer(event, uow.registrations.count_confirmed(event.id), now)
    if existing is not None:
        existing.reopen(status, now)
        uow.registrations.save(existing)
        registration = existing
    else:
        registration = Registration(
            id=new_id(),
            event_id=event.id,
            user_id=user_id,
            status=status,
            create_time=now,
            update_time=now,
            queued_time=now,
        )
        uow.registrations.add(registration)
    uow.record(RegistrationCreated(registration, event))
    return registration


def _end_registration(uow: UnitOfWork, event: Event, registration: Registration, now: datetime) -> None:
    had_seat = registration.status is RegistrationStatus.CONFIRMED
    registration.cancel(now)
    uow.registrations.save(registration)
    uow.record(RegistrationCancelled(registration, event))
    if had_seat and event.state is EventState.SCHEDULED:
        for promoted in uow.registrations.first_waitlisted(event.id, limit=1):
            promoted.promote(now)
            uow.registrations.save(promoted)
            uow.record(RegistrationPromoted(promoted, event))


def cancel_registration(cmd: CancelRegistration, *, uow: UnitOfWork, clock: Clock) -> RegistrationView:
    caller_id, event_id = cmd.caller_id, cmd.event_id
    with uow:
        event = uow.events.get_for_update(event_id)
        registration = uow.registrations.get_for(event_id, caller_id)
        if event is None or registration is None or not registration.active:
            raise NotFound(f"you have no registration for event {event_id!r}")
        _end_registration(uow, event, registration, clock.now())
        uow.commit()
    return RegistrationView(registration, 0)


def list_registrations(cmd: ListRegistrations, *, uow: UnitOfWork) -> Page[RegistrationView]:
    caller_id, event_id, after, limit = cmd.caller_id, cmd.event_id, cmd.page.after, cmd.page.fetch
    with uow.reading() as reader:
        if event_id == "-":
            rows = reader.registrations.list_for_user(caller_id, after=after, limit=limit)
        else:
            event = reader.events.get(event_id)
            if event is None:
                raise NotFound(f"event {event_id!r} not found")
            event.check_organizer(caller_id, "list the registrations of")
            rows = reader.registrations.list_for_event(event_id, after=after, limit=limit)
        page = Page.of(rows, cmd.page, lambda r: (r.create_time, r.id))
        return page.map(lambda registrations: [_view(reader, r) for r in registrations])
