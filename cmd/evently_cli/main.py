"""Entry point of the `evently` command."""

from __future__ import annotations

import argparse
import sys

from evently_cli.components import COMPONENTS, MIGRATIONS

# The services whose consumers keep dead letters.
SERVICES = ("events", "notifier")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evently",
        description="Evently: events, registrations and notifications as gRPC microservices.",
        epilog="Configuration comes from EVENTLY_* environment variables; see the README.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "up",
        help="run the whole system (embedded NATS when EVENTLY_NATS_URL is unset)",
        description="Run NATS (unless EVENTLY_NATS_URL is set), the three services and the gateway; "
        "Ctrl-C stops everything gracefully.",
    )
    serve = commands.add_parser(
        "serve", help="run one component", description="Run one component until SIGTERM/SIGINT."
    )
    serve.add_argument("component", choices=COMPONENTS)
    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations",
        description="Bring each service's database to the latest schema (services also do this on start).",
    )
    migrate.add_argument(
        "services", nargs="*", metavar="SERVICE", help=f"any of {', '.join(MIGRATIONS)} (default: all)"
    )
    check = commands.add_parser(
        "health",
        help="exit 0 when a component is serving",
        description="Ask a running component whether it is serving: a service's gRPC health "
        "check, or the gateway's /readyz. Exit status 0 when it is, 1 when not (for container "
        "health checks). Dials EVENTLY_LISTEN_ADDR when set, else the component's address.",
    )
    check.add_argument("component", choices=COMPONENTS)
    check.add_argument(
        "--timeout", type=float, default=3.0, help="seconds to wait for the answer (default 3)"
    )
    commands.add_parser(
        "rotate-signing-key",
        help="start signing access tokens with a new key",
        description="Generate a new token signing key in EVENTLY_SIGNING_KEYS_DIR (default "
        "<data dir>/keys). The old public key stays published, so tokens it signed keep working "
        "until they expire; running services pick the new key up without a restart.",
    )
    commands.add_parser(
        "operator-token",
        help="print a short-lived operator access token",
        description="Print an access token for operator methods (ListDeadLetters, "
        "ReplayDeadLetter), valid 15 minutes, signed with the users service's current key from "
        "EVENTLY_SIGNING_KEYS_DIR (default <data dir>/keys): run it where that key is. Use it as "
        '`grpcurl -H "authorization: Bearer $(evently operator-token)" ...`.',
    )
    letters = commands.add_parser(
        "dead-letters",
        help="list or replay messages a consumer gave up on",
        description="Messages the events and notifier services' consumers gave up on (undecodable, "
        "forged, or failing every delivery), with the reason; replay one once its cause is fixed. "
        "Uses an operator token (see `evently operator-token`).",
    )
    letter_commands = letters.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = letter_commands.add_parser(
        "list", help="show the newest dead letters", description="Show the newest dead letters, newest first."
    )
    listing.add_argument(
        "--service", choices=SERVICES, action="append", help="only this service (repeatable; default: all)"
    )
    listing.add_argument(
        "--limit",
        type=int,
        default=50,
        choices=range(1, 101),
        metavar="1..100",
        help="at most this many per service (default 50)",
    )
    replay = letter_commands.add_parser(
        "replay",
        help="hand one dead letter to its consumer again",
        description="Hand one dead letter to its service's consumer again. Once handled it leaves "
        "the list (an event already handled does nothing twice); if it fails again it stays, "
        "with the new error, and the exit status is 1.",
    )
    replay.add_argument("service", choices=SERVICES, help="the service that lists it")
    replay.add_argument("id", help="its ID from `evently dead-letters list`")
    for sub in (listing, replay):
        sub.add_argument("--timeout", type=float, default=10.0, help="seconds per call (default 10)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "up":
        from evently_cli.up import up

        return up()
    if args.command == "rotate-signing-key":
        from evently_cli.keys import rotate_signing_key

        return rotate_signing_key()
    if args.command == "operator-token":
        from evently_cli.operator import operator_token

        return operator_token()
    if args.command == "dead-letters":
        from evently_cli import operator

        if args.action == "list":
            return operator.list_dead_letters(args.service or list(SERVICES), args.limit, args.timeout)
        return operator.replay_dead_letter(args.service, args.id, args.timeout)
    if args.command == "health":
        from evently_cli.health import health

        return health(args.component, args.timeout)
    if args.command == "serve":
        from evently_cli.components import serve

        return serve(args.component)
    unknown = sorted(set(args.services) - set(MIGRATIONS))
    if unknown:
        _parser().error(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(MIGRATIONS)}")
    from evently_cli.migrate import migrate

    return migrate(args.services or list(MIGRATIONS))


if __name__ == "__main__":
    sys.exit(main())
