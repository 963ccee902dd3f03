"""One-click unsubscribe tokens name a recipient and a kind of notification, and only the
notifier's key makes them."""

from __future__ import annotations

import secrets

from evently_notifier.domain.unsubscribe import read_unsubscribe_token, unsubscribe_token

KEY = secrets.token_bytes(32)


def test_a_token_names_its_recipient_and_kind() -> None:
    token = unsubscribe_token(KEY, "u1", "comment.added")
    assert read_unsubscribe_token(KEY, token) == ("u1", "comment.added")
    assert all(c.isalnum() or c in "-_." for c in token)  # fits in a URL path as it is


def test_a_token_cannot_be_turned_to_another_person_or_kind() -> None:
    token = unsubscribe_token(KEY, "u1", "comment.added")
    forged_payload = unsubscribe_token(KEY, "u2", "comment.added").split(".")[0]
    assert read_unsubscribe_token(KEY, f"{forged_payload}.{token.split('.')[1]}") is None
    assert read_unsubscribe_token(secrets.token_bytes(32), token) is None  # another key


def test_garbage_is_no_token() -> None:
    for garbage in ("", ".", "abc", "abc.def", "%%%.***", "\u00e9.\u00e9", "a" * 5000):
        assert read_unsubscribe_token(KEY, garbage) is None
