"""The domain-event envelope: a CloudEvents 1.0 structured JSON document.

The same bytes travel on JetStream and, unchanged, in the body of a webhook delivery.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evently_platform.clock import new_id

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


MAX_BYTES = 1024 * 1024  # NATS's own default largest message
MAX_DEPTH = 32  # far beyond any payload of ours; deep nesting only ever comes from an attacker


def _deeper_than(value: object, limit: int) -> bool:
    """Whether JSON `value` nests more than `limit` levels (walked without recursion)."""
    level: list[object] = [value]
    for _ in range(limit + 1):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


class EnvelopeError(ValueError):
    """The bytes are not a CloudEvents 1.0 structured JSON event."""


@dataclass(frozen=True)
class Envelope:
    type: str  # e.g. "evently.event.created"; also the NATS subject
    source: str  # e.g. "//evently/events"
    data: dict[str, Any]
    subject: str | None = None  # the id of the resource the event is about
    id: str = field(default_factory=new_id)  # the domain event's own id: Nats-Msg-Id, webhook-id
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_cloudevent(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "datacontenttype": CONTENT_TYPE,
        }
        if self.subject:
            body["subject"] = self.subject
        body["data"] = self.data
        return body

    def encode(self) -> bytes:
        return json.dumps(self.to_cloudevent(), separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def decode(cls, raw: bytes) -> Envelope:
        """The envelope of untrusted bytes, or EnvelopeError: nothing else escapes (deep nesting,
        huge numbers and oversize messages included), so no message can crash a consumer."""
        if len(raw) > MAX_BYTES:
            raise EnvelopeError(f"{len(raw)} bytes, more than {MAX_BYTES}")
        try:
            body = json.loads(raw)
        except RecursionError:
            raise EnvelopeError("not JSON this decoder reads: nested too deeply") from None
        except (UnicodeDecodeError, ValueError) as exc:  # ValueError: also digits past int's limit
            raise EnvelopeError(f"not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise EnvelopeError("not a JSON object")
        if _deeper_than(body, MAX_DEPTH):
            raise EnvelopeError(f"nested deeper than {MAX_DEPTH} levels")
        if body.get("specversion") != SPEC_VERSION:
            raise EnvelopeError(f"unsupported specversion {body.get('specversion')!r}")
        missing = [k for k in ("id", "source", "type", "time") if not isinstance(body.get(k), str)]
        if missing:
            raise EnvelopeError(f"missing attributes: {', '.join(missing)}")
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise EnvelopeError("data must be a JSON object")
        try:
            time = datetime.fromisoformat(body["time"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise EnvelopeError(f"bad time: {exc}") from exc
        return cls(
            id=body["id"],
            source=body["source"],
            type=body["type"],
            time=time,
            subject=body.get("subject"),
            data=data,
        )
