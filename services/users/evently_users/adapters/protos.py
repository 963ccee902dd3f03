"""Domain ↔ protobuf for the users service."""

from __future__ import annotations

from evently.users.v1 import user_pb2
from evently_platform.messaging.envelope import Envelope
from google.protobuf.json_format import MessageToDict
from google.protobuf.timestamp_pb2 import Timestamp

from evently_users.domain.model import User, UserCreated

SOURCE = "//evently/users"


def user_to_proto(user: User) -> user_pb2.User:
    create_time = Timestamp()
    create_time.FromDatetime(user.create_time)
    return user_pb2.User(
        id=user.id, email=user.email, display_name=user.display_name, create_time=create_time
    )


def to_integration_event(event: object) -> Envelope:
    """Domain events → the public `evently.user.*` events (proto3 JSON as CloudEvents data)."""
    match event:
        case UserCreated(user=user):
            data = user_pb2.UserCreated(user=user_to_proto(user))
            return Envelope(
                type="evently.user.created", source=SOURCE, subject=user.id, data=MessageToDict(data)
            )
    raise TypeError(f"no integration event for {type(event).__name__}")
