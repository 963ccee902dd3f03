"""`make bench` (python -m bench): runs the scenarios against real processes, prints one table
and writes bench/results/latest.json. `--help` lists the options."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.context import Context
from bench.report import Row, table, write

SCENARIOS = {
    "grpc": "bench.scenarios.grpc_calls",
    "gateway": "bench.scenarios.gateway",
    "e2e": "bench.scenarios.pipeline",
    "reminders": "bench.scenarios.reminders",
    "startup": "bench.scenarios.startup",
}
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _levels(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure Evently beside the bare libraries it is built on; print a table and "
        "write the rows as JSON. PostgreSQL instead of SQLite when EVENTLY_BENCH_POSTGRES_URL is set.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=f"which to run (default: all): {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured run (default 5)")
    parser.add_argument(
        "--smoke", action="store_true", help="one short run per scenario, to check the code works"
    )
    parser.add_argument(
        "--levels",
        type=_levels,
        default=(),
        metavar="N[,N...]",
        help="measure only these concurrency levels or rates, e.g. --levels 100,200 (default: all)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"JSON rows (default {RESULTS})")
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}: choose from {', '.join(SCENARIOS)}")
    return args


async def run(names: list[str], ctx: Context) -> list[Row]:
    rows: list[Row] = []
    for name in names:
        began = time.perf_counter()
        print(f"· {name} …", file=sys.stderr, flush=True)
        scenario = importlib.import_module(SCENARIOS[name])
        rows += await scenario.run(dataclasses.replace(ctx, work_dir=ctx.work_dir / name))
        print(f"  {name} done in {time.perf_counter() - began:.1f}s", file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    names = args.scenarios or list(SCENARIOS)
    seconds = min(args.seconds, 0.5) if args.smoke else args.seconds
    with tempfile.TemporaryDirectory(prefix="evently-bench-") as work:
        rows = asyncio.run(run(names, Context(seconds, Path(work), args.smoke, args.levels)))
    print(table(rows))
    write(
        rows,
        args.output,
        settings={
            "scenarios": names,
            "seconds": seconds,
            "smoke": args.smoke,
            "levels": list(args.levels),
            "database": "postgresql" if os.environ.get("EVENTLY_BENCH_POSTGRES_URL") else "sqlite",
        },
    )
    print(f"\nrows written to {args.output}", file=sys.stderr)
    missed = [r for r in rows if r.met is False]
    if missed:
        print(f"{len(missed)} target(s) missed: see bench/README.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
