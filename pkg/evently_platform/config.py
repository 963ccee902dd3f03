"""Configuration from the environment (12-factor); every name is fixed by SPEC.md."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

SERVICES = ("users", "events", "notifier")

_DEFAULT_ADDRS = {
    "users": "127.0.0.1:50051",
    "events": "127.0.0.1:50052",
    "notifier": "127.0.0.1:50053",
    "gateway": "127.0.0.1:8080",
}


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_durations(text: str) -> tuple[timedelta, ...]:
    """ "24h,1h,15m" → durations; "" or "none" → none at all."""
    if text.strip().lower() in ("", "none"):
        return ()
    durations = []
    for part in text.split(","):
        part = part.strip().lower()
        if len(part) < 2 or part[-1] not in _UNITS or not part[:-1].isdigit():
            raise SystemExit(f"EVENTLY_REMINDER_DEFAULTS: {part!r} is not a duration like 24h, 90m or 2d")
        durations.append(timedelta(seconds=int(part[:-1]) * _UNITS[part[-1]]))
    return tuple(durations)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    nats_urls: tuple[str, ...]  # empty: `evently up` starts an embedded server
    db_urls: Mapping[str, str]
    addrs: Mapping[str, str]
    smtp_url: str | None
    webhook_allow_private: bool
    log_format: str  # "console" or "json"
    # The users service's token signing keys (a mounted Secret in Kubernetes).
    signing_keys_dir: Path
    # How long before an event's start attendees are reminded by default.
    reminder_defaults: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("EVENTLY_DATA_DIR") or "./.evently").resolve()
        nats = tuple(u.strip() for u in (env.get("EVENTLY_NATS_URL") or "").split(",") if u.strip())
        db_urls = {
            name: env.get(f"EVENTLY_{name.upper()}_DB_URL") or f"sqlite:///{data_dir / (name + '.db')}"
            for name in SERVICES
        }
        addrs = {
            name: env.get(f"EVENTLY_{name.upper()}_ADDR") or default
            for name, default in _DEFAULT_ADDRS.items()
        }
        log_format = env.get("EVENTLY_LOG_FORMAT") or ("console" if sys.stderr.isatty() else "json")
        return cls(
            data_dir=data_dir,
            nats_urls=nats,
            db_urls=db_urls,
            addrs=addrs,
            smtp_url=env.get("EVENTLY_SMTP_URL") or None,
            webhook_allow_private=_truthy(env.get("EVENTLY_WEBHOOK_ALLOW_PRIVATE")),
            log_format=log_format,
            signing_keys_dir=Path(env.get("EVENTLY_SIGNING_KEYS_DIR") or data_dir / "keys").resolve(),
            reminder_defaults=parse_durations(env.get("EVENTLY_REMINDER_DEFAULTS") or "24h,1h"),
        )

    def require_nats(self) -> tuple[str, ...]:
        if not self.nats_urls:
            raise SystemExit(
                "EVENTLY_NATS_URL is not set: run `evently up` (which starts its own NATS server) "
                "or point EVENTLY_NATS_URL at a NATS server with JetStream enabled."
            )
        return self.nats_urls
