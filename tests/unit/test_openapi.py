"""The OpenAPI document is generated from the protos and is a valid OpenAPI 3 document."""

from __future__ import annotations

import re
from typing import Any

import pytest
from evently_gateway.app import build_route_table
from evently_gateway.openapi import document
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return document(build_route_table().routes)


def test_it_validates_against_the_openapi_schema(spec: dict[str, Any]) -> None:
    validate(spec)  # raises on any violation


def test_every_annotated_route_is_an_operation(spec: dict[str, Any]) -> None:
    operations = {(verb.upper(), path) for path, item in spec["paths"].items() for verb in item}
    assert len(operations) == len(build_route_table().routes)
    for expected in [
        ("POST", "/v1/events"),
        ("PATCH", "/v1/events/{id}"),
        ("POST", "/v1/events/{event_id}:register"),
        ("GET", "/v1/notifications:watch"),
        ("GET", "/.well-known/jwks.json"),
        ("DELETE", "/v1/reminders/{id}"),
    ]:
        assert expected in operations


def test_bodies_queries_and_schemas_follow_the_annotations_and_the_json_mapping(spec: dict[str, Any]) -> None:
    create = spec["paths"]["/v1/events"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/evently.events.v1.Event"
    }
    listing = {p["name"]: p for p in spec["paths"]["/v1/events"]["get"]["parameters"]}
    assert {"pageSize", "pageToken", "query", "timing", "startAfter"} <= set(listing)
    assert listing["timing"]["schema"]["enum"] == ["TIMING_UNSPECIFIED", "UPCOMING", "PAST"]
    event = spec["components"]["schemas"]["evently.events.v1.Event"]["properties"]
    assert event["startTime"] == {"type": "string", "format": "date-time"}
    assert event["organizerId"]["readOnly"] is True
    calendar = spec["paths"]["/v1/events/{id}/calendar.ics"]["get"]["responses"]["200"]
    assert "application/json" not in calendar["content"]
    error = spec["paths"]["/v1/events"]["post"]["responses"]["default"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/google.rpc.Status"}


def test_paths_that_differ_only_in_parameter_names_are_one_path(spec: dict[str, Any]) -> None:
    # PATCH /v1/events/{event.id} and GET /v1/events/{id} are one URL shape: OpenAPI wants one key.
    assert set(spec["paths"]["/v1/events/{id}"]) == {"get", "patch", "delete"}
    patch = spec["paths"]["/v1/events/{id}"]["patch"]
    (path_parameter,) = [p for p in patch["parameters"] if p["in"] == "path"]
    assert path_parameter["name"] == "id"
    assert "event.id" in path_parameter["description"]
    parameters = [name for path in spec["paths"] for name in re.findall(r"\{([^}]*)\}", path)]
    assert parameters and not [name for name in parameters if "." in name]
