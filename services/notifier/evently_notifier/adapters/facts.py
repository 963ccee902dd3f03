"""Domain events' protobuf payloads → the notifier's facts (domain/facts.py), in one place; and a
consumed message → what the notifier's use cases take in (`incoming`)."""

from __future__ import annotations

from datetime import UTC, datetime

from evently.events.v1 import comment_pb2, event_pb2, poll_pb2, registration_pb2
from evently.notifier.v1 import reminder_pb2, subscription_pb2
from evently.users.v1 import user_pb2
from evently_platform.messaging.consumer import Received
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from evently_notifier.domain.facts import (
    CommentAdded,
    CommentChanged,
    EventChange,
    EventChanged,
    EventGone,
    EventSnapshot,
    Fact,
    PasswordChanged,
    PasswordResetAsked,
    PollNews,
    RegistrationChange,
    RegistrationChanged,
    ReminderCame,
    SubscriptionHealth,
    UserDetails,
    UserLeft,
)
from evently_notifier.service_layer.consuming import Incoming

_REGISTRATION_CHANGES = {
    "evently.registration.created": RegistrationChange.CREATED,
    "evently.registration.cancelled": RegistrationChange.CANCELLED,
    "evently.registration.promoted": RegistrationChange.PROMOTED,
}


def _when(message: Message, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    stamp: Timestamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=UTC)


def snapshot(event: event_pb2.Event) -> EventSnapshot:
    return EventSnapshot(
        id=event.id,
        organizer_id=event.organizer_id,
        title=event.title,
        description=event.description,
        location=event.location,
        start_time=_when(event, "start_time"),
        end_time=_when(event, "end_time"),
        time_zone=event.time_zone or "UTC",
        revision=event.revision,
        cancelled=event.state == event_pb2.Event.CANCELLED,
        create_time=_when(event, "create_time"),
        update_time=_when(event, "update_time"),
    )


def _registration(event_type: str, data: registration_pb2.RegistrationChanged) -> RegistrationChanged:
    change = _REGISTRATION_CHANGES[event_type]
    registration = data.registration
    status = registration_pb2.Registration.Status.Name(registration.status)
    if change is RegistrationChange.PROMOTED:
        status = "CONFIRMED"
    elif change is RegistrationChange.CANCELLED:
        status = "CANCELLED"
    return RegistrationChanged(
        change=change,
        registration_id=registration.id,
        event_id=registration.event_id,
        user_id=registration.user_id,
        status=status,
        update_time=_when(registration, "update_time"),
        organizer_id=data.organizer_id,
        event_title=data.event_title,
        event=snapshot(data.event) if data.HasField("event") else None,
    )


def _poll(
    event_type: str, poll: poll_pb2.Poll, organizer_id: str, title: str, voter_id: str = ""
) -> PollNews:
    won = next((o for o in poll.options if o.id == poll.winner_option_id), None)
    winner = (won.location or won.text) if won is not None else ""
    return PollNews(
        change=event_type.rsplit(".", 1)[-1],
        poll_id=poll.id,
        event_id=poll.event_id,
        organizer_id=organizer_id,
        event_title=title,
        kind=poll_pb2.Poll.Kind.Name(poll.kind),
        winner=winner,
        voter_id=voter_id,
    )


def to_fact(event_type: str, payload: Message) -> Fact:
    """The fact a domain event states; TypeError for a payload with no translation here."""
    match payload:
        case user_pb2.UserCreated(user=user) | user_pb2.UserUpdated(user=user):
            return UserDetails(user.id, user.email, user.display_name, user.time_zone or "UTC")
        case user_pb2.UserDeleted(user_id=user_id):
            return UserLeft(user_id)
        case user_pb2.PasswordChanged(user_id=user_id):
            return PasswordChanged(user_id)
        case user_pb2.PasswordResetRequested(user_id=user_id, token=token):
            expire = payload.expire_time.ToDatetime(tzinfo=UTC) if payload.HasField("expire_time") else None
            return PasswordResetAsked(user_id, token, expire)
        case event_pb2.EventCreated(event=event):
            return EventChanged(EventChange.CREATED, snapshot(event))
        case event_pb2.EventUpdated(event=event, changed_fields=changed):
            return EventChanged(EventChange.UPDATED, snapshot(event), frozenset(changed))
        case event_pb2.EventCancelled(event=event, reason=reason):
            return EventChanged(EventChange.CANCELLED, snapshot(event), reason=reason)
        case event_pb2.EventDeleted(event_id=event_id, organizer_id=organizer_id):
            return EventGone(event_id, organizer_id)
        case registration_pb2.RegistrationChanged():
            return _registration(event_type, payload)
        case comment_pb2.CommentAdded(comment=comment, organizer_id=organizer_id, event_title=title):
            return CommentAdded(
                comment.id,
                comment.event_id,
                comment.author_id,
                comment.text,
                organizer_id,
                title,
                payload.parent_author_id,
                tuple(comment.mention_ids),
            )
        case comment_pb2.CommentChanged(comment=comment, organizer_id=organizer_id, event_title=title):
            change = event_type.rsplit(".", 1)[-1]
            return CommentChanged(change, comment.id, comment.event_id, organizer_id, title)
        case poll_pb2.PollChanged(poll=poll, organizer_id=organizer, event_title=title):
            return _poll(event_type, poll, organizer, title)
        case poll_pb2.PollVoted(poll=poll, organizer_id=organizer, event_title=title, voter_id=voter):
            return _poll(event_type, poll, organizer, title, voter)
        case reminder_pb2.ReminderDue():
            return ReminderCame(
                payload.reminder_id,
                payload.user_id,
                payload.event_id,
                payload.event_title,
                _when(payload, "event_start_time"),
            )
        case subscription_pb2.SubscriptionHealthChanged(subscription=subscription, reason=reason):
            change = event_type.rsplit(".", 1)[-1]
            return SubscriptionHealth(
                change, subscription.id, subscription.owner_id, subscription.url, reason
            )
    raise TypeError(f"no fact for {event_type} ({payload.DESCRIPTOR.full_name})")


def incoming(received: Received) -> Incoming:
    envelope = received.envelope
    return Incoming(
        id=envelope.id,
        type=envelope.type,
        subject=envelope.subject,
        time=envelope.time,
        fact=to_fact(envelope.type, received.payload),
        raw=received.raw,
        trace_headers=received.trace_headers,
    )
