"""An example of each domain event, made from its payload's descriptor: every field filled with
a plausible value, so the catalog's examples cannot drift from the contracts either."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from evently_platform.messaging.accounts import PUBLISHES
from evently_platform.messaging.contracts import Contract, envelope_of

EXAMPLE_TIME = datetime(2031, 5, 20, 16, 0, tzinfo=UTC)
_ID = "0b5c8a1e9f2d4c7a8e6b3d1f0a9c2e4b"
# Strings whose name says what they hold; any other string is its name in words.
_NAMED = {
    "time_zone": "Europe/Berlin",
    "email": "ada@example.com",
    "url": "https://hooks.example.com/evently",
    "display_name": "Ada Lovelace",
    "title": "Python meetup",
    "event_title": "Python meetup",
    "location": "Town Hall, Room 1",
    "reason": "HTTP 503",
    "text": "See you there!",
    "description": "Talks, then pizza.",
}


def _string(name: str, message_name: str) -> str:
    if name == "id" or name.endswith("_id"):
        # One id per kind of thing, the same wherever it appears (event.id and eventId).
        kind = message_name.lower() if name == "id" else name[:-3]
        return hashlib.sha256(kind.encode()).hexdigest()[:32]
    return _NAMED.get(name, name.replace("_", " "))


def _fill(message: Message, depth: int = 0) -> None:
    descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        if field.message_type is not None:
            if field.message_type.full_name == "google.protobuf.Timestamp":
                target = getattr(message, field.name)
                when = EXAMPLE_TIME + (timedelta(hours=2) if field.name == "end_time" else timedelta(0))
                (target.add() if field.is_repeated else target).FromDatetime(when)
            elif field.message_type.full_name == "google.protobuf.Duration":
                target = getattr(message, field.name)
                (target.add() if field.is_repeated else target).FromSeconds(3600)
            elif field.message_type.GetOptions().map_entry or depth > 3:
                continue
            elif field.is_repeated:
                _fill(getattr(message, field.name).add(), depth + 1)
            else:
                _fill(getattr(message, field.name), depth + 1)
            continue
        if field.enum_type is not None:
            value: Any = field.enum_type.values[min(1, len(field.enum_type.values) - 1)].number
        elif field.type == FieldDescriptor.TYPE_STRING:
            value = _string(field.name, descriptor.name)
        elif field.type == FieldDescriptor.TYPE_BOOL:
            value = True
        elif field.type == FieldDescriptor.TYPE_BYTES:
            value = b"example"
        else:
            value = 1
        if field.is_repeated:
            getattr(message, field.name).append(value)
        else:
            setattr(message, field.name, value)


def example_payload(contract: Contract) -> Message:
    payload = contract.payload()
    _fill(payload)
    return payload


def _source(event_type: str) -> str:
    """The producing service's CloudEvents source: the service allowed to publish the type."""
    for service, subjects in PUBLISHES.items():
        if any(event_type.startswith(subject.removesuffix(">")) for subject in subjects):
            return f"//evently/{service}"
    return "//evently"


def example_event(contract: Contract) -> dict[str, Any]:
    """The CloudEvent a subscriber would receive for this type, as JSON."""
    source = _source(contract.event_type)
    payload = example_payload(contract)
    envelope = envelope_of(contract.event_type, payload, source=source, subject=_ID, id=_ID)
    body = envelope.to_cloudevent()
    body["time"] = EXAMPLE_TIME.isoformat().replace("+00:00", "Z")
    body["data"] = MessageToDict(payload)
    return body
