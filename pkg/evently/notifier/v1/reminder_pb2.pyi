import datetime

from google.api import field_behavior_pb2 as _field_behavior_pb2
from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Reminder(_message.Message):
    __slots__ = ("id", "event_id", "remind_time", "before_start", "state", "is_default", "create_time")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Reminder.State]
        SCHEDULED: _ClassVar[Reminder.State]
        FIRED: _ClassVar[Reminder.State]
    STATE_UNSPECIFIED: Reminder.State
    SCHEDULED: Reminder.State
    FIRED: Reminder.State
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    REMIND_TIME_FIELD_NUMBER: _ClassVar[int]
    BEFORE_START_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    remind_time: _timestamp_pb2.Timestamp
    before_start: _duration_pb2.Duration
    state: Reminder.State
    is_default: bool
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., remind_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., before_start: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., state: _Optional[_Union[Reminder.State, str]] = ..., is_default: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReminderDue(_message.Message):
    __slots__ = ("reminder_id", "user_id", "event_id", "event_title", "event_start_time")
    REMINDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    EVENT_START_TIME_FIELD_NUMBER: _ClassVar[int]
    reminder_id: str
    user_id: str
    event_id: str
    event_title: str
    event_start_time: _timestamp_pb2.Timestamp
    def __init__(self, reminder_id: _Optional[str] = ..., user_id: _Optional[str] = ..., event_id: _Optional[str] = ..., event_title: _Optional[str] = ..., event_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
