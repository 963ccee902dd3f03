import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Event(_message.Message):
    __slots__ = ("id", "organizer_id", "title", "description", "location", "start_time", "end_time", "capacity", "state", "create_time", "update_time", "cancel_reason", "time_zone", "revision", "confirmed_count", "waitlist_count")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Event.State]
        SCHEDULED: _ClassVar[Event.State]
        CANCELLED: _ClassVar[Event.State]
        PROPOSED: _ClassVar[Event.State]
    STATE_UNSPECIFIED: Event.State
    SCHEDULED: Event.State
    CANCELLED: Event.State
    PROPOSED: Event.State
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    REVISION_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_COUNT_FIELD_NUMBER: _ClassVar[int]
    WAITLIST_COUNT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organizer_id: str
    title: str
    description: str
    location: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    capacity: int
    state: Event.State
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    cancel_reason: str
    time_zone: str
    revision: int
    confirmed_count: int
    waitlist_count: int
    def __init__(self, id: _Optional[str] = ..., organizer_id: _Optional[str] = ..., title: _Optional[str] = ..., description: _Optional[str] = ..., location: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., capacity: _Optional[int] = ..., state: _Optional[_Union[Event.State, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_reason: _Optional[str] = ..., time_zone: _Optional[str] = ..., revision: _Optional[int] = ..., confirmed_count: _Optional[int] = ..., waitlist_count: _Optional[int] = ...) -> None: ...

class EventCreated(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: Event
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ...) -> None: ...

class EventCancelled(_message.Message):
    __slots__ = ("event", "reason")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    event: Event
    reason: str
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class EventDeleted(_message.Message):
    __slots__ = ("event_id", "organizer_id", "title")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    organizer_id: str
    title: str
    def __init__(self, event_id: _Optional[str] = ..., organizer_id: _Optional[str] = ..., title: _Optional[str] = ...) -> None: ...

class EventUpdated(_message.Message):
    __slots__ = ("event", "changed_fields", "previous_start_time", "previous_end_time", "previous_location")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_START_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_END_TIME_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_LOCATION_FIELD_NUMBER: _ClassVar[int]
    event: Event
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    previous_start_time: _timestamp_pb2.Timestamp
    previous_end_time: _timestamp_pb2.Timestamp
    previous_location: str
    def __init__(self, event: _Optional[_Union[Event, _Mapping]] = ..., changed_fields: _Optional[_Iterable[str]] = ..., previous_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., previous_location: _Optional[str] = ...) -> None: ...
