"""`--levels` chooses the rates or concurrencies to measure — a few of the usual steps, so that
an A/B of one rate stays short, or others (a probe below the steps) — in increasing order; a
smoke run still takes one level only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.__main__ import parse
from bench.context import Context

FULL = (100, 200, 500, 1000)


def test_all_levels_by_default() -> None:
    assert Context(1.0, Path("."), only=parse([]).levels).levels(FULL) == FULL


def test_only_the_levels_asked_for_lowest_first_even_off_the_usual_steps() -> None:
    only = parse(["e2e", "--levels", "500,100,7,100"]).levels
    assert Context(1.0, Path("."), only=only).levels(FULL) == (7, 100, 500)


def test_a_smoke_run_takes_the_first_chosen_level() -> None:
    assert Context(0.5, Path("."), smoke=True, only=(200, 500)).levels(FULL) == (200,)


def test_levels_that_are_not_numbers_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse(["--levels", "100,fast"])
    assert "'100,fast' is not a comma-separated list of numbers" in capsys.readouterr().err
