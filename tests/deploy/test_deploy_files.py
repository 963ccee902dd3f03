"""The deployment files are valid for the tools that read them, and keep the promises
deploy/README.md makes: health checks, non-root read-only pods, config from a ConfigMap,
secrets from a Secret, a 3-node NATS cluster."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml
from evently_platform.messaging.accounts import authorization_block

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
KUBERNETES_VALIDATE = str(Path(sysconfig.get_path("scripts")) / "kubernetes-validate")
GRPC_PORTS = {"users": 50051, "events": 50052, "notifier": 50053}


def _docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        if os.environ.get("EVENTLY_REQUIRE_DEPLOY_TOOLS"):
            pytest.fail("docker-compose is missing: install Debian's docker-compose package")
        pytest.skip("docker-compose is not installed (.ci/run installs it)")
    return found


def _resources() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def _workloads() -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in _resources() if r["kind"] in {"Deployment", "StatefulSet"}}


def test_the_compose_file_is_valid() -> None:
    done = subprocess.run(
        [_docker_compose(), "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_compose_runs_every_component_with_health_checks_and_ordered_start() -> None:
    done = subprocess.run(
        [_docker_compose(), "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == {
        "nats",
        "postgres",
        "jaeger",
        "prometheus",
        "users",
        "events",
        "notifier",
        "gateway",
    }
    for name in ("nats", "postgres", "users", "events", "notifier", "gateway"):
        assert "healthcheck" in services[name], name
    for name in ("users", "events", "notifier", "gateway"):
        service = services[name]
        assert service["command"] == ["serve", name]
        assert service["healthcheck"]["test"] == ["CMD", "evently", "health", name]
        assert service["read_only"] is True
        env = service["environment"]
        # Each service as its own broker account; the gateway never talks to the broker.
        expected = f"nats://{name}:{name}-trial-password@nats:4222" if name != "gateway" else None
        assert env.get("EVENTLY_NATS_URL") == expected, name
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://jaeger:4317"
        assert env["EVENTLY_METRICS_ADDR"] == "0.0.0.0:9464"
    nats = services["nats"]
    assert nats["command"][:2] == ["--config", "/etc/nats/accounts.conf"]
    assert [str(p).split(":")[0] for p in nats["ports"]] == ["127.0.0.1"]  # not on every interface
    assert {n: nats["environment"][f"NATS_{n.upper()}_PASSWORD"] for n in GRPC_PORTS} == {
        n: f"{n}-trial-password" for n in GRPC_PORTS
    }
    for name in ("users", "events", "notifier"):
        assert services[name]["environment"][f"EVENTLY_{name.upper()}_DB_URL"].startswith(
            "postgresql+psycopg://"
        )
        needs = services[name]["depends_on"]
        assert needs["nats"]["condition"] == needs["postgres"]["condition"] == "service_healthy"
    assert {d: c["condition"] for d, c in services["gateway"]["depends_on"].items()} == {
        "users": "service_healthy",
        "events": "service_healthy",
        "notifier": "service_healthy",
    }


def test_the_kubernetes_manifests_match_the_kubernetes_schemas() -> None:
    done = subprocess.run(
        [KUBERNETES_VALIDATE, "--strict", *map(str, MANIFESTS)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("passed for resource") == len(_resources())


def test_the_schema_check_does_reject_a_broken_manifest(tmp_path: Path) -> None:
    broken = (K8S / "events.yaml").read_text().replace("replicas: 2", 'replicas: "two"', 1)
    (tmp_path / "events.yaml").write_text(broken)
    done = subprocess.run(
        [KUBERNETES_VALIDATE, "--strict", str(tmp_path / "events.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0, done.stdout


def test_kustomize_applies_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(p.name for p in MANIFESTS)


def test_every_pod_runs_as_non_root_on_a_read_only_root_with_requests_and_probes() -> None:
    workloads = _workloads()
    assert set(workloads) == {"nats", "users", "events", "notifier", "gateway"}
    for name, workload in workloads.items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["capabilities"]["drop"] == ["ALL"], name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "readinessProbe" in container and "livenessProbe" in container, name


def test_services_are_probed_on_their_grpc_health_service_and_configured_from_configmap_and_secret() -> None:
    workloads = _workloads()
    for name, port in GRPC_PORTS.items():
        container = workloads[name]["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["serve", name]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert container[probe]["grpc"] == {"port": port}, (name, probe)
        sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
        assert sources == ["evently-config", "evently-secrets"]
    gateway = workloads["gateway"]["spec"]["template"]["spec"]["containers"][0]
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
    users = workloads["users"]["spec"]["template"]["spec"]
    keys = next(v for v in users["volumes"] if v["name"] == "signing-keys")
    assert keys["secret"]["secretName"] == "evently-signing-keys"


def test_nats_runs_as_a_three_node_jetstream_cluster_and_the_stream_keeps_three_copies() -> None:
    nats = _workloads()["nats"]
    assert nats["spec"]["replicas"] == 3
    config = next(
        r for r in _resources() if r["kind"] == "ConfigMap" and r["metadata"]["name"] == "nats-config"
    )
    conf = config["data"]["nats.conf"]
    assert "jetstream" in conf
    assert re.findall(r"nats://nats-(\d)\.nats:6222", conf) == ["0", "1", "2"]
    evently = next(
        r for r in _resources() if r["kind"] == "ConfigMap" and r["metadata"]["name"] == "evently-config"
    )
    assert evently["data"]["EVENTLY_STREAM_REPLICAS"] == "3"
    workloads = _workloads()
    for name in GRPC_PORTS:
        env = {e["name"]: e for e in workloads[name]["spec"]["template"]["spec"]["containers"][0]["env"]}
        # Every node, each as the service's own account, its password from the Secret.
        assert env["EVENTLY_NATS_URL"]["value"].split(",") == [
            f"nats://{name}:$(NATS_PASSWORD)@nats-{i}.nats:4222" for i in range(3)
        ]
        assert env["NATS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": "nats-accounts",
            "key": f"NATS_{name.upper()}_PASSWORD",
        }
    assert "EVENTLY_NATS_URL" not in evently["data"]


def test_the_broker_admits_each_service_as_its_own_account_in_every_deployment() -> None:
    block = authorization_block()  # the same rules `evently up` gives its embedded server
    assert (ROOT / "deploy" / "docker" / "nats-accounts.conf").read_text() == block
    config = next(
        r for r in _resources() if r["kind"] == "ConfigMap" and r["metadata"]["name"] == "nats-config"
    )
    assert block in config["data"]["nats.conf"]
    accounts = next(
        r for r in _resources() if r["kind"] == "Secret" and r["metadata"]["name"] == "nats-accounts"
    )
    assert set(accounts["stringData"]) == {f"NATS_{n.upper()}_PASSWORD" for n in GRPC_PORTS}
    nats = _workloads()["nats"]["spec"]["template"]["spec"]["containers"][0]
    assert {"secretRef": {"name": "nats-accounts"}} in nats["envFrom"]


def test_the_image_is_built_in_stages_and_runs_as_an_unprivileged_user() -> None:
    dockerfile = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+\S+(?:\s+AS\s+(\S+))?", dockerfile, re.MULTILINE)
    assert len(stages) == 2 and stages[0] == "build"
    assert re.search(r"^USER 10001", dockerfile, re.MULTILINE)
    assert 'ENTRYPOINT ["evently"]' in dockerfile
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert (ROOT / path).exists(), f"the Dockerfile copies {path}, which is not in the repository"
