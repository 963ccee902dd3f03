"""The verification snippets the developer docs show, run as an integrator would run them: each
accepts a real delivery from a running notifier and refuses it tampered with or re-signed with
another secret. The code under test is the very file the docs page displays."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from evently_gateway.webui import WEB_ROOT

from tests.e2e.webhook_receiver import WebhookReceiver
from tests.services.venue import Venue
from tests.services.webhooks_kit import subscribe_to
from tests.support import eventually

SNIPPETS = WEB_ROOT / "snippets"
PYTHON = f"""
import base64, json, runpy, sys
verify = runpy.run_path({str(SNIPPETS / "verify_webhook.py")!r})["verify_webhook"]
d = json.load(open(sys.argv[1]))
print(verify(d["secret"], d["headers"], base64.b64decode(d["body"]))["id"])
"""
NODE = f"""
const {{ verifyWebhook }} = require({json.dumps(str(SNIPPETS / "verify_webhook.js"))});
const d = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
console.log(verifyWebhook(d.secret, d.headers, Buffer.from(d.body, "base64")).id);
"""


def _commands() -> list[tuple[str, list[str]]]:
    commands = [("python", [sys.executable, "-c", PYTHON])]
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is needed to test the Node snippet (apt-get install nodejs)")
    return [*commands, ("node", [node, "-e", NODE])]


def _run(command: list[str], case: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "delivery.json"
    path.write_text(json.dumps(case))
    return subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=60, check=False)


async def test_the_docs_snippets_verify_a_real_delivery_and_refuse_a_forged_one(
    venue: Venue, hooks: Any, endpoint: WebhookReceiver, tmp_path: Path
) -> None:
    _, olga = venue.person()
    subscription = await subscribe_to(hooks, olga, endpoint)
    await venue.event(olga, title="Verified")
    [delivery] = await eventually(lambda: list(endpoint.received))
    real = {
        "secret": subscription.secret,
        "headers": delivery["headers"],
        "body": base64.b64encode(delivery["raw"]).decode(),
    }
    tampered = {**real, "body": base64.b64encode(delivery["raw"].replace(b"Verified", b"Forged!!")).decode()}
    other_secret = {**real, "secret": "whsec_" + base64.b64encode(b"not the subscription's key!!").decode()}
    for language, command in _commands():
        accepted = _run(command, real, tmp_path)
        assert accepted.returncode == 0, (language, accepted.stderr)
        assert accepted.stdout.strip() == delivery["body"]["id"], language
        for forged in (tampered, other_secret):
            refused = _run(command, forged, tmp_path)
            assert refused.returncode != 0, language
            assert "no valid signature" in refused.stderr, (language, refused.stderr)
