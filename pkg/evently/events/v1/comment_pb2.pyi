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

class Comment(_message.Message):
    __slots__ = ("id", "event_id", "author_id", "text", "create_time", "parent_id", "update_time", "state", "mention_ids")
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Comment.State]
        VISIBLE: _ClassVar[Comment.State]
        DELETED: _ClassVar[Comment.State]
        REMOVED: _ClassVar[Comment.State]
    STATE_UNSPECIFIED: Comment.State
    VISIBLE: Comment.State
    DELETED: Comment.State
    REMOVED: Comment.State
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MENTION_IDS_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    author_id: str
    text: str
    create_time: _timestamp_pb2.Timestamp
    parent_id: str
    update_time: _timestamp_pb2.Timestamp
    state: Comment.State
    mention_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., author_id: _Optional[str] = ..., text: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., parent_id: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., state: _Optional[_Union[Comment.State, str]] = ..., mention_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CommentAdded(_message.Message):
    __slots__ = ("comment", "organizer_id", "event_title", "parent_author_id")
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    PARENT_AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    comment: Comment
    organizer_id: str
    event_title: str
    parent_author_id: str
    def __init__(self, comment: _Optional[_Union[Comment, _Mapping]] = ..., organizer_id: _Optional[str] = ..., event_title: _Optional[str] = ..., parent_author_id: _Optional[str] = ...) -> None: ...

class CommentChanged(_message.Message):
    __slots__ = ("comment", "organizer_id", "event_title")
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    comment: Comment
    organizer_id: str
    event_title: str
    def __init__(self, comment: _Optional[_Union[Comment, _Mapping]] = ..., organizer_id: _Optional[str] = ..., event_title: _Optional[str] = ...) -> None: ...
