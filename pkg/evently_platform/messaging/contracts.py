"""The public contract of every domain event: its type bound to its protobuf payload message, in
one registry. Producers build envelopes through it (a payload of another message is refused),
consumers decode each message's `data` once into that message, so nobody reads JSON keys by hand
and a renamed proto field fails at type-check or test time instead of silently reading ""."""

from __future__ import annotations

from dataclasses import dataclass, replace

from evently.events.v1 import comment_pb2, event_pb2, poll_pb2, registration_pb2
from evently.notifier.v1 import reminder_pb2, subscription_pb2
from evently.users.v1 import user_pb2
from google.protobuf.json_format import ParseError
from google.protobuf.message import Message

from evently_platform import protojson
from evently_platform.messaging.envelope import Envelope, EnvelopeError


@dataclass(frozen=True)
class Contract:
    event_type: str  # also the NATS subject
    payload: type[Message]
    description: str
    # The field path naming what the event is about: without it the data says nothing usable
    # (proto3 has no required fields, and data of another shape parses as an empty message).
    identity: str


CONTRACTS: dict[str, Contract] = {
    c.event_type: c
    for c in (
        Contract("evently.user.created", user_pb2.UserCreated, "An account was made (sign-up).", "user.id"),
        Contract(
            "evently.user.updated",
            user_pb2.UserUpdated,
            "An account's public details (name, e-mail, time zone) changed.",
            "user.id",
        ),
        Contract("evently.user.deleted", user_pb2.UserDeleted, "An account was deleted.", "user_id"),
        Contract(
            "evently.user.password_reset_requested",
            user_pb2.PasswordResetRequested,
            "A password reset link was asked for (carries its token: e-mail only, never webhooks).",
            "token",
        ),
        Contract(
            "evently.user.password_changed",
            user_pb2.PasswordChanged,
            "An account's password was changed; its older sessions ended.",
            "user_id",
        ),
        Contract("evently.event.created", event_pb2.EventCreated, "An event was published.", "event.id"),
        Contract("evently.event.updated", event_pb2.EventUpdated, "An event's details changed.", "event.id"),
        Contract("evently.event.cancelled", event_pb2.EventCancelled, "An event was called off.", "event.id"),
        Contract("evently.event.deleted", event_pb2.EventDeleted, "An event was deleted.", "event_id"),
        Contract(
            "evently.registration.created",
            registration_pb2.RegistrationChanged,
            "Someone registered: a confirmed seat or a place on the waitlist.",
            "registration.id",
        ),
        Contract(
            "evently.registration.cancelled",
            registration_pb2.RegistrationChanged,
            "A registration was cancelled.",
            "registration.id",
        ),
        Contract(
            "evently.registration.promoted",
            registration_pb2.RegistrationChanged,
            "A waitlisted registration got a seat.",
            "registration.id",
        ),
        Contract(
            "evently.comment.added",
            comment_pb2.CommentAdded,
            "A comment was added to an event.",
            "comment.id",
        ),
        Contract(
            "evently.comment.edited",
            comment_pb2.CommentChanged,
            "A comment's author changed its text.",
            "comment.id",
        ),
        Contract(
            "evently.comment.deleted",
            comment_pb2.CommentChanged,
            "A comment was deleted by its author, or removed by the event's organizer.",
            "comment.id",
        ),
        Contract(
            "evently.poll.opened",
            poll_pb2.PollChanged,
            "A poll was opened on an event (when, where, or a question).",
            "poll.id",
        ),
        Contract(
            "evently.poll.voted",
            poll_pb2.PollVoted,
            "Someone voted in a poll: the tallies now (the organizer's subscriptions only).",
            "poll.id",
        ),
        Contract(
            "evently.poll.closed",
            poll_pb2.PollChanged,
            "A poll was closed and its winner chosen (a date or place winner changes the event).",
            "poll.id",
        ),
        Contract(
            "evently.reminder.due",
            reminder_pb2.ReminderDue,
            "A reminder before an event is due.",
            "reminder_id",
        ),
        Contract(
            "evently.subscription.failing",
            subscription_pb2.SubscriptionHealthChanged,
            "Deliveries to a webhook subscription started failing.",
            "subscription.id",
        ),
        Contract(
            "evently.subscription.disabled",
            subscription_pb2.SubscriptionHealthChanged,
            "A webhook subscription was switched off: it failed for too long, or answered 410 Gone.",
            "subscription.id",
        ),
        Contract(
            "evently.subscription.recovered",
            subscription_pb2.SubscriptionHealthChanged,
            "A failing webhook subscription received a delivery again.",
            "subscription.id",
        ),
    )
}


def envelope_of(
    event_type: str, payload: Message, *, source: str, subject: str, id: str | None = None
) -> Envelope:
    """The envelope of a domain event whose payload is the message its contract names; `id` when
    the producer has already named the event (a new one otherwise)."""
    contract = CONTRACTS.get(event_type)
    if contract is None:
        raise TypeError(f"no contract for event type {event_type!r}: add it to CONTRACTS")
    if type(payload) is not contract.payload:
        wanted, given = contract.payload.DESCRIPTOR.full_name, payload.DESCRIPTOR.full_name
        raise TypeError(f"{event_type} carries {wanted}, not {given}")
    envelope = Envelope(type=event_type, source=source, subject=subject, data=protojson.to_dict(payload))
    return envelope if id is None else replace(envelope, id=id)


def decode_payload(envelope: Envelope) -> Message:
    """The envelope's data as its contract's message. Unknown fields are ignored (a newer producer
    may add some); an unknown type or data that does not fit the message is an EnvelopeError,
    which no retry can fix."""
    contract = CONTRACTS.get(envelope.type)
    if contract is None:
        raise EnvelopeError(f"no contract for event type {envelope.type!r}")
    try:
        payload = protojson.parse(envelope.data, contract.payload)
    except (ParseError, RecursionError, TypeError, ValueError) as exc:
        raise EnvelopeError(f"data is not a {contract.payload.DESCRIPTOR.full_name}: {exc}") from exc
    if not _field(payload, contract.identity):
        raise EnvelopeError(f"data has no {contract.identity}: not a {contract.payload.DESCRIPTOR.full_name}")
    return payload


def _field(message: Message, path: str) -> object:
    value: object = message
    for name in path.split("."):
        value = getattr(value, name)
    return value
