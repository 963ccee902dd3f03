"""Configuration from the environment (12-factor); every name is fixed by SPEC.md."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path

SERVICES = ("users", "events", "notifier")

_DEFAULT_ADDRS = {
    "users": "127.0.0.1:50051",
    "events": "127.0.0.1:50052",
    "notifier": "127.0.0.1:50053",
    "gateway": "127.0.0.1:8080",
}


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str, name: str) -> timedelta:
    """ "90m" → 90 minutes; `name` is the setting the text came from, for the error message."""
    part = text.strip().lower()
    if len(part) < 2 or part[-1] not in _UNITS or not part[:-1].isdigit():
        raise SystemExit(f"{name}: {part!r} is not a duration like 30s, 90m, 24h or 2d")
    return timedelta(seconds=int(part[:-1]) * _UNITS[part[-1]])


def parse_durations(text: str, name: str = "EVENTLY_REMINDER_DEFAULTS") -> tuple[timedelta, ...]:
    """ "24h,1h,15m" → durations; "" or "none" → none at all."""
    if text.strip().lower() in ("", "none"):
        return ()
    return tuple(parse_duration(part, name) for part in text.split(","))


def _positive_int(text: str, name: str) -> int:
    if not text.strip().isdigit() or int(text) <= 0:
        raise SystemExit(f"{name}: {text!r} is not a positive whole number")
    return int(text)


def _mailbox(text: str) -> str:
    _, address = parseaddr(text)
    if "@" not in address or any(c in text for c in "\r\n"):
        raise SystemExit(f"EVENTLY_MAIL_FROM: {text!r} is not a mailbox like 'Evently <events@example.com>'")
    return text


def mail_domain(mailbox: str) -> str:
    """The domain of a mailbox ("Evently <events@example.com>" → "example.com")."""
    return parseaddr(mailbox)[1].rpartition("@")[2]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class UsersSettings:
    # The token signing keys (a mounted Secret in Kubernetes).
    signing_keys_dir: Path

    @classmethod
    def from_env(cls, env: Mapping[str, str], data_dir: Path) -> UsersSettings:
        return cls(signing_keys_dir=Path(env.get("EVENTLY_SIGNING_KEYS_DIR") or data_dir / "keys").resolve())


@dataclass(frozen=True)
class NotifierSettings:
    smtp_url: str | None  # unset: e-mail goes to files in `mail_dir`
    mail_dir: Path
    # The From of every e-mail: a mailbox of a domain the SMTP relay may send for.
    mail_from: str = "Evently <notifications@localhost>"
    webhook_allow_private: bool = False
    # A webhook subscription failing continuously for this long is switched off.
    webhook_disable_after: timedelta = timedelta(days=5)
    # How long before an event's start attendees are reminded by default.
    reminder_defaults: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))

    @classmethod
    def from_env(cls, env: Mapping[str, str], data_dir: Path) -> NotifierSettings:
        return cls(
            smtp_url=env.get("EVENTLY_SMTP_URL") or None,
            mail_dir=data_dir / "mail",
            mail_from=_mailbox(env.get("EVENTLY_MAIL_FROM") or "Evently <notifications@localhost>"),
            webhook_allow_private=_truthy(env.get("EVENTLY_WEBHOOK_ALLOW_PRIVATE")),
            webhook_disable_after=parse_duration(
                env.get("EVENTLY_WEBHOOK_DISABLE_AFTER") or "5d", "EVENTLY_WEBHOOK_DISABLE_AFTER"
            ),
            reminder_defaults=parse_durations(env.get("EVENTLY_REMINDER_DEFAULTS") or "24h,1h"),
        )


@dataclass(frozen=True)
class GatewaySettings:
    # Browser origins allowed to call the gateway from another site ("*" for any); none by default.
    cors_origins: tuple[str, ...] = ()
    # The longest the gateway waits for a service; a request's `grpc-timeout` may ask for less.
    deadline: timedelta = timedelta(seconds=30)
    max_body_bytes: int = 1 << 20

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GatewaySettings:
        return cls(
            cors_origins=tuple(
                o.strip().rstrip("/") for o in (env.get("EVENTLY_CORS_ORIGINS") or "").split(",") if o.strip()
            ),
            deadline=parse_duration(env.get("EVENTLY_GATEWAY_DEADLINE") or "30s", "EVENTLY_GATEWAY_DEADLINE"),
            max_body_bytes=_positive_int(
                env.get("EVENTLY_GATEWAY_MAX_BODY_BYTES") or str(1 << 20), "EVENTLY_GATEWAY_MAX_BODY_BYTES"
            ),
        )


@dataclass(frozen=True)
class Settings:
    """What every process reads (where the others are, the broker, its database, logs), and one
    section per component for what only that component uses."""

    data_dir: Path
    nats_urls: tuple[str, ...]  # empty: `evently up` starts an embedded server
    db_urls: Mapping[str, str]
    addrs: Mapping[str, str]
    log_format: str  # "console" or "json"
    users: UsersSettings
    notifier: NotifierSettings
    gateway: GatewaySettings
    # Where this process listens when that differs from the address the others dial (in a
    # container: `0.0.0.0:50051`, while the others dial `users:50051`); unset: its own address.
    listen_addr: str | None = None
    # Where this process serves Prometheus metrics (`/metrics`); unset: nowhere.
    metrics_addr: str | None = None
    # Copies of the EVENTLY stream a clustered NATS keeps (1 on a single server, 3 in a cluster).
    stream_replicas: int = 1
    # Where people reach the web UI: the links in e-mail. Unset: the gateway's own address.
    public_url: str = "http://127.0.0.1:8080"
    # A span per SQL statement (and so a stream of root spans from idle pollers): for debugging.
    trace_sql: bool = False
    # Unary calls a service process works on at once; more are refused RESOURCE_EXHAUSTED at once.
    max_calls_in_flight: int = 256

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
            log_format=log_format,
            users=UsersSettings.from_env(env, data_dir),
            notifier=NotifierSettings.from_env(env, data_dir),
            gateway=GatewaySettings.from_env(env),
            listen_addr=env.get("EVENTLY_LISTEN_ADDR") or None,
            public_url=(env.get("EVENTLY_PUBLIC_URL") or f"http://{addrs['gateway']}").rstrip("/"),
            metrics_addr=env.get("EVENTLY_METRICS_ADDR") or None,
            stream_replicas=_positive_int(
                env.get("EVENTLY_STREAM_REPLICAS") or "1", "EVENTLY_STREAM_REPLICAS"
            ),
            trace_sql=_truthy(env.get("EVENTLY_TRACE_SQL")),
            max_calls_in_flight=_positive_int(
                env.get("EVENTLY_MAX_CALLS_IN_FLIGHT") or "256", "EVENTLY_MAX_CALLS_IN_FLIGHT"
            ),
        )

    def bind_addr(self, component: str) -> str:
        """The address `component`'s own process listens on."""
        return self.listen_addr or self.addrs[component]

    def require_nats(self) -> tuple[str, ...]:
        if not self.nats_urls:
            raise SystemExit(
                "EVENTLY_NATS_URL is not set: run `evently up` (which starts its own NATS server) "
                "or point EVENTLY_NATS_URL at a NATS server with JetStream enabled."
            )
        return self.nats_urls
