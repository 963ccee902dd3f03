"""Alembic, driven from code: each service keeps its own migration scripts and version table."""

from __future__ import annotations

import zlib

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text


def _config(engine: Engine, service: str, script_location: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location)
    cfg.attributes["engine"] = engine
    cfg.attributes["version_table"] = f"alembic_version_{service}"
    return cfg


def upgrade(engine: Engine, service: str, script_location: str, revision: str = "head") -> None:
    """Bring the service's database to `revision` (idempotent)."""
    command.upgrade(_config(engine, service, script_location), revision)


def run_env() -> None:
    """Body of every service's `migrations/env.py`."""
    from alembic import context

    engine: Engine = context.config.attributes["engine"]
    version_table = context.config.attributes["version_table"]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Instances starting together would otherwise all run the same migrations and all
            # but one fail. The lock (per service, held until this transaction ends) makes the
            # others wait, then find the database already at head.
            lock_key = zlib.crc32(version_table.encode())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        context.configure(
            connection=connection,
            version_table=version_table,
            render_as_batch=True,  # SQLite needs batch mode to alter tables
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
