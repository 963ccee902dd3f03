"""Client channels between components. Round-robin over every address the name resolves to:
with a headless Kubernetes Service (`dns:///events-pods:50052`) calls spread over all replicas,
where one long-lived HTTP/2 connection to a ClusterIP would pin them to a single pod."""

from __future__ import annotations

import json

import grpc

_SERVICE_CONFIG = json.dumps({"loadBalancingConfig": [{"round_robin": {}}]})


def channel(addr: str) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(
        addr,
        options=[
            ("grpc.service_config", _SERVICE_CONFIG),
            # Notice new replicas and departed ones without waiting for a connection to fail.
            ("grpc.dns_min_time_between_resolutions_ms", 5000),
        ],
    )
