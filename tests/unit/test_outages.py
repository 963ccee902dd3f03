"""An outage is logged as one line saying why; anything else keeps its traceback (a bug)."""

from __future__ import annotations

import sqlite3

from evently_platform.db.outages import outage_summary
from evently_platform.errors import Unavailable
from sqlalchemy.exc import OperationalError


def _locked() -> OperationalError:
    cause = sqlite3.OperationalError("database is locked\nsecond line")
    cause.sqlite_errorcode = 5  # SQLITE_BUSY
    return OperationalError("INSERT ...", {}, cause)


def test_a_database_that_cannot_work_now_is_summed_up_in_its_first_line() -> None:
    assert outage_summary(_locked()) == "OperationalError: (sqlite3.OperationalError) database is locked"


def test_an_outage_mapped_to_unavailable_names_its_cause() -> None:
    mapped = Unavailable("the database is unavailable right now")
    mapped.__cause__ = _locked()
    assert outage_summary(mapped) == "OperationalError: (sqlite3.OperationalError) database is locked"


def test_a_statement_of_ours_that_is_wrong_is_no_outage() -> None:
    wrong = sqlite3.OperationalError("no such table: evnets")
    wrong.sqlite_errorcode = 1  # SQLITE_ERROR
    assert outage_summary(OperationalError("SELECT ...", {}, wrong)) is None
    assert outage_summary(ValueError("a bug")) is None
