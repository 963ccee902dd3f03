"""Results: one row per figure, printed as a table and written as JSON for comparing runs."""

from __future__ import annotations

import json
import operator
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from bench.measure import Sample


@dataclass(frozen=True)
class Target:
    """A goal from the issue: `of` says whether it bounds our figure or our ratio to the baseline."""

    of: Literal["ours", "ratio"]
    at_least: float | None = None
    at_most: float | None = None

    def met(self, ours: float, ratio: float | None) -> bool | None:
        value = ours if self.of == "ours" else ratio
        if value is None:
            return None
        if self.at_least is not None and not operator.ge(value, self.at_least):
            return False
        return not (self.at_most is not None and value > self.at_most)

    def __str__(self) -> str:
        bound = f">= {self.at_least:g}" if self.at_least is not None else f"<= {self.at_most:g}"
        return f"{'ratio ' if self.of == 'ratio' else ''}{bound}"


@dataclass(frozen=True)
class Row:
    scenario: str
    metric: str
    unit: str
    ours: float
    baseline: float | None = None
    ratio: float | None = None
    target: str | None = None
    met: bool | None = None


def row(
    scenario: str,
    metric: str,
    unit: str,
    ours: float,
    baseline: float | None = None,
    target: Target | None = None,
) -> Row:
    ratio = ours / baseline if baseline else None
    return Row(
        scenario,
        metric,
        unit,
        round(ours, 6),
        None if baseline is None else round(baseline, 6),
        None if ratio is None else round(ratio, 3),
        None if target is None else str(target),
        None if target is None else target.met(ours, ratio),
    )


def latency_rows(
    scenario: str, ours: Sample, baseline: Sample | None, targets: dict[str, Target] | None = None
) -> list[Row]:
    """Throughput and p50/p90/p99 latency (ms) of a run beside its baseline run."""
    targets = targets or {}
    rows = [
        row(
            scenario,
            "throughput",
            "ops/s",
            ours.throughput,
            None if baseline is None else baseline.throughput,
            targets.get("throughput"),
        ),
    ]
    for name, fraction in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)):
        rows.append(
            row(
                scenario,
                name,
                "ms",
                ours.p(fraction) * 1000,
                None if baseline is None else baseline.p(fraction) * 1000,
                targets.get(name),
            )
        )
    if ours.failures:
        rows.append(row(scenario, "failures", "count", ours.failures))
    return rows


def cpu_rows(
    scenario: str,
    per_operation: dict[str, float],
    baseline: dict[str, float] | None = None,
    targets: dict[str, Target] | None = None,
) -> list[Row]:
    """CPU time per operation (µs) of each process (`targets` by process name); the baseline's
    summed for comparison."""
    targets = targets or {}
    rows = [
        row(scenario, f"cpu/op {name}", "µs", seconds * 1e6, target=targets.get(name))
        for name, seconds in per_operation.items()
    ]
    if baseline is not None:
        rows.append(
            row(
                scenario,
                "cpu/op all servers",
                "µs",
                sum(per_operation.values()) * 1e6,
                sum(baseline.values()) * 1e6,
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    headers = ("scenario", "metric", "unit", "ours", "baseline", "ratio", "target", "met")

    def cell(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "NO"
        if isinstance(value, float):
            return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
        return str(value)

    cells = [headers, *[tuple(cell(getattr(r, h)) for h in headers) for r in rows]]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]
    lines = ["  ".join(text.ljust(widths[i]) for i, text in enumerate(line)) for line in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write(rows: list[Row], path: Path, *, settings: dict[str, object]) -> None:
    """`path` holds the list of rows the issue asks for; a sibling `.meta.json` says how it ran."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) + "\n")
    meta = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": __import__("os").cpu_count(),
        **settings,
    }
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n")
