"""What the gateway lets a browser do from another site, how long it waits, how much it reads —
and that a refused request changes nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx

from tests.e2e.accounts import PASSWORD, signed_in
from tests.e2e.conftest import CORS_ORIGIN, System
from tests.support import wait_until


def _event(title: str) -> dict[str, str]:
    start = datetime.now(UTC) + timedelta(days=3)
    return {
        "title": title,
        "location": "Online",
        "startTime": start.isoformat().replace("+00:00", "Z"),
        "endTime": (start + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
    }


def _my_event_titles(http: httpx.Client, auth: dict[str, str]) -> list[str]:
    listed = http.get("/v1/events", params={"organizerId": "me"}, headers=auth).json()
    return [e["title"] for e in listed.get("events", [])]


def test_a_configured_origin_may_call_the_api_from_a_browser(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    preflight = http.options(
        "/v1/events",
        headers={
            "origin": CORS_ORIGIN,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type, traceparent",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()

    listed = http.get("/v1/events", headers={"origin": CORS_ORIGIN})
    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == CORS_ORIGIN
    assert "retry-after" in listed.headers["access-control-expose-headers"].lower()


def test_any_other_origin_is_not_let_in(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    preflight = http.options(
        "/v1/events",
        headers={"origin": "https://evil.example.net", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = http.get("/v1/events", headers={"origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in simple.headers


def test_a_request_that_cannot_finish_in_its_own_deadline_fails_with_504(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    auth = signed_in(http, "Lim")
    late = http.post("/v1/events", json=_event("Too late"), headers={**auth, "grpc-timeout": "1n"})
    assert late.status_code == 504, late.text
    assert late.json()["code"] == 4  # DEADLINE_EXCEEDED

    in_time = http.post("/v1/events", json=_event("In time"), headers={**auth, "grpc-timeout": "20S"})
    assert in_time.status_code == 200, in_time.text
    # A call whose deadline passed before it was handled was not carried out at all.
    assert _my_event_titles(http, auth) == ["In time"]


def test_a_malformed_deadline_is_a_clear_400(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    answer = http.get("/v1/events", headers={"grpc-timeout": "soon"})
    assert answer.status_code == 400
    body = answer.json()
    assert "grpc-timeout" in body["message"]
    violations = body["details"][0]["fieldViolations"]
    assert violations[0]["field"] == "grpc-timeout"


def test_an_oversized_body_is_refused_and_changes_nothing(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    auth = signed_in(http, "Lim")
    huge = {**_event("Huge"), "description": "x" * (2 << 20)}
    declared = http.post("/v1/events", json=huge, headers=auth)
    assert declared.status_code == 413
    assert "limit" in declared.json()["message"]

    def chunks() -> Iterator[bytes]:  # no content-length: the gateway must count as it reads
        yield json.dumps(_event("Streamed")).encode()[:-1] + b', "description": "'
        for _ in range(64):
            yield b"y" * 32768
        yield b'"}'

    streamed = http.post("/v1/events", content=chunks(), headers={**auth, "content-type": "application/json"})
    assert streamed.status_code == 413
    assert _my_event_titles(http, auth) == []


def test_text_with_a_nul_is_refused_on_every_database(system: System) -> None:
    # PostgreSQL cannot store NUL at all; SQLite would keep it. Both must answer 400, the same way.
    http = httpx.Client(base_url=system.gateway, timeout=30)
    auth = signed_in(http, "Lim")
    answer = http.post("/v1/events", json={**_event("Null\u0000island")}, headers=auth)
    assert answer.status_code == 400, answer.text
    violations = answer.json()["details"][0]["fieldViolations"]
    assert violations == [
        {"field": "event.title", "description": "must not contain control characters (such as NUL)"}
    ]
    assert http.get("/v1/events", params={"query": "a\u0000b"}).status_code == 400
    login = http.post("/v1/users:login", json={"email": "a\u0000@example.com", "password": PASSWORD})
    assert login.status_code == 400
    assert _my_event_titles(http, auth) == []


def test_a_deeply_nested_body_is_a_clear_400_and_changes_nothing(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    auth = signed_in(http, "Nest")
    nested = b'{"title":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = http.post("/v1/events", content=nested, headers={**auth, "content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == 3  # INVALID_ARGUMENT
    assert "nested too deeply" in answer.json()["message"]
    assert _my_event_titles(http, auth) == []


def test_an_oversized_authorization_header_is_431_not_429(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    answer = http.get("/v1/subscriptions", headers={"authorization": "Bearer " + "a" * 65_536})
    assert answer.status_code == 431, answer.text
    assert "authorization header is longer than" in answer.json()["message"]


def test_clients_that_never_finish_their_headers_are_cut_off(system: System) -> None:
    host, port = system.gateway.removeprefix("http://").split(":")
    slow = []
    for _ in range(20):
        connection = socket.create_connection((host, int(port)), timeout=5)
        connection.sendall(b"GET /v1/events HTTP/1.1\r\nHost: evently\r\nX-Slow: ")  # and no more
        slow.append(connection)
    http = httpx.Client(base_url=system.gateway, timeout=30)
    assert http.get("/v1/events").status_code == 200  # others are served meanwhile

    def closed(connection: socket.socket) -> bool:
        try:
            return connection.recv(1024) == b""
        except TimeoutError:
            return False
        except OSError:  # reset by the server
            return True

    for connection in slow:
        connection.settimeout(0.2)
    try:
        wait_until(lambda: all(closed(c) for c in slow), timeout=60)
    finally:
        for connection in slow:
            connection.close()


def test_a_body_that_trickles_in_past_the_calls_deadline_is_408(system: System) -> None:
    host, port = system.gateway.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(
            b"POST /v1/events HTTP/1.1\r\nHost: evently\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\ngrpc-timeout: 2S\r\n\r\n{"  # and the other 99 bytes never
        )
        answer = b""
        while b"\r\n\r\n" not in answer:  # the server answers without the rest of the body
            received = connection.recv(4096)
            assert received, "closed without an answer"
            answer += received
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
