"""`evently migrate`: apply each service's Alembic migrations to its own database."""

from __future__ import annotations

from evently_platform.config import Settings
from evently_platform.db.engine import make_engine
from evently_platform.db.migrations import upgrade
from evently_platform.logging import configure_logging, get_logger

from evently_cli.components import MIGRATIONS

log = get_logger("evently.migrate")


def migrate(services: list[str]) -> int:
    settings = Settings.from_env()
    configure_logging("migrate", log_format=settings.log_format)
    for service in services:
        engine = make_engine(settings.db_urls[service], instrument=False)
        try:
            upgrade(engine, service, MIGRATIONS[service])
        finally:
            engine.dispose()
        log.info("migrate.done", service=service, database=engine.url.render_as_string(hide_password=True))
    return 0
