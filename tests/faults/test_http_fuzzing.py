"""Schemathesis generates requests from `/openapi.json` — valid ones and malformed ones — and sends
them to a running system: no answer may be a 5xx, and every answer must match the document."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import backends
from tests.e2e.conftest import System, fresh_databases, running_system

SCHEMATHESIS = str(Path(sysconfig.get_path("scripts")) / "schemathesis")
PASSWORD = "correct horse battery staple"
# Fixed so that a failure in CI can be replayed; set EVENTLY_FUZZ_SEED to explore further.
SEED = os.environ.get("EVENTLY_FUZZ_SEED", "20261122")
NOT_FUZZED = [
    # A server stream never ends by itself: it is tested as a stream (test_live_notifications).
    "--exclude-path-regex",
    ":watch$",
    # These would delete or change the fuzzing account itself midway; the access matrix and the
    # users service tests cover them.
    "--exclude-operation-id",
    "UserService_DeleteUser",
    "--exclude-operation-id",
    "UserService_UpdateUser",
]


@pytest.fixture(scope="module", params=backends())
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """A system of its own: the fuzzer's failed sign-ins would throttle the shared system's."""
    with contextlib.ExitStack() as stack:
        databases = fresh_databases(request.param, stack)
        with running_system(tmp_path_factory.mktemp("fuzzed"), databases) as system:
            yield system


def _token(gateway: str) -> str:
    http = httpx.Client(base_url=gateway, timeout=30)
    account = {"email": "fuzzer@example.com", "password": PASSWORD}
    http.post("/v1/users", json={**account, "displayName": "Fuzzer"}).raise_for_status()
    token: str = http.post("/v1/users:login", json=account).json()["accessToken"]
    return token


def test_generated_requests_get_no_server_error_and_answers_match_the_document(
    fuzzed: System, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{fuzzed.gateway}/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--header",
            f"Authorization: Bearer {_token(fuzzed.gateway)}",
            "--max-examples",
            "15",
            "--seed",
            SEED,
            "--request-timeout",
            "20",
            "--no-color",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
            *NOT_FUZZED,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # schemathesis keeps its example cache in the working directory
    )
    output = done.stdout + done.stderr
    print(output[-2500:])  # what was tested, for the CI log
    assert done.returncode == 0, output[-8000:]
    tested = re.search(r"Tested:\s+(\d+)", output)
    assert tested is not None and int(tested.group(1)) >= 25, output[-3000:]
    assert "Errored:" not in output, output[-8000:]
