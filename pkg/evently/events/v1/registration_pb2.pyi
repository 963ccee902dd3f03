import datetime

from evently.events.v1 import event_pb2 as _event_pb2
from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Registration(_message.Message):
    __slots__ = ("id", "event_id", "user_id", "status", "create_time", "update_time", "waitlist_position")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Registration.Status]
        CONFIRMED: _ClassVar[Registration.Status]
        WAITLISTED: _ClassVar[Registration.Status]
        CANCELLED: _ClassVar[Registration.Status]
    STATUS_UNSPECIFIED: Registration.Status
    CONFIRMED: Registration.Status
    WAITLISTED: Registration.Status
    CANCELLED: Registration.Status
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    WAITLIST_POSITION_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    user_id: str
    status: Registration.Status
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    waitlist_position: int
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., user_id: _Optional[str] = ..., status: _Optional[_Union[Registration.Status, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., waitlist_position: _Optional[int] = ...) -> None: ...

class RegistrationChanged(_message.Message):
    __slots__ = ("registration", "organizer_id", "event_title", "event_start_time", "event")
    REGISTRATION_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    EVENT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    registration: Registration
    organizer_id: str
    event_title: str
    event_start_time: _timestamp_pb2.Timestamp
    event: _event_pb2.Event
    def __init__(self, registration: _Optional[_Union[Registration, _Mapping]] = ..., organizer_id: _Optional[str] = ..., event_title: _Optional[str] = ..., event_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event: _Optional[_Union[_event_pb2.Event, _Mapping]] = ...) -> None: ...
