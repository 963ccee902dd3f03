"""The event catalog's examples: each is a CloudEvent our own consumers accept, whose data fits
the schema published beside it."""

from __future__ import annotations

import json

import pytest
from evently_platform.messaging.contracts import CONTRACTS, Contract, decode_payload
from evently_platform.messaging.envelope import Envelope
from evently_platform.messaging.examples import example_event
from evently_platform.messaging.json_schema import json_schema
from jsonschema import Draft202012Validator


@pytest.mark.parametrize("contract", CONTRACTS.values(), ids=lambda c: c.event_type)
def test_every_example_decodes_as_its_contract_and_fits_its_schema(contract: Contract) -> None:
    event = example_event(contract)
    envelope = Envelope.decode(json.dumps(event).encode())
    assert envelope.type == contract.event_type
    decode_payload(envelope)  # raises when the data is not the contract's message, or lacks its identity
    schema = json_schema(contract.payload.DESCRIPTOR)  # type: ignore[arg-type]
    Draft202012Validator(schema).validate(event["data"])


def test_an_example_comes_from_the_service_that_publishes_its_type() -> None:
    assert example_event(CONTRACTS["evently.registration.created"])["source"] == "//evently/events"
    assert example_event(CONTRACTS["evently.user.created"])["source"] == "//evently/users"
    assert example_event(CONTRACTS["evently.subscription.disabled"])["source"] == "//evently/notifier"
