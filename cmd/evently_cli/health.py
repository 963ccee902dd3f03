"""`evently health COMPONENT`: is this component serving? For container health checks and
operators: the gRPC health service of a service, or the gateway's `/readyz`."""

from __future__ import annotations

import sys

from evently_platform.config import Settings
from evently_platform.net import split_addr


def _dialable(addr: str) -> str:
    """The address to dial for one we listen on: a wildcard listens on loopback too."""
    host, port = split_addr(addr)
    if host in {"0.0.0.0", "::", ""}:
        host = "127.0.0.1"
    return f"{host}:{port}"


def health(component: str, timeout: float) -> int:
    settings = Settings.from_env()
    addr = _dialable(settings.bind_addr(component))
    if component == "gateway":
        import httpx

        try:
            answer = httpx.get(f"http://{addr}/readyz", timeout=timeout)
        except httpx.HTTPError as exc:
            print(f"gateway at {addr}: {exc}", file=sys.stderr)
            return 1
        print(f"gateway at {addr}: {answer.status_code} {answer.text.strip()}")
        return 0 if answer.status_code == 200 else 1

    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(addr) as channel:
        try:
            status = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=timeout
            )
        except grpc.RpcError as exc:
            print(f"{component} at {addr}: {exc.code().name} {exc.details()}", file=sys.stderr)
            return 1
    name = health_pb2.HealthCheckResponse.ServingStatus.Name(status.status)
    print(f"{component} at {addr}: {name}")
    return 0 if status.status == health_pb2.HealthCheckResponse.SERVING else 1
