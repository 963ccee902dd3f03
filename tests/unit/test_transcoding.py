"""HTTP requests become the methods' request messages per the google.api.http annotations."""

from __future__ import annotations

from typing import Any

import pytest
from evently_gateway.app import build_route_table
from evently_gateway.transcoding import TranscodingError, build_request
from google.protobuf import json_format

TABLE = build_route_table()


def _request(
    method: str, path: str, query: list[tuple[str, str]] | None = None, body: bytes = b""
) -> dict[str, Any]:
    found = TABLE.find(method, path)
    assert found is not None, f"no route for {method} {path}"
    route, params = found
    message = build_request(route, params, query or [], body)
    return {"method": route.method.full_name, **json_format.MessageToDict(message)}


def test_path_parameters_fill_their_fields() -> None:
    assert _request("GET", "/v1/events/e1") == {
        "method": "evently.events.v1.EventService.GetEvent",
        "id": "e1",
    }


def test_a_nested_path_parameter_fills_the_nested_field_beside_the_body() -> None:
    request = _request(
        "PATCH", "/v1/users/u1", body=b'{"user": {"displayName": "Ada"}, "updateMask": "displayName"}'
    )
    assert request["user"] == {"id": "u1", "displayName": "Ada"}
    assert request["updateMask"] == "displayName"


def test_a_named_body_field_takes_the_whole_body() -> None:
    request = _request("POST", "/v1/events", body=b'{"title": "Meetup", "capacity": 3}')
    assert request["event"] == {"title": "Meetup", "capacity": 3}


def test_the_query_string_fills_the_remaining_fields_in_either_case() -> None:
    assert _request("GET", "/v1/events", [("pageSize", "5"), ("page_token", "t")])["pageSize"] == 5
    assert _request("GET", "/v1/events", [("page_token", "t")])["pageToken"] == "t"


@pytest.mark.parametrize(
    ("method", "query", "body", "message"),
    [
        ("GET", [("pageSize", "many")], b"", "pageSize: 'many' is not a number"),
        ("GET", [("colour", "red")], b"", "unknown field 'colour'"),
        ("GET", [], b'{"a": 1}', "GET /v1/events takes no request body"),
        ("POST", [], b"{not json", "request body is not valid JSON"),
        ("POST", [], b'{"title":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        ("POST", [], b'{"capacity": ' + b"9" * 5_000 + b"}", "request body is not valid JSON"),
    ],
)
def test_bad_requests_say_precisely_what_is_wrong(
    method: str, query: list[tuple[str, str]], body: bytes, message: str
) -> None:
    found = TABLE.find(method, "/v1/events")
    assert found is not None
    route, params = found
    with pytest.raises(TranscodingError, match=message):
        build_request(route, params, query, body)


def test_unknown_body_fields_are_refused_each_named_where_it_was_written() -> None:
    found = TABLE.find("POST", "/v1/events")
    assert found is not None
    with pytest.raises(TranscodingError) as refused:
        build_request(found[0], found[1], [], b'{"titel": "x", "colour": "red"}')
    assert [field for field, _ in refused.value.violations] == ["event.titel", "event.colour"]
    assert refused.value.violations[0][1].startswith(
        "is not a field of Event; its fields are: id, organizerId, title"
    )


@pytest.mark.parametrize(
    ("body", "field", "why"),
    [
        (b'{"capacity": "ten"}', "event.capacity", "invalid literal for int() with base 10: 'ten'"),
        (b'{"startTime": "tomorrow"}', "event.startTime", "Failed to parse timestamp"),
        (b'{"title": 5}', "event.title", "expected string"),
    ],
)
def test_a_value_of_the_wrong_kind_names_its_field_and_why(body: bytes, field: str, why: str) -> None:
    found = TABLE.find("POST", "/v1/events")
    assert found is not None
    with pytest.raises(TranscodingError) as refused:
        build_request(found[0], found[1], [], body)
    [(path, description)] = refused.value.violations
    assert path == field and why in description and " at " not in description


def test_an_update_mask_may_name_fields_in_either_case() -> None:
    patch = _request("PATCH", "/v1/events/e1", [("updateMask", "start_time,endTime")], b"{}")
    assert patch["updateMask"] == "startTime,endTime"
    body = b'{"user": {"displayName": "A"}, "update_mask": "display_name"}'
    assert _request("PATCH", "/v1/users/u1", body=body)["updateMask"] == "displayName"
