"""The broker's accounts: one NATS user per service, allowed to publish its own domain events
only, so that no service (nor anyone without a password) can put words in another's mouth.

Every service may use the JetStream API (streams, consumers, fetching, acknowledging) except to
delete or purge the stream, and may receive on inboxes (replies, pushed ordered consumers) and
the consumer advisories. `evently up` generates the passwords on each start and hands each
child a URL with its own; compose and Kubernetes take them from secrets (deploy/README.md)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

# Each service's own domain events, by subject (a subject is the event's type).
PUBLISHES: dict[str, tuple[str, ...]] = {
    "users": ("evently.user.>",),
    "events": ("evently.event.>", "evently.registration.>", "evently.comment.>", "evently.poll.>"),
    "notifier": ("evently.reminder.>", "evently.subscription.>"),
}
JETSTREAM_PUBLISH = ("$JS.API.>", "$JS.ACK.>", "$JS.FC.>")
NEVER_PUBLISH = ("$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>", "$JS.API.STREAM.MSG.DELETE.>")
SUBSCRIBE = ("_INBOX.>", "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>")


@dataclass(frozen=True)
class BrokerAccount:
    user: str
    password: str


def generate_accounts() -> dict[str, BrokerAccount]:
    return {service: BrokerAccount(service, secrets.token_urlsafe(24)) for service in PUBLISHES}


def authorization_block(accounts: dict[str, BrokerAccount] | None = None) -> str:
    """The nats-server configuration that admits these accounts and nobody else. Without
    accounts, each service's password is read by nats-server from the environment variable
    `NATS_<SERVICE>_PASSWORD` (the form the deploy files use)."""
    users = []
    for service in PUBLISHES:
        permissions = {
            "publish": {"allow": [*PUBLISHES[service], *JETSTREAM_PUBLISH], "deny": list(NEVER_PUBLISH)},
            "subscribe": {"allow": list(SUBSCRIBE)},
        }
        # JSON is valid NATS configuration syntax and quotes every string safely; a variable
        # reference must stay unquoted.
        password = json.dumps(accounts[service].password) if accounts else password_variable(service)
        user = json.dumps(accounts[service].user if accounts else service)
        users.append(f"    {{user: {user}, password: {password}, permissions: {json.dumps(permissions)}}}")
    return "authorization {\n  users = [\n" + "\n".join(users) + "\n  ]\n}\n"


def password_variable(service: str) -> str:
    return f"$NATS_{service.upper()}_PASSWORD"


def with_credentials(url: str, account: BrokerAccount) -> str:
    """`nats://host:port` as this account: `nats://user:password@host:port`."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"{quote(account.user, safe='')}:{quote(account.password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


if __name__ == "__main__":
    # The deploy files' block: python -m evently_platform.messaging.accounts
    print(authorization_block(), end="")
