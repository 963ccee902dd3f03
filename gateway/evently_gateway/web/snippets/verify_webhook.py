"""Verify an Evently webhook (Standard Webhooks) with Python's standard library alone."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

TOLERANCE_SECONDS = 5 * 60  # refuse a delivery replayed long after it was signed


class InvalidWebhook(Exception):
    pass


def verify_webhook(secret: str, headers: dict[str, str], body: bytes) -> Any:
    """The CloudEvent, once its signature checks out. `secret`: the subscription's `whsec_...`;
    `headers`: the request's, in any case; `body`: the raw bytes, before any JSON parsing."""
    h = {name.lower(): value for name, value in headers.items()}
    msg_id, timestamp = h.get("webhook-id"), h.get("webhook-timestamp")
    signatures = h.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        raise InvalidWebhook("missing webhook-id, webhook-timestamp or webhook-signature")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhook("timestamp missing, too old or too new")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for signature in signatures.split():
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise InvalidWebhook("no valid signature")
