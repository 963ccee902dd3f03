"""A service's answer as the JSON the gateway sends: protobuf's JSON mapping (lowerCamelCase
names), serialized as Starlette's JSONResponse serializes (compact, UTF-8).

The gateway receives each answer as the bytes on the wire, and the same read is answered with
the same bytes many times over (a popular event's page; the events service keeps its views a
moment): the JSON of recent small answers to reads is remembered by those bytes, so a repeated
answer costs a dictionary lookup instead of parsing the message, mapping it to a dict and
encoding that. The JSON is a function of the bytes and the message type alone, so a
remembered one is always the one that would be made again. Bounded: at most `MEMO_ENTRIES`
answers of at most `MEMO_MAX_BYTES` each (under 4 MB with their JSON), oldest forgotten first."""

from __future__ import annotations

import json

from evently_platform import protojson
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor

MEMO_ENTRIES = 256
MEMO_MAX_BYTES = 8 * 1024


def encode_json(content: object) -> bytes:
    """As Starlette's JSONResponse renders `content`."""
    return json.dumps(
        content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


class JsonReplies:
    def __init__(self, *, entries: int = MEMO_ENTRIES, max_bytes: int = MEMO_MAX_BYTES) -> None:
        self._entries = entries
        self._max_bytes = max_bytes
        self._memo: dict[tuple[str, bytes], bytes] = {}

    def render(self, message_type: Descriptor, wire: bytes, *, remember: bool) -> bytes:
        """The JSON of the `message_type` message serialized as `wire`; `remember`: keep it for
        the next same answer (for reads: a write's answer is not seen twice)."""
        if not remember or len(wire) > self._max_bytes:  # never kept: not worth hashing either
            return _render(message_type, wire)
        key = (message_type.full_name, wire)
        found = self._memo.get(key)
        if found is None:
            found = _render(message_type, wire)
            if len(self._memo) >= self._entries:
                del self._memo[next(iter(self._memo))]
            self._memo[key] = found
        return found

    def __len__(self) -> int:
        return len(self._memo)


def _render(message_type: Descriptor, wire: bytes) -> bytes:
    message = message_factory.GetMessageClass(message_type).FromString(wire)
    return encode_json(protojson.to_dict(message))
