"""evently_platform.protojson gives exactly what protobuf's json_format gives: the same dict for
every message, the same message for every valid input, the same error for every invalid one."""

from __future__ import annotations

import copy
import itertools
import sys
import threading
from typing import Any

import pytest
from evently.events.v1 import comment_pb2, event_pb2, registration_pb2
from evently.notifier.v1 import notifier_service_pb2, reminder_pb2
from evently.operations.v1 import dead_letter_pb2
from evently_platform import protojson
from evently_platform.messaging.contracts import CONTRACTS
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import given, settings
from hypothesis import strategies as st

F = FieldDescriptor


def _sample_pool() -> descriptor_pool.DescriptorPool:
    """test.Sample, a message with what our contracts do not use yet: int64, uint64, double, a oneof, and
    itself inside itself."""
    pool = descriptor_pool.DescriptorPool()
    pool.AddSerializedFile(timestamp_pb2.DESCRIPTOR.serialized_pb)
    file = descriptor_pb2.FileDescriptorProto(
        name="sample.proto", package="test", syntax="proto3", dependency=["google/protobuf/timestamp.proto"]
    )
    sample = file.message_type.add(name="Sample")
    fields: list[tuple[str, Any, str | None]] = [
        ("text", F.TYPE_STRING, None),
        ("big", F.TYPE_INT64, None),
        ("unsigned", F.TYPE_UINT64, None),
        ("ratio", F.TYPE_DOUBLE, None),
        ("flag", F.TYPE_BOOL, None),
        ("child", F.TYPE_MESSAGE, ".test.Sample"),
        ("at", F.TYPE_MESSAGE, ".google.protobuf.Timestamp"),
        ("first", F.TYPE_STRING, None),
        ("second", F.TYPE_INT32, None),
    ]
    for number, (name, kind, type_name) in enumerate(fields, start=1):
        field = sample.field.add(name=name, number=number, type=kind, label=F.LABEL_OPTIONAL)
        if type_name:
            field.type_name = type_name
        if name in ("first", "second"):
            field.oneof_index = 0
    sample.oneof_decl.add(name="choice")
    sample.field.add(
        name="children", number=20, type=F.TYPE_MESSAGE, type_name=".test.Sample", label=F.LABEL_REPEATED
    )
    sample.field.add(name="numbers", number=21, type=F.TYPE_INT64, label=F.LABEL_REPEATED)
    # Loop holds Back, which holds Loop; Loop also holds bytes, which the fast path leaves to
    # json_format: Back must not be read with Loop's half-built table.
    loop = file.message_type.add(name="Loop")
    loop.field.add(name="back", number=1, type=F.TYPE_MESSAGE, type_name=".test.Back", label=F.LABEL_OPTIONAL)
    loop.field.add(name="blob", number=2, type=F.TYPE_BYTES, label=F.LABEL_OPTIONAL)
    back = file.message_type.add(name="Back")
    back.field.add(name="loop", number=1, type=F.TYPE_MESSAGE, type_name=".test.Loop", label=F.LABEL_OPTIONAL)
    back.field.add(name="name", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    pool.Add(file)
    return pool


_POOL = _sample_pool()
SAMPLE: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("test.Sample"))
LOOP: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("test.Loop"))
BACK: Any = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("test.Back"))
PAYLOADS = sorted({c.payload for c in CONTRACTS.values()}, key=lambda p: p.DESCRIPTOR.full_name)
# Beyond the contracts: the sample, a reminder (a Duration), and messages with maps, bytes and
# FieldMasks, which json_format handles whole.
OTHERS = [
    SAMPLE,
    reminder_pb2.Reminder,
    dead_letter_pb2.DeadLetter,
    notifier_service_pb2.ListDeliveriesRequest,
    event_pb2.Event,
    descriptor_pb2.FileDescriptorProto,
]


def _populated(cls: type[Message], variant: int, depth: int = 0) -> Message:
    """A message of `cls` with every field set (repeated ones twice), values varied by `variant`."""
    message = cls()
    for field in cls.DESCRIPTOR.fields:
        oneof = field.containing_oneof
        if oneof is not None and oneof.fields[variant % len(oneof.fields)] is not field:
            continue  # one member of each oneof, a different one per variant
        for n in range(2 if field.is_repeated else 1):
            _set(message, field, variant + n, depth)
    return message


def _set(message: Message, field: Any, variant: int, depth: int) -> None:
    if field.type == F.TYPE_MESSAGE:
        nested = field.message_type
        if nested.GetOptions().map_entry:
            getattr(message, field.name)[f"k{variant}"] = _scalar(nested.fields_by_name["value"], variant)
            return
        target = getattr(message, field.name).add() if field.is_repeated else getattr(message, field.name)
        if nested.full_name == "google.protobuf.Timestamp":
            target.seconds = 1_796_000_000 + variant * 86_399
            target.nanos = [0, 123_000_000, 123_456_000, 123_456_789][variant % 4]
        elif nested.full_name == "google.protobuf.Duration":
            target.seconds, target.nanos = 3600 * (variant + 1), [0, 500_000_000][variant % 2]
        elif nested.full_name.startswith("google.protobuf."):
            target.SetInParent()
        elif depth < 3:
            target.CopyFrom(_populated(message_factory.GetMessageClass(nested), variant, depth + 1))
        else:
            target.SetInParent()
        return
    value = _scalar(field, variant)
    if field.is_repeated:
        getattr(message, field.name).append(value)
    else:
        setattr(message, field.name, value)


def _scalar(field: Any, variant: int) -> Any:
    if field.type == F.TYPE_STRING:
        return ["é ünïcode ✓", "01HZX", "", 'a"b\\c'][variant % 4]
    if field.type == F.TYPE_BOOL:
        return variant % 2 == 0
    if field.type == F.TYPE_ENUM:
        values = field.enum_type.values
        return values[variant % len(values)].number
    if field.type in (F.TYPE_DOUBLE, F.TYPE_FLOAT):
        return [0.5, 3.0, -2.25, 1e-7][variant % 4]
    if field.type in (F.TYPE_INT64, F.TYPE_UINT64):
        return [7, 2**53 + 1, 0, 2**62][variant % 4]
    if field.type == F.TYPE_BYTES:
        return b"\x00\xff" * (variant + 1)
    unsigned = field.type in (F.TYPE_UINT32, F.TYPE_UINT64, F.TYPE_FIXED32, F.TYPE_FIXED64)
    return [7, 0, 2**31 - 1, 42][variant % 4] if unsigned else [7, 0, -5, 2**31 - 1][variant % 4]


def _messages() -> list[Message]:
    return [cls() for cls in PAYLOADS + OTHERS] + [
        _populated(cls, variant) for cls, variant in itertools.product(PAYLOADS + OTHERS, range(4))
    ]


def _outcome(convert: Any, *args: Any) -> tuple[str, Any]:
    """What a conversion came to: its result, or its error's type and words."""
    try:
        return "ok", convert(*args)
    except Exception as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("message", _messages(), ids=lambda m: m.DESCRIPTOR.name)
def test_a_message_is_written_as_json_format_writes_it(message: Message) -> None:
    assert protojson.to_dict(message) == json_format.MessageToDict(message)


@pytest.mark.parametrize("message", _messages(), ids=lambda m: m.DESCRIPTOR.name)
def test_what_json_format_wrote_reads_back_as_json_format_reads_it(message: Message) -> None:
    data = json_format.MessageToDict(message)
    cls = type(message)
    parsed = protojson.parse(data, cls)
    assert parsed == json_format.ParseDict(data, cls(), ignore_unknown_fields=True)
    assert parsed == message


def test_every_contract_is_taken_by_the_fast_path() -> None:
    """Otherwise the contracts would silently pay json_format's price again."""
    for cls in PAYLOADS:
        assert protojson._readers(cls.DESCRIPTOR) is not None, cls.DESCRIPTOR.full_name
        assert protojson._writers(cls.DESCRIPTOR) is not None, cls.DESCRIPTOR.full_name


def test_valid_data_is_converted_without_json_format(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path really is taken: with json_format's two functions broken, every contract's
    message (and the sample's) still converts both ways."""
    messages = [_populated(cls, variant) for cls, variant in itertools.product([*PAYLOADS, SAMPLE], range(4))]
    written = [json_format.MessageToDict(message) for message in messages]

    def unavailable(*args: object, **kwargs: object) -> None:
        raise AssertionError("json_format was asked")

    monkeypatch.setattr(json_format, "MessageToDict", unavailable)
    monkeypatch.setattr(json_format, "ParseDict", unavailable)
    for message, data in zip(messages, written, strict=True):
        assert protojson.to_dict(message) == data
        assert protojson.parse(data, type(message)) == message


MALFORMED: list[tuple[str, Any]] = [
    ("not a dict", ["registration"]),
    ("unknown fields are ignored", {"registration": {"id": "r1", "seatsLeft": 3}, "extra": {}}),
    ("proto names are read too", {"registration": {"id": "r1", "event_id": "e1"}}),
    ("a field named twice", {"registration": {"eventId": "e1", "event_id": "e2"}}),
    ("null", {"registration": {"id": None}}),
    ("null message", {"registration": None}),
    ("a number for a string", {"registration": {"id": 5}}),
    ("a list for a message", {"registration": [{"id": "r1"}]}),
    ("an enum by number", {"registration": {"status": 1}}),
    ("an unknown enum name", {"registration": {"status": "MAYBE"}}),
    ("an enum name of the wrong case", {"registration": {"status": "confirmed"}}),
    ("a time with an offset", {"registration": {"createTime": "2026-12-08T01:13:58+01:00"}}),
    ("a time without a zone", {"registration": {"createTime": "2026-12-08T00:13:58"}}),
    ("a lower-case t", {"registration": {"createTime": "2026-12-08t00:13:58Z"}}),
    ("a day that does not exist", {"registration": {"createTime": "2026-02-30T00:00:00Z"}}),
    ("a leap second", {"registration": {"createTime": "2016-12-31T23:59:60Z"}}),
    ("ten digits of fraction", {"registration": {"createTime": "2026-12-08T00:13:58.1234567891Z"}}),
    ("year zero", {"registration": {"createTime": "0000-01-01T00:00:00Z"}}),
    ("the first moment", {"registration": {"createTime": "0001-01-01T00:00:00Z"}}),
    ("the last moment", {"registration": {"createTime": "9999-12-31T23:59:59.999999999Z"}}),
    ("a number for a time", {"registration": {"createTime": 1796000000}}),
    ("a key that looks like an extension", {"[evently.x]": 1, "registration": {"id": "r"}}),
]
COMMENTS: list[tuple[str, Any]] = [
    ("a repeated field named twice", {"comment": {"id": "c", "mentionIds": ["a"], "mention_ids": ["b"]}}),
    ("a message named twice", {"comment": {"id": "c"}, "comment": {"eventId": "e"}}),  # noqa: F601
    ("a repeated string given a string", {"comment": {"id": "c", "mentionIds": "ab"}}),
]


@pytest.mark.parametrize(("case", "data"), COMMENTS, ids=[case for case, _ in COMMENTS])
def test_repeated_input_is_read_or_refused_as_json_format_does(case: str, data: Any) -> None:
    cls = comment_pb2.CommentAdded
    assert _outcome(protojson.parse, data, cls) == _parsed_by_json_format(data, cls)


@pytest.mark.parametrize(("case", "data"), MALFORMED, ids=[case for case, _ in MALFORMED])
def test_input_is_read_or_refused_as_json_format_does(case: str, data: Any) -> None:
    cls = registration_pb2.RegistrationChanged
    assert _outcome(protojson.parse, data, cls) == _parsed_by_json_format(data, cls)


def _parsed_by_json_format(data: Any, cls: type[Message]) -> tuple[str, Any]:
    return _outcome(lambda: json_format.ParseDict(copy.deepcopy(data), cls(), ignore_unknown_fields=True))


def _nested(depth: int) -> dict[str, Any]:
    data: dict[str, Any] = {"text": "bottom"}
    for _ in range(depth):
        data = {"child": data}
    return data


SAMPLES: list[tuple[str, Any]] = [
    ("an int64 as a number", {"big": 2**40}),
    ("an int64 as a string", {"big": "1099511627776"}),
    ("an int64 out of range", {"big": 2**63}),
    ("a negative uint64", {"unsigned": -1}),
    ("a double from an int", {"ratio": 3}),
    ("a double too big", {"ratio": 10**400}),
    ("a double as a string", {"ratio": "0.5"}),
    ("NaN as a float", {"ratio": float("nan")}),
    ("NaN as a string", {"ratio": "NaN"}),
    ("a bool as a string", {"flag": "true"}),
    ("a bool as a number", {"flag": 1}),
    ("an integral float for an int", {"second": 5.0}),
    ("a fractional float for an int", {"second": 5.5}),
    ("a bool for an int", {"second": True}),
    ("an int32 out of range", {"second": 2**31}),
    ("one member of a oneof", {"first": "a"}),
    ("two members of a oneof", {"first": "a", "second": 2}),
    ("a oneof member at its default", {"second": 0}),
    ("itself inside itself", {"child": {"child": {"children": [{"text": "deep"}]}}}),
    ("a repeated field given one value", {"numbers": 5}),
    ("a null in a repeated field", {"numbers": [1, None]}),
    ("a repeated int64 as strings", {"numbers": ["1", "2"]}),
    ("a repeated field given a string", {"numbers": "12"}),
    ("an int64 with an underscore", {"big": "1_000"}),
    ("an int64 with a sign", {"big": "+5"}),
    ("an int64 with a space", {"big": " 5"}),
    ("an int64 in other digits", {"big": "٣"}),
    ("a null in a repeated message", {"children": [None]}),
    ("too deep", _nested(120)),
]


@pytest.mark.parametrize(("case", "data"), SAMPLES, ids=[case for case, _ in SAMPLES])
def test_numbers_oneofs_and_nesting_as_json_format(case: str, data: Any) -> None:
    assert _outcome(protojson.parse, data, SAMPLE) == _parsed_by_json_format(data, SAMPLE)


def test_a_message_inside_one_left_to_json_format_is_read_as_json_format_does() -> None:
    # Loop first: building its table builds Back's, which refers to Loop's half-built one.
    loop = {"back": {"name": "inner"}, "blob": "AAE="}
    assert _outcome(protojson.parse, loop, LOOP) == _parsed_by_json_format(loop, LOOP)
    data = {"name": "outer", "loop": loop}
    assert _outcome(protojson.parse, data, BACK) == _parsed_by_json_format(data, BACK)
    assert protojson.parse(data, BACK).loop.blob == b"\x00\x01"


def test_odd_values_are_written_as_json_format_writes_them() -> None:
    for ratio in (float("nan"), float("inf"), -0.0, 1e300):
        message = SAMPLE(ratio=ratio, big=-(2**63), unsigned=2**64 - 1)
        assert _outcome(protojson.to_dict, message) == _outcome(json_format.MessageToDict, message)
    unknown_status = registration_pb2.RegistrationChanged()
    unknown_status.registration.status = 99  # type: ignore[assignment]  # a newer producer's enum number
    assert protojson.to_dict(unknown_status) == json_format.MessageToDict(unknown_status)


def test_a_duration_and_its_malformed_forms_as_json_format() -> None:
    for value in ("3600s", "1.5s", "-2s", "3600", 3600, "1h", None):
        data = {"id": "x", "beforeStart": value}
        assert _outcome(protojson.parse, data, reminder_pb2.Reminder) == _parsed_by_json_format(
            data, reminder_pb2.Reminder
        ), value


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            paths += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            paths += _paths(value, (*prefix, index))
    return paths


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PAYLOADS), st.integers(0, 3), st.data())
def test_any_damage_to_valid_input_is_read_or_refused_as_json_format_does(
    cls: type[Message], variant: int, data: st.DataObject
) -> None:
    """Valid input with one value anywhere in it replaced by arbitrary JSON."""
    valid = json_format.MessageToDict(_populated(cls, variant))
    path = data.draw(st.sampled_from(_paths(valid)))
    replacement = data.draw(JSON)
    damaged: Any = replacement
    if path:
        damaged = copy.deepcopy(valid)
        parent = damaged
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = replacement
    assert _outcome(protojson.parse, damaged, cls) == _parsed_by_json_format(damaged, cls)


def test_types_first_met_by_several_threads_at_once_convert_in_each() -> None:
    """Use cases run in worker threads on PostgreSQL: the first messages of a type may be
    converted by several at once, while its tables are being built."""
    errors: list[str] = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        for _ in range(60):
            pool = _sample_pool()  # types no thread has met yet
            cls = message_factory.GetMessageClass(pool.FindMessageTypeByName("test.Sample"))
            message = _populated(cls, 1)
            data = json_format.MessageToDict(message)
            start = threading.Barrier(6)

            def convert(
                cls: Any = cls, message: Message = message, data: Any = data, start: Any = start
            ) -> None:
                start.wait()
                try:
                    assert protojson.parse(data, cls) == message
                    assert protojson.to_dict(message) == data
                except Exception as exc:
                    errors.append(repr(exc))

            threads = [threading.Thread(target=convert) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
