"""Domain ↔ protobuf for the users service."""

from __future__ import annotations

from datetime import datetime

from evently.users.v1 import user_pb2
from evently_platform.messaging.contracts import envelope_of
from evently_platform.messaging.envelope import Envelope
from google.protobuf.timestamp_pb2 import Timestamp

from evently_users.domain.model import PasswordChanged, User, UserCreated, UserDeleted, UserUpdated
from evently_users.domain.resets import PasswordResetRequested

SOURCE = "//evently/users"


def _ts(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def user_to_proto(user: User) -> user_pb2.User:
    return user_pb2.User(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        create_time=_ts(user.create_time),
        update_time=_ts(user.update_time),
        time_zone=user.time_zone,
    )


def to_integration_event(event: object) -> Envelope:
    """Domain events → the public `evently.user.*` events (proto3 JSON as CloudEvents data)."""
    match event:
        case UserCreated(user=user):
            created = user_pb2.UserCreated(user=user_to_proto(user))
            return envelope_of("evently.user.created", created, source=SOURCE, subject=user.id)
        case UserUpdated(user=user, changed_fields=fields):
            updated = user_pb2.UserUpdated(user=user_to_proto(user), changed_fields=fields)
            return envelope_of("evently.user.updated", updated, source=SOURCE, subject=user.id)
        case UserDeleted(user_id=user_id, delete_time=delete_time):
            deleted = user_pb2.UserDeleted(user_id=user_id, delete_time=_ts(delete_time))
            return envelope_of("evently.user.deleted", deleted, source=SOURCE, subject=user_id)
        case PasswordResetRequested(user_id=user_id, token=token, expire_time=expire_time):
            requested = user_pb2.PasswordResetRequested(
                user_id=user_id, token=token, expire_time=_ts(expire_time)
            )
            return envelope_of(
                "evently.user.password_reset_requested", requested, source=SOURCE, subject=user_id
            )
        case PasswordChanged(user_id=user_id, change_time=change_time):
            changed = user_pb2.PasswordChanged(user_id=user_id, change_time=_ts(change_time))
            return envelope_of("evently.user.password_changed", changed, source=SOURCE, subject=user_id)
    raise TypeError(f"no integration event for {type(event).__name__}")
