"""Who may call what: every method, as an anonymous caller, as another user and as the owner
(or organizer), through gRPC and through the HTTP gateway, with the exact status each gets."""

from __future__ import annotations

import grpc
import httpx
import pytest
from evently.notifier.v1 import notifier_service_pb2
from google.protobuf import json_format, message_factory

from tests.e2e.access_kit import (
    DENIED,
    HTTP,
    OK,
    ROLES,
    UNAUTHENTICATED,
    Client,
    Person,
    Resources,
    Row,
    subscription,
)
from tests.e2e.access_matrix import OPERATOR_ONLY, PUBLIC_BY_DESIGN, ROWS, SERVICES, STREAMS
from tests.e2e.conftest import System


def test_the_matrix_covers_every_method() -> None:
    every = {f"{name}.{m.name}" for name, service in SERVICES.items() for m in service.methods}
    covered = {f"{row.service}.{row.method}" for row in ROWS} | PUBLIC_BY_DESIGN | STREAMS | OPERATOR_ONLY
    assert every == covered, f"not in the matrix: {sorted(every - covered)}"


@pytest.fixture(scope="module")
def people(system: System) -> tuple[Client, Person, Person]:
    client = Client(system)
    return client, client.person(), client.person()


def _resources(client: Client, people: tuple[Client, Person, Person], row: Row) -> Resources:
    _, owner, stranger = people
    if row.fresh_people:
        owner, stranger = client.person(), client.person()
    return Resources(owner, stranger, row.prepare(client, owner))


def _token(resources: Resources, role: str) -> str | None:
    return None if role == "anonymous" else getattr(resources, role).token


def _grpc_code(client: Client, row: Row, resources: Resources, token: str | None) -> grpc.StatusCode:
    stub = client.stubs[row.service]
    method = SERVICES[row.service].methods_by_name[row.method]
    request = json_format.ParseDict(
        row.request(resources), message_factory.GetMessageClass(method.input_type)()
    )
    metadata = [("authorization", f"Bearer {token}")] if token else []
    try:
        getattr(stub, row.method)(request, metadata=metadata, timeout=30)
    except grpc.RpcError as error:
        return error.code()  # type: ignore[no-any-return]
    return OK


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.service}.{row.method}")
def test_grpc(system: System, people: tuple[Client, Person, Person], row: Row) -> None:
    client = people[0]
    resources = _resources(client, people, row)
    seen = tuple(_grpc_code(client, row, resources, _token(resources, role)) for role in ROLES)
    assert seen == row.expected


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.service}.{row.method}")
def test_http(system: System, people: tuple[Client, Person, Person], row: Row) -> None:
    client = people[0]
    resources = _resources(client, people, row)
    seen = []
    for role in ROLES:
        token = _token(resources, role)
        verb, path, body = row.http(resources)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        answer = client.http.request(verb, path, json=body, headers=headers)
        seen.append(answer.status_code)
        if answer.status_code != 200:
            assert answer.json()["code"] == _code_by_status(answer.status_code).value[0]
    assert tuple(seen) == tuple(HTTP[code] for code in row.expected)


def _code_by_status(status: int) -> grpc.StatusCode:
    return next(code for code, http_status in HTTP.items() if http_status == status)


def test_each_caller_lists_only_their_own_subscriptions(people: tuple[Client, Person, Person]) -> None:
    client, owner, stranger = people
    mine = subscription(client, owner)["subscription"]
    theirs = client.call(stranger, "GET", "/v1/subscriptions").get("subscriptions", [])
    assert mine not in {s["id"] for s in theirs}
    assert mine in {s["id"] for s in client.call(owner, "GET", "/v1/subscriptions")["subscriptions"]}


def test_a_forged_token_is_refused_even_where_no_token_is_needed(system: System) -> None:
    http = httpx.Client(base_url=system.gateway, timeout=30)
    forged = "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vcGUifQ.eyJzdWIiOiJ4In0.c2ln"
    answer = http.get("/v1/events", headers={"authorization": f"Bearer {forged}"})
    assert (answer.status_code, answer.json()["code"]) == (401, UNAUTHENTICATED.value[0])
    # RFC 6750: how to authenticate, and that the token sent was the problem.
    assert answer.headers["www-authenticate"] == 'Bearer realm="evently", error="invalid_token"'


def test_watching_the_inbox_needs_a_caller(system: System) -> None:
    client = Client(system)
    stream = client.stubs["notifier"].WatchNotifications(
        notifier_service_pb2.WatchNotificationsRequest(), timeout=30
    )
    with pytest.raises(grpc.RpcError) as refused:
        next(stream)
    assert refused.value.code() == UNAUTHENTICATED
    answer = client.http.get("/v1/notifications:watch")
    assert (answer.status_code, answer.json()["code"]) == (401, UNAUTHENTICATED.value[0])
    assert answer.headers["www-authenticate"] == 'Bearer realm="evently"'  # none sent: no error code


@pytest.mark.parametrize("method", sorted(OPERATOR_ONLY))
def test_operator_methods_refuse_everyone_else_and_are_not_on_the_gateway(
    system: System, people: tuple[Client, Person, Person], method: str
) -> None:
    client, owner, _ = people
    service, name = method.split(".")
    request = message_factory.GetMessageClass(SERVICES[service].methods_by_name[name].input_type)()
    for metadata, expected in (([], UNAUTHENTICATED), ([("authorization", f"Bearer {owner.token}")], DENIED)):
        with pytest.raises(grpc.RpcError) as refused:
            getattr(client.stubs[service], name)(request, metadata=metadata, timeout=30)
        assert refused.value.code() == expected
    openapi = client.http.get("/openapi.json").json()
    assert not [path for path in openapi["paths"] if "deadLetter" in path or "DeadLetter" in path]
