"""Webhook signatures follow the Standard Webhooks scheme exactly."""

from __future__ import annotations

import base64
import time

import pytest
from evently_notifier.domain.signing import new_secret, sign, signature_headers
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# The test vector published with the Standard Webhooks specification and its libraries.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
PAYLOAD = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_standard_webhooks_test_vector() -> None:
    assert sign(SECRET, MSG_ID, TIMESTAMP, PAYLOAD) == EXPECTED


def test_the_reference_verifier_accepts_our_headers() -> None:
    secret = new_secret()

    now = int(time.time())
    headers = signature_headers([secret], "evt_1", now, PAYLOAD)
    assert Webhook(secret).verify(PAYLOAD, headers) is not None


def test_during_a_rotation_receivers_with_either_secret_verify() -> None:
    new, old = new_secret(), new_secret()
    headers = signature_headers([new, old], "evt_1", int(time.time()), PAYLOAD)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        assert Webhook(secret).verify(PAYLOAD, headers) is not None
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(PAYLOAD, headers)


def test_a_changed_body_no_longer_matches() -> None:
    assert sign(SECRET, MSG_ID, TIMESTAMP, PAYLOAD + b" ") != EXPECTED


def test_new_secrets_are_whsec_prefixed_base64_of_32_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert new_secret() != secret
