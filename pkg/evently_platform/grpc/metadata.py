"""What a servicer may want to know about the call beyond its request message."""

from __future__ import annotations

import grpc


def client_address(context: grpc.aio.ServicerContext) -> str:
    """The end client's address: the gateway's `x-forwarded-for` entry when it relayed the call
    (the last entry is the one the gateway appended itself), else the gRPC peer's address."""
    for key, value in context.invocation_metadata() or ():
        if key == "x-forwarded-for" and isinstance(value, str) and value.strip():
            return value.rsplit(",", 1)[-1].strip()
    peer: str = context.peer() or ""
    # "ipv4:127.0.0.1:5555" / "ipv6:[::1]:5555": the address without the port
    kind, _, rest = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        return rest.rsplit(":", 1)[0].strip("[]")
    return peer
