"""protobuf's JSON mapping, fast where our messages need it: `to_dict` is `json_format.MessageToDict`
and `parse` is `json_format.ParseDict(..., ignore_unknown_fields=True)`, result for result and
error for error, at a fraction of the cost.

json_format walks every message through generic, pure-Python code (a registration.created costs
~55 µs to parse, a third of it `Timestamp` through `strptime`), once per domain event in the
events service's outbox and again in every consumer. Here each message type is compiled once
into a table of per-field converters for the shapes our contracts use: strings, booleans,
integers, doubles, enums, nested and repeated messages, `Timestamp` and `Duration`.

Anything else — maps, bytes, float32, the other well-known types, and any input that is not
plainly valid (a `null`, a number as a string, an enum by number, a time with an offset, a
field named twice, two members of a oneof, ...) — is handed to json_format itself, which gives
its own answer or its own error. So the fast path only ever has to be right about input it
fully understands; tests/unit/test_protojson.py holds it to json_format's results on every
contract's message and on a battery of malformed input.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)

_F = FieldDescriptor
_INTEGERS_32 = {_F.TYPE_INT32, _F.TYPE_UINT32, _F.TYPE_SINT32, _F.TYPE_FIXED32, _F.TYPE_SFIXED32}
_INTEGERS_64 = {_F.TYPE_INT64, _F.TYPE_UINT64, _F.TYPE_SINT64, _F.TYPE_FIXED64, _F.TYPE_SFIXED64}
_TIMESTAMP, _DURATION = "google.protobuf.Timestamp", "google.protobuf.Duration"
_MAX_DEPTH = 100  # json_format's own default recursion limit
_UTC_Z = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z")
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


# Tables are built on first use, possibly by several threads at once (use cases run in worker
# threads on PostgreSQL); a build in progress is visible to its own recursion only.
_building = threading.RLock()


class _Unsure(Exception):
    """The fast path does not take this on: json_format decides."""


def to_dict(message: Message) -> dict[str, Any]:
    """`json_format.MessageToDict(message)`."""
    writers = _writers(message.DESCRIPTOR)
    if writers is not None:
        try:
            return _write(message, writers)
        except _Unsure:
            pass
    return json_format.MessageToDict(message)


def parse(data: Any, message_class: type[M]) -> M:
    """`json_format.ParseDict(data, message_class(), ignore_unknown_fields=True)`."""
    readers = _readers(message_class.DESCRIPTOR)
    if readers is not None:
        message = message_class()
        try:
            _read(data, message, readers, 0)
            return message
        except (_Unsure, ValueError, TypeError, OverflowError):
            pass  # e.g. an int32 out of range: json_format words the error
    return json_format.ParseDict(data, message_class(), ignore_unknown_fields=True)


# --- writing -------------------------------------------------------------------------------

Writer = Callable[[Any], Any]
Writers = dict[FieldDescriptor, tuple[str, Writer]]


def _write(message: Message, writers: Writers) -> dict[str, Any]:
    out = {}
    for field, value in message.ListFields():
        entry = writers.get(field)
        if entry is None:  # an extension
            raise _Unsure
        out[entry[0]] = entry[1](value)
    return out


def _int64(value: int) -> str:
    return str(value)


def _double(value: float) -> float:
    if not math.isfinite(value):  # "NaN", "Infinity": json_format's spelling
        raise _Unsure
    return value


def _same(value: Any) -> Any:
    return value


def _to_json_string(value: Any) -> str:
    return value.ToJsonString()  # type: ignore[no-any-return]


@functools.cache
def _writers(descriptor: Descriptor) -> Writers | None:
    """Per field of a message type: its JSON name and how its value is written; None when the
    type holds something the fast path leaves to json_format."""
    if descriptor.full_name in (_TIMESTAMP, _DURATION) or descriptor.GetOptions().map_entry:
        return None
    with _building:
        writers: Writers = {}
        _writers_pending[descriptor] = writers  # a message that contains itself
        try:
            for field in descriptor.fields:
                one = _writer(field)
                if one is None:
                    return None
                writers[field] = (field.json_name, _repeated(one) if field.is_repeated else one)
        finally:
            del _writers_pending[descriptor]
        return writers


_writers_pending: dict[Descriptor, Writers] = {}


def _repeated(one: Writer) -> Writer:
    return lambda values: [one(value) for value in values]


def _writer(field: FieldDescriptor) -> Writer | None:
    kind = field.type
    if kind in (_F.TYPE_STRING, _F.TYPE_BOOL) or kind in _INTEGERS_32:
        return _same
    if kind in _INTEGERS_64:
        return _int64
    if kind == _F.TYPE_DOUBLE:
        return _double
    if kind == _F.TYPE_ENUM:
        names = {value.number: value.name for value in _enum_of(field).values}

        def enum(number: int) -> str:
            name = names.get(number)
            if name is None:
                raise _Unsure
            return name

        return enum
    if kind == _F.TYPE_MESSAGE:
        nested = _message_of(field)
        if nested.full_name in (_TIMESTAMP, _DURATION):
            return _to_json_string
        if nested in _writers_pending:
            table = _writers_pending[nested]
            return lambda value: _write(value, table)
        inner = _writers(nested)
        if inner is None:
            return None
        return lambda value: _write(value, inner)
    return None  # bytes, float32, groups


def _enum_of(field: FieldDescriptor) -> EnumDescriptor:
    assert field.enum_type is not None  # an enum field's
    return field.enum_type


def _message_of(field: FieldDescriptor) -> Descriptor:
    assert field.message_type is not None  # a message field's
    return field.message_type


# --- reading -------------------------------------------------------------------------------

Reader = Callable[[Message, Any, int], None]


class _Readers:
    """A message type's fields by every key that names them (JSON and proto names)."""

    def __init__(self) -> None:
        self.by_key: dict[str, tuple[str, Reader]] = {}
        self.oneof_of: dict[str, str] = {}
        # False until every field has a reader: a type that contains itself refers to its own
        # table while it is being built, and must not read with it if the build gives up.
        self.complete = False


def _read(data: object, message: Message, readers: _Readers, depth: int) -> None:
    if type(data) is not dict or depth > _MAX_DEPTH or not readers.complete:
        raise _Unsure
    seen: set[str] = set()
    for key, value in data.items():
        entry = readers.by_key.get(key)
        if entry is None:
            if type(key) is not str or key.startswith("["):  # extensions: json_format's call
                raise _Unsure
            continue  # an unknown field, ignored
        name, reader = entry
        if name in seen or value is None:
            raise _Unsure
        seen.add(name)
        reader(message, value, depth)
    if readers.oneof_of:
        oneofs = [readers.oneof_of[name] for name in seen if name in readers.oneof_of]
        if len(oneofs) != len(set(oneofs)):
            raise _Unsure


@functools.cache
def _readers(descriptor: Descriptor) -> _Readers | None:
    if descriptor.full_name in (_TIMESTAMP, _DURATION) or descriptor.GetOptions().map_entry:
        return None
    with _building:
        readers = _Readers()
        _readers_pending[descriptor] = readers
        try:
            for field in descriptor.fields:
                one = _reader(field)
                if one is None:
                    return None
                entry = (field.name, one)
                readers.by_key[field.json_name] = entry
                readers.by_key.setdefault(field.name, entry)
                if field.containing_oneof is not None:
                    readers.oneof_of[field.name] = field.containing_oneof.name
            readers.complete = True
        finally:
            del _readers_pending[descriptor]
        return readers


_readers_pending: dict[Descriptor, _Readers] = {}

# A value as the field stores it, from its JSON value (raises _Unsure when it is not plain).
Convert = Callable[[Any], Any]


def _of_type(*types: type) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) not in types:
            raise _Unsure
        return value

    return convert


_DIGITS = re.compile(r"-?[0-9]+")


def _int64_value(value: Any) -> int:
    """A number, or the decimal string the JSON mapping writes 64-bit integers as."""
    if type(value) is int:
        return value
    if type(value) is str and _DIGITS.fullmatch(value):
        return int(value)
    raise _Unsure


def _finite(value: Any) -> float:
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return float(value)
    raise _Unsure


def _reader(field: FieldDescriptor) -> Reader | None:
    name, kind = field.name, field.type
    if kind == _F.TYPE_MESSAGE:
        return _message_reader(field)
    convert: Convert
    if kind == _F.TYPE_STRING:
        convert = _of_type(str)
    elif kind == _F.TYPE_BOOL:
        convert = _of_type(bool)
    elif kind in _INTEGERS_32:
        convert = _of_type(int)
    elif kind in _INTEGERS_64:
        convert = _int64_value
    elif kind == _F.TYPE_DOUBLE:
        convert = _finite
    elif kind == _F.TYPE_ENUM:
        numbers = {value.name: value.number for value in _enum_of(field).values}

        def convert(value: Any) -> int:
            number = numbers.get(value) if type(value) is str else None
            if number is None:
                raise _Unsure
            return number

    else:
        return None
    if field.is_repeated:

        def read_all(message: Message, values: Any, depth: int) -> None:
            if type(values) is not list:
                raise _Unsure
            getattr(message, name).extend([convert(value) for value in values])

        return read_all

    def read(message: Message, value: Any, depth: int) -> None:
        setattr(message, name, convert(value))

    return read


def _message_reader(field: FieldDescriptor) -> Reader | None:
    name, nested = field.name, _message_of(field)
    fill: Callable[[Message, Any, int], None]
    if nested.full_name == _TIMESTAMP:
        fill = _fill_timestamp
    elif nested.full_name == _DURATION:
        fill = _fill_duration
    else:
        table = _readers_pending.get(nested) or _readers(nested)
        if table is None:
            return None

        def fill(message: Message, value: Any, depth: int) -> None:
            _read(value, message, table, depth + 1)

    if field.is_repeated:

        def read_all(message: Message, values: Any, depth: int) -> None:
            if type(values) is not list:
                raise _Unsure
            container = getattr(message, name)
            for value in values:
                fill(container.add(), value, depth)

        return read_all

    def read(message: Message, value: Any, depth: int) -> None:
        inner = getattr(message, name)
        inner.SetInParent()
        fill(inner, value, depth)

    return read


def _fill_timestamp(message: Any, value: Any, depth: int) -> None:
    """`Timestamp.FromJsonString` for the form our producers write (UTC, "Z"), without strptime."""
    match = _UTC_Z.fullmatch(value) if type(value) is str else None
    if match is None:
        raise _Unsure
    year, month, day, hour, minute, second, fraction = match.groups()
    moment = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    days = moment.toordinal() - _EPOCH_DAY
    message.seconds = days * 86400 + moment.hour * 3600 + moment.minute * 60 + moment.second
    message.nanos = int(fraction.ljust(9, "0")) if fraction else 0


def _fill_duration(message: Any, value: Any, depth: int) -> None:
    if type(value) is not str:
        raise _Unsure
    message.FromJsonString(value)  # json_format's own conversion; its errors send us there too
