"""How long the gateway waits for a service: the client may ask for less, never for more."""

from __future__ import annotations

import pytest
from evently_gateway.limits import LimitError, deadline_seconds


def test_without_a_header_the_configured_ceiling_applies() -> None:
    assert deadline_seconds(None, 30.0) == 30.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("5S", 5.0), ("250m", 0.25), ("2M", 30.0), ("1H", 30.0), ("1500u", 0.0015), ("7n", 7e-9)],
)
def test_grpc_timeout_is_read_in_its_units_and_capped(header: str, seconds: float) -> None:
    assert deadline_seconds(header, 30.0) == pytest.approx(seconds)


@pytest.mark.parametrize("header", ["soon", "5s", "S", "-1S", "123456789S", "1.5S"])
def test_anything_else_is_a_bad_request(header: str) -> None:
    with pytest.raises(LimitError, match="not a timeout") as refused:
        deadline_seconds(header, 30.0)
    assert refused.value.status == 400
    assert refused.value.field == "grpc-timeout"
