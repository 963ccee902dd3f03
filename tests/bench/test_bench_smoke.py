"""Every benchmark scenario runs for a moment and produces well-formed rows, so the benchmark
code cannot rot. Nothing here judges speed: `make bench` measures, tests never time."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"scenario", "metric", "unit", "ours", "baseline", "ratio", "target", "met"}


def test_every_scenario_produces_well_formed_rows(tmp_path: Path) -> None:
    output = tmp_path / "latest.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    rows = json.loads(output.read_text())
    scenarios = {row["scenario"].split(" ")[0] for row in rows}
    assert scenarios >= {"GetEvent", "CreateEvent", "gateway", "e2e", "fan-out", "start-up"}
    for row in rows:
        assert set(row) == KEYS
        assert isinstance(row["ours"], int | float) and math.isfinite(row["ours"]) and row["ours"] >= 0
        if row["baseline"]:
            # both figures are rounded to 6 places in the file, the ratio from the exact ones
            assert row["ratio"] == pytest.approx(row["ours"] / row["baseline"], rel=0.01, abs=0.001)
        if row["target"] is None:
            assert row["met"] is None
        else:
            assert row["met"] in (True, False) or row["ratio"] is None
    throughputs = [row for row in rows if row["metric"] == "throughput"]
    assert throughputs and all(row["ours"] > 0 and row["baseline"] > 0 for row in throughputs)
    assert "scenario" in done.stdout  # the table was printed
    meta = json.loads(output.with_suffix(".meta.json").read_text())
    assert meta["smoke"] is True
