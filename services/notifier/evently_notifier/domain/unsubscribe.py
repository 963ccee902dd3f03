"""One-click unsubscribe tokens (RFC 8058): a link in each e-mail that turns one kind of
notification off for its recipient, with no sign-in. The token names the recipient and the
kind, signed with the notifier's key (HMAC-SHA256), so it can neither be forged for somebody
else nor changed to another kind. It does not expire: an old e-mail's link still works, and
all it can do is switch a notification off. Pure Python."""

from __future__ import annotations

import base64
import hashlib
import hmac

_SIGNATURE_BYTES = 16  # 128 bits: beyond guessing, and short enough for a tidy URL


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"evently-unsubscribe:" + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def unsubscribe_token(key: bytes, user_id: str, kind: str) -> str:
    payload = f"{user_id}\n{kind}".encode()
    return f"{_b64(payload)}.{_b64(_signature(key, payload))}"


def read_unsubscribe_token(key: bytes, token: str) -> tuple[str, str] | None:
    """(user id, kind) when the token is one of ours, else None."""
    encoded, _, signature = token.partition(".")
    try:
        payload, given = _unb64(encoded), _unb64(signature)
    except (ValueError, UnicodeEncodeError):
        return None
    if not hmac.compare_digest(given, _signature(key, payload)):
        return None
    user_id, _, kind = payload.decode(errors="replace").partition("\n")
    return (user_id, kind) if user_id and kind else None
