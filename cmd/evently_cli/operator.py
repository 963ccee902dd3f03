"""Operator commands: `evently operator-token` and `evently dead-letters list|replay`.

An operator token is signed with the users service's current signing key (read from
EVENTLY_SIGNING_KEYS_DIR), so these commands work where that key is: on the machine or in the
container that runs the users service."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TypeVar

from evently_platform.auth.principal import OPERATOR
from evently_platform.config import Settings
from google.protobuf.message import Message

from evently_cli.health import _dialable

# The services whose consumers keep dead letters, and their gRPC services.
GRPC_SERVICE = {"events": "evently.events.v1.EventService", "notifier": "evently.notifier.v1.NotifierService"}

M = TypeVar("M", bound=Message)


def _issue(settings: Settings) -> str:
    from evently_users.adapters.signing_keys import SigningKeyStore

    store = SigningKeyStore(settings.users.signing_keys_dir)
    if not store.current_path.exists():
        raise SystemExit(
            f"evently: no signing key in {settings.users.signing_keys_dir} (set EVENTLY_SIGNING_KEYS_DIR "
            "to the users service's key directory)"
        )
    return store.issuer().issue("operator", datetime.now(UTC), roles=[OPERATOR]).token


def operator_token() -> int:
    print(_issue(Settings.from_env()))
    return 0


def _call(
    settings: Settings, service: str, method: str, request: Message, answer: type[M], timeout: float
) -> M:
    """One unary call with an operator token; grpc.RpcError when it fails."""
    import grpc

    with grpc.insecure_channel(_dialable(settings.bind_addr(service))) as channel:
        call = channel.unary_unary(
            f"/{GRPC_SERVICE[service]}/{method}",
            request_serializer=type(request).SerializeToString,
            response_deserializer=answer.FromString,
        )
        result: M = call(
            request, metadata=(("authorization", f"Bearer {_issue(settings)}"),), timeout=timeout
        )
        return result


def list_dead_letters(services: list[str], limit: int, timeout: float) -> int:
    import grpc
    from evently.operations.v1 import dead_letter_pb2

    settings = Settings.from_env()
    failed = False
    print(f"{'SERVICE':<9} {'ID':>6}  {'WHEN (UTC)':<19}  {'SUBJECT':<32} {'DELIVERED':>9}  ERROR")
    for service in services:
        try:
            page = _call(
                settings,
                service,
                "ListDeadLetters",
                dead_letter_pb2.ListDeadLettersRequest(page_size=limit),
                dead_letter_pb2.ListDeadLettersResponse,
                timeout,
            )
        except grpc.RpcError as exc:
            print(f"{service}: {exc.code().name}: {exc.details()}", file=sys.stderr)
            failed = True
            continue
        for letter in page.dead_letters:
            when = letter.create_time.ToDatetime().strftime("%Y-%m-%d %H:%M:%S")
            error = " ".join(letter.error.split())
            print(
                f"{service:<9} {letter.id:>6}  {when:<19}  {letter.subject[:32]:<32} "
                f"{letter.delivery_count:>9}  {error[:120]}"
            )
        if page.next_page_token:
            print(f"{service}: more than {limit}; raise --limit to see them", file=sys.stderr)
    return 1 if failed else 0


def replay_dead_letter(service: str, letter_id: str, timeout: float) -> int:
    import grpc
    from evently.operations.v1 import dead_letter_pb2
    from google.protobuf import empty_pb2

    settings = Settings.from_env()
    try:
        _call(
            settings,
            service,
            "ReplayDeadLetter",
            dead_letter_pb2.ReplayDeadLetterRequest(id=letter_id),
            empty_pb2.Empty,
            timeout,
        )
    except grpc.RpcError as exc:
        print(f"{service}: {exc.code().name}: {exc.details()}", file=sys.stderr)
        return 1
    print(f"{service}: dead letter {letter_id} handled; it has left the list")
    return 0
