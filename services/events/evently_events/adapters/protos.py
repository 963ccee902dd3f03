"""Domain ↔ protobuf for the events service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evently.events.v1 import comment_pb2, event_pb2, registration_pb2
from evently_platform.calendar import CalendarEntry
from evently_platform.grpc.timestamps import optional_time
from evently_platform.messaging.contracts import envelope_of
from evently_platform.messaging.envelope import Envelope
from google.protobuf.timestamp_pb2 import Timestamp

from evently_events.adapters.poll_protos import poll_event
from evently_events.domain.comments import Comment, CommentAdded, CommentDeleted, CommentEdited
from evently_events.domain.model import (
    Event,
    EventCancelled,
    EventCreated,
    EventDeleted,
    EventDraft,
    EventState,
    EventUpdated,
)
from evently_events.domain.polls import PollClosed, PollOpened, PollVoted
from evently_events.domain.registrations import (
    Registration,
    RegistrationCancelled,
    RegistrationCreated,
    RegistrationPromoted,
)

SOURCE = "//evently/events"


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def event_to_proto(event: Event, confirmed: int = 0, waitlisted: int = 0) -> event_pb2.Event:
    # A proposed event has no times yet: its placeholder is never shown.
    dated = event.state is not EventState.PROPOSED
    return event_pb2.Event(
        id=event.id,
        organizer_id=event.organizer_id,
        title=event.title,
        description=event.description,
        location=event.location,
        start_time=_ts(event.start_time) if dated else None,
        end_time=_ts(event.end_time) if dated else None,
        capacity=event.capacity,
        state=event.state.value,  # type: ignore[arg-type]
        create_time=_ts(event.create_time),
        update_time=_ts(event.update_time),
        cancel_reason=event.cancel_reason,
        time_zone=event.time_zone,
        revision=event.revision,
        confirmed_count=confirmed,
        waitlist_count=waitlisted,
    )


def registration_to_proto(
    registration: Registration, waitlist_position: int = 0
) -> registration_pb2.Registration:
    return registration_pb2.Registration(
        id=registration.id,
        event_id=registration.event_id,
        user_id=registration.user_id,
        status=registration.status.value,  # type: ignore[arg-type]
        create_time=_ts(registration.create_time),
        update_time=_ts(registration.update_time),
        waitlist_position=waitlist_position,
    )


def _registration_changed(registration: Registration, event: Event) -> registration_pb2.RegistrationChanged:
    return registration_pb2.RegistrationChanged(
        registration=registration_to_proto(registration),
        organizer_id=event.organizer_id,
        event_title=event.title,
        event_start_time=_ts(event.start_time),
        event=event_to_proto(event),
    )


_REGISTRATION_TYPES = {
    RegistrationCreated: "evently.registration.created",
    RegistrationCancelled: "evently.registration.cancelled",
    RegistrationPromoted: "evently.registration.promoted",
}


def comment_to_proto(comment: Comment) -> comment_pb2.Comment:
    return comment_pb2.Comment(
        id=comment.id,
        event_id=comment.event_id,
        author_id=comment.author_id,
        text=comment.text,
        create_time=_ts(comment.create_time),
        parent_id=comment.parent_id,
        update_time=_ts(comment.update_time) if comment.update_time else None,
        state=comment.state.value,
        mention_ids=list(comment.mention_ids),
    )


def draft_from_proto(message: event_pb2.Event) -> EventDraft:
    return EventDraft(
        title=message.title,
        description=message.description,
        location=message.location,
        start_time=optional_time(message, "start_time", "event.start_time"),
        end_time=optional_time(message, "end_time", "event.end_time"),
        capacity=message.capacity,
        time_zone=message.time_zone or "UTC",
    )


def to_integration_event(event: object) -> Envelope:
    """Domain events → the public `evently.event.*` events (proto3 JSON as CloudEvents data)."""
    match event:
        case EventCreated(event=created):
            data: Any = event_pb2.EventCreated(event=event_to_proto(created))
            return _envelope("evently.event.created", created.id, data)
        case EventCancelled(event=cancelled, reason=reason):
            data = event_pb2.EventCancelled(event=event_to_proto(cancelled), reason=reason)
            return _envelope("evently.event.cancelled", cancelled.id, data)
        case EventDeleted(event_id=event_id, organizer_id=organizer_id, title=title):
            data = event_pb2.EventDeleted(event_id=event_id, organizer_id=organizer_id, title=title)
            return _envelope("evently.event.deleted", event_id, data)
        case EventUpdated(event=updated, changed_fields=changed, previous=previous):
            data = event_pb2.EventUpdated(
                event=event_to_proto(updated),
                changed_fields=list(changed),
                previous_start_time=_ts(previous.start_time),
                previous_end_time=_ts(previous.end_time),
                previous_location=previous.location,
            )
            return _envelope("evently.event.updated", updated.id, data)
        case CommentAdded(comment=comment, event=commented, parent_author_id=parent_author):
            data = comment_pb2.CommentAdded(
                comment=comment_to_proto(comment),
                organizer_id=commented.organizer_id,
                event_title=commented.title,
                parent_author_id=parent_author,
            )
            return _envelope("evently.comment.added", comment.id, data)
        case (
            CommentEdited(comment=comment, event=commented) | CommentDeleted(comment=comment, event=commented)
        ):
            data = comment_pb2.CommentChanged(
                comment=comment_to_proto(comment),
                organizer_id=commented.organizer_id,
                event_title=commented.title,
            )
            verb = "edited" if isinstance(event, CommentEdited) else "deleted"
            return _envelope(f"evently.comment.{verb}", comment.id, data)
        case PollOpened() | PollVoted() | PollClosed():
            return poll_event(event)
        case RegistrationCreated() | RegistrationCancelled() | RegistrationPromoted():
            data = _registration_changed(event.registration, event.event)
            return _envelope(_REGISTRATION_TYPES[type(event)], event.registration.id, data)
    raise TypeError(f"no integration event for {type(event).__name__}")


def _envelope(type_: str, subject: str, data: Any) -> Envelope:
    return envelope_of(type_, data, source=SOURCE, subject=subject)


def calendar_entry(event: Event) -> CalendarEntry:
    return CalendarEntry(
        event_id=event.id,
        title=event.title,
        description=event.description,
        location=event.location,
        start_time=event.start_time,
        end_time=event.end_time,
        time_zone=event.time_zone,
        revision=event.revision,
        cancelled=event.state is EventState.CANCELLED,
        create_time=event.create_time,
        update_time=event.update_time,
    )
