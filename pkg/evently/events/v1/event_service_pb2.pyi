import datetime

from evently.events.v1 import comment_pb2 as _comment_pb2
from evently.events.v1 import event_pb2 as _event_pb2
from evently.events.v1 import poll_pb2 as _poll_pb2
from evently.events.v1 import registration_pb2 as _registration_pb2
from evently.operations.v1 import dead_letter_pb2 as _dead_letter_pb2
from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateEventRequest(_message.Message):
    __slots__ = ("event", "date_poll")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    DATE_POLL_FIELD_NUMBER: _ClassVar[int]
    event: _event_pb2.Event
    date_poll: _poll_pb2.Poll
    def __init__(self, event: _Optional[_Union[_event_pb2.Event, _Mapping]] = ..., date_poll: _Optional[_Union[_poll_pb2.Poll, _Mapping]] = ...) -> None: ...

class GetEventRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListEventsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "timing", "organizer_id", "query", "start_after", "start_before", "include_cancelled")
    class Timing(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TIMING_UNSPECIFIED: _ClassVar[ListEventsRequest.Timing]
        UPCOMING: _ClassVar[ListEventsRequest.Timing]
        PAST: _ClassVar[ListEventsRequest.Timing]
    TIMING_UNSPECIFIED: ListEventsRequest.Timing
    UPCOMING: ListEventsRequest.Timing
    PAST: ListEventsRequest.Timing
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    TIMING_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    QUERY_FIELD_NUMBER: _ClassVar[int]
    START_AFTER_FIELD_NUMBER: _ClassVar[int]
    START_BEFORE_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_CANCELLED_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    timing: ListEventsRequest.Timing
    organizer_id: str
    query: str
    start_after: _timestamp_pb2.Timestamp
    start_before: _timestamp_pb2.Timestamp
    include_cancelled: bool
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., timing: _Optional[_Union[ListEventsRequest.Timing, str]] = ..., organizer_id: _Optional[str] = ..., query: _Optional[str] = ..., start_after: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_before: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., include_cancelled: _Optional[bool] = ...) -> None: ...

class UpdateEventRequest(_message.Message):
    __slots__ = ("event", "update_mask")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    event: _event_pb2.Event
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, event: _Optional[_Union[_event_pb2.Event, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetEventCalendarRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class WatchEventRequest(_message.Message):
    __slots__ = ("id", "last_event_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    LAST_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    last_event_id: str
    def __init__(self, id: _Optional[str] = ..., last_event_id: _Optional[str] = ...) -> None: ...

class EventChange(_message.Message):
    __slots__ = ("cursor", "type", "event", "comment", "poll")
    CURSOR_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    POLL_FIELD_NUMBER: _ClassVar[int]
    cursor: str
    type: str
    event: _event_pb2.Event
    comment: _comment_pb2.Comment
    poll: _poll_pb2.Poll
    def __init__(self, cursor: _Optional[str] = ..., type: _Optional[str] = ..., event: _Optional[_Union[_event_pb2.Event, _Mapping]] = ..., comment: _Optional[_Union[_comment_pb2.Comment, _Mapping]] = ..., poll: _Optional[_Union[_poll_pb2.Poll, _Mapping]] = ...) -> None: ...

class CreatePollRequest(_message.Message):
    __slots__ = ("poll",)
    POLL_FIELD_NUMBER: _ClassVar[int]
    poll: _poll_pb2.Poll
    def __init__(self, poll: _Optional[_Union[_poll_pb2.Poll, _Mapping]] = ...) -> None: ...

class GetPollRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListPollsRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class ListPollsResponse(_message.Message):
    __slots__ = ("polls",)
    POLLS_FIELD_NUMBER: _ClassVar[int]
    polls: _containers.RepeatedCompositeFieldContainer[_poll_pb2.Poll]
    def __init__(self, polls: _Optional[_Iterable[_Union[_poll_pb2.Poll, _Mapping]]] = ...) -> None: ...

class VoteRequest(_message.Message):
    __slots__ = ("poll_id", "answers")
    POLL_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    poll_id: str
    answers: _containers.RepeatedCompositeFieldContainer[_poll_pb2.OptionAnswer]
    def __init__(self, poll_id: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[_poll_pb2.OptionAnswer, _Mapping]]] = ...) -> None: ...

class ClosePollRequest(_message.Message):
    __slots__ = ("id", "option_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    OPTION_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    option_id: str
    def __init__(self, id: _Optional[str] = ..., option_id: _Optional[str] = ...) -> None: ...

class AddCommentRequest(_message.Message):
    __slots__ = ("event_id", "text", "parent_id", "mention_ids")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    MENTION_IDS_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    text: str
    parent_id: str
    mention_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_id: _Optional[str] = ..., text: _Optional[str] = ..., parent_id: _Optional[str] = ..., mention_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class UpdateCommentRequest(_message.Message):
    __slots__ = ("comment", "update_mask")
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    comment: _comment_pb2.Comment
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, comment: _Optional[_Union[_comment_pb2.Comment, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class DeleteCommentRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListCommentsRequest(_message.Message):
    __slots__ = ("event_id", "page_size", "page_token")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    page_size: int
    page_token: str
    def __init__(self, event_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListCommentsResponse(_message.Message):
    __slots__ = ("comments", "next_page_token")
    COMMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    comments: _containers.RepeatedCompositeFieldContainer[_comment_pb2.Comment]
    next_page_token: str
    def __init__(self, comments: _Optional[_Iterable[_Union[_comment_pb2.Comment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelEventRequest(_message.Message):
    __slots__ = ("id", "reason")
    ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    id: str
    reason: str
    def __init__(self, id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DeleteEventRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class RegisterForEventRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class CancelRegistrationRequest(_message.Message):
    __slots__ = ("event_id",)
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    def __init__(self, event_id: _Optional[str] = ...) -> None: ...

class ListRegistrationsRequest(_message.Message):
    __slots__ = ("event_id", "page_size", "page_token")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    page_size: int
    page_token: str
    def __init__(self, event_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRegistrationsResponse(_message.Message):
    __slots__ = ("registrations", "next_page_token")
    REGISTRATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    registrations: _containers.RepeatedCompositeFieldContainer[_registration_pb2.Registration]
    next_page_token: str
    def __init__(self, registrations: _Optional[_Iterable[_Union[_registration_pb2.Registration, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListEventsResponse(_message.Message):
    __slots__ = ("events", "next_page_token")
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[_event_pb2.Event]
    next_page_token: str
    def __init__(self, events: _Optional[_Iterable[_Union[_event_pb2.Event, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
