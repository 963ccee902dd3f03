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
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise EnvelopeError("not a JSON object")
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
