"""`evently migrate` brings every service's own database to the latest schema, and is safe to repeat."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from evently_cli.components import MIGRATIONS
from sqlalchemy import create_engine, inspect, text

from tests.conftest import POSTGRES_URL, postgres_schema


def _migrate(tmp_path: Path, dbs: dict[str, str], *services: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EVENTLY_DATA_DIR": str(tmp_path), "EVENTLY_LOG_FORMAT": "json"}
    env.update({f"EVENTLY_{name.upper()}_DB_URL": url for name, url in dbs.items()})
    return subprocess.run(
        [sys.executable, "-m", "evently_cli.main", "migrate", *services],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _head(service: str) -> str:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS[service])
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _state(url: str, service: str) -> tuple[set[str], str]:
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            version = conn.execute(text(f"SELECT version_num FROM alembic_version_{service}")).scalar_one()
        return tables, version
    finally:
        engine.dispose()


def test_migrate_brings_every_service_database_to_head_and_can_run_again(
    tmp_path: Path, service_dbs: dict[str, str]
) -> None:
    for attempt in (1, 2):
        result = _migrate(tmp_path, service_dbs)
        assert result.returncode == 0, f"attempt {attempt}: {result.stderr}"
        assert result.stderr.count('"event": "migrate.done"') == len(MIGRATIONS)
    for service, url in service_dbs.items():
        tables, version = _state(url, service)
        assert version == _head(service)
        assert {"outbox", "inbox", "dead_letters"} <= tables, service


def test_migrate_one_service_leaves_the_others_alone(tmp_path: Path, service_dbs: dict[str, str]) -> None:
    result = _migrate(tmp_path, service_dbs, "events")
    assert result.returncode == 0, result.stderr
    tables, version = _state(service_dbs["events"], "events")
    assert ("events" in tables, version) == (True, _head("events"))
    for other in ("users", "notifier"):
        engine = create_engine(service_dbs[other])
        try:
            assert f"alembic_version_{other}" not in inspect(engine).get_table_names()
        finally:
            engine.dispose()


def test_migrate_names_an_unknown_service(tmp_path: Path, service_dbs: dict[str, str]) -> None:
    result = _migrate(tmp_path, service_dbs, "billing")
    assert result.returncode == 2
    assert "unknown service(s) billing; choose from users, events, notifier" in result.stderr


@pytest.mark.skipif(POSTGRES_URL is None, reason="several instances share a database on PostgreSQL only")
def test_instances_starting_together_on_one_postgres_database_all_migrate(tmp_path: Path) -> None:
    """Two replicas of a service start at once: neither may fail on the other's half-made schema."""
    with postgres_schema() as url:
        racers = [
            subprocess.Popen(
                [sys.executable, "-m", "evently_cli.main", "migrate", "notifier"],
                env={
                    **os.environ,
                    "EVENTLY_DATA_DIR": str(tmp_path / str(n)),
                    "EVENTLY_LOG_FORMAT": "json",
                    "EVENTLY_NOTIFIER_DB_URL": url,
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(3)
        ]
        outcomes = [(racer.wait(timeout=120), racer.communicate()[1]) for racer in racers]
        assert [code for code, _ in outcomes] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
        tables, version = _state(url, "notifier")
        assert version == _head("notifier")
        assert "deliveries" in tables
