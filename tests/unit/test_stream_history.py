"""Which NATS subjects a recovery reads: the subscription's patterns, none overlapping another."""

from __future__ import annotations

import pytest
from evently_platform.messaging.history import subjects_for


@pytest.mark.parametrize(
    ("patterns", "subjects"),
    [
        (["*"], ["evently.>"]),
        (["*", "evently.event.created"], ["evently.>"]),
        (["evently.event.*", "evently.event.created"], ["evently.event.>"]),
        (
            ["evently.event.created", "evently.comment.added"],
            ["evently.comment.added", "evently.event.created"],
        ),
        (["evently.event.*", "evently.registration.*"], ["evently.event.>", "evently.registration.>"]),
        (["evently.event.created", "evently.event.created"], ["evently.event.created"]),
    ],
)
def test_patterns_become_subjects_that_do_not_overlap(patterns: list[str], subjects: list[str]) -> None:
    assert subjects_for(patterns) == subjects
