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

class Poll(_message.Message):
    __slots__ = ("id", "event_id", "kind", "state", "options", "winner_option_id", "close_time", "create_time", "ballots", "my_answers")
    class Kind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        KIND_UNSPECIFIED: _ClassVar[Poll.Kind]
        DATE: _ClassVar[Poll.Kind]
        PLACE: _ClassVar[Poll.Kind]
        QUESTION: _ClassVar[Poll.Kind]
    KIND_UNSPECIFIED: Poll.Kind
    DATE: Poll.Kind
    PLACE: Poll.Kind
    QUESTION: Poll.Kind
    class State(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATE_UNSPECIFIED: _ClassVar[Poll.State]
        OPEN: _ClassVar[Poll.State]
        CLOSED: _ClassVar[Poll.State]
    STATE_UNSPECIFIED: Poll.State
    OPEN: Poll.State
    CLOSED: Poll.State
    ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    WINNER_OPTION_ID_FIELD_NUMBER: _ClassVar[int]
    CLOSE_TIME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    BALLOTS_FIELD_NUMBER: _ClassVar[int]
    MY_ANSWERS_FIELD_NUMBER: _ClassVar[int]
    id: str
    event_id: str
    kind: Poll.Kind
    state: Poll.State
    options: _containers.RepeatedCompositeFieldContainer[PollOption]
    winner_option_id: str
    close_time: _timestamp_pb2.Timestamp
    create_time: _timestamp_pb2.Timestamp
    ballots: _containers.RepeatedCompositeFieldContainer[Ballot]
    my_answers: _containers.RepeatedCompositeFieldContainer[OptionAnswer]
    def __init__(self, id: _Optional[str] = ..., event_id: _Optional[str] = ..., kind: _Optional[_Union[Poll.Kind, str]] = ..., state: _Optional[_Union[Poll.State, str]] = ..., options: _Optional[_Iterable[_Union[PollOption, _Mapping]]] = ..., winner_option_id: _Optional[str] = ..., close_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ballots: _Optional[_Iterable[_Union[Ballot, _Mapping]]] = ..., my_answers: _Optional[_Iterable[_Union[OptionAnswer, _Mapping]]] = ...) -> None: ...

class PollOption(_message.Message):
    __slots__ = ("id", "start_time", "end_time", "location", "text", "yes", "if_need_be", "no")
    ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    YES_FIELD_NUMBER: _ClassVar[int]
    IF_NEED_BE_FIELD_NUMBER: _ClassVar[int]
    NO_FIELD_NUMBER: _ClassVar[int]
    id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    location: str
    text: str
    yes: int
    if_need_be: int
    no: int
    def __init__(self, id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., location: _Optional[str] = ..., text: _Optional[str] = ..., yes: _Optional[int] = ..., if_need_be: _Optional[int] = ..., no: _Optional[int] = ...) -> None: ...

class OptionAnswer(_message.Message):
    __slots__ = ("option_id", "answer")
    class Answer(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ANSWER_UNSPECIFIED: _ClassVar[OptionAnswer.Answer]
        YES: _ClassVar[OptionAnswer.Answer]
        IF_NEED_BE: _ClassVar[OptionAnswer.Answer]
        NO: _ClassVar[OptionAnswer.Answer]
    ANSWER_UNSPECIFIED: OptionAnswer.Answer
    YES: OptionAnswer.Answer
    IF_NEED_BE: OptionAnswer.Answer
    NO: OptionAnswer.Answer
    OPTION_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    option_id: str
    answer: OptionAnswer.Answer
    def __init__(self, option_id: _Optional[str] = ..., answer: _Optional[_Union[OptionAnswer.Answer, str]] = ...) -> None: ...

class Ballot(_message.Message):
    __slots__ = ("user_id", "answers")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    answers: _containers.RepeatedCompositeFieldContainer[OptionAnswer]
    def __init__(self, user_id: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[OptionAnswer, _Mapping]]] = ...) -> None: ...

class PollChanged(_message.Message):
    __slots__ = ("poll", "organizer_id", "event_title")
    POLL_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    poll: Poll
    organizer_id: str
    event_title: str
    def __init__(self, poll: _Optional[_Union[Poll, _Mapping]] = ..., organizer_id: _Optional[str] = ..., event_title: _Optional[str] = ...) -> None: ...

class PollVoted(_message.Message):
    __slots__ = ("poll", "organizer_id", "event_title", "voter_id")
    POLL_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TITLE_FIELD_NUMBER: _ClassVar[int]
    VOTER_ID_FIELD_NUMBER: _ClassVar[int]
    poll: Poll
    organizer_id: str
    event_title: str
    voter_id: str
    def __init__(self, poll: _Optional[_Union[Poll, _Mapping]] = ..., organizer_id: _Optional[str] = ..., event_title: _Optional[str] = ..., voter_id: _Optional[str] = ...) -> None: ...
