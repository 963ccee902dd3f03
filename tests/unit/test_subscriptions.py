"""Which events a webhook subscription receives."""

from __future__ import annotations

import pytest
from evently_notifier.domain.facts import (
    EventChange,
    EventChanged,
    EventSnapshot,
    PasswordResetAsked,
    RegistrationChange,
    RegistrationChanged,
    UserDetails,
)
from evently_notifier.domain.subscriptions import matches, may_read, validate_subscription
from evently_platform.errors import InvalidArgument


@pytest.mark.parametrize(
    ("pattern", "event_type", "expected"),
    [
        ("*", "evently.comment.added", True),
        ("evently.event.*", "evently.event.created", True),
        ("evently.event.*", "evently.eventual.created", False),
        ("evently.event.*", "evently.registration.created", False),
        ("evently.event.created", "evently.event.created", True),
        ("evently.event.created", "evently.event.cancelled", False),
    ],
)
def test_patterns_match_exact_types_prefixes_and_everything(
    pattern: str, event_type: str, expected: bool
) -> None:
    assert matches(pattern, event_type) is expected


def test_event_lifecycle_is_public_but_account_events_belong_to_their_user() -> None:
    published = EventChanged(EventChange.CREATED, EventSnapshot("some-event", "olga", "Meetup"))
    assert may_read("ann", "evently.event.created", "some-event", published)
    joined = UserDetails("ann", "ann@example.com", "Ann")
    assert may_read("ann", "evently.user.created", "ann", joined)
    assert not may_read("bob", "evently.user.created", "ann", joined)


def test_a_registration_is_its_organizers_and_its_registrants_alone() -> None:
    registered = RegistrationChanged(
        RegistrationChange.CREATED, "r1", "e1", "ada", "CONFIRMED", None, "olga", "Meetup", None
    )
    assert may_read("olga", "evently.registration.created", "r1", registered)
    assert may_read("ada", "evently.registration.created", "r1", registered)
    assert not may_read("bob", "evently.registration.created", "r1", registered)


def test_every_problem_of_a_subscription_is_reported_at_once() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validate_subscription("ftp://x", ["Not A Pattern", "evently.event.*"], "")
    fields = [v.field for v in raised.value.violations]
    assert fields == ["subscription.url", "subscription.event_types[0]"]


def test_a_subscription_needs_at_least_one_event_type() -> None:
    with pytest.raises(InvalidArgument) as raised:
        validate_subscription("https://hooks.example.com/x", [], "")
    assert [v.field for v in raised.value.violations] == ["subscription.event_types"]


def test_a_password_reset_link_never_goes_to_any_webhook_not_even_the_owner_s() -> None:
    asked = PasswordResetAsked("ann", "secret-token", None)
    assert not may_read("ann", "evently.user.password_reset_requested", "ann", asked)
    assert not may_read("bob", "evently.user.password_reset_requested", "ann", asked)
