"""Times as people read them: in the event's zone and named, the reader's own beside it."""

# ruff: noqa: RUF001  (the en dash in a range is what people read)

from __future__ import annotations

from datetime import UTC, datetime

from evently_platform.time_words import is_zone, when

START = datetime(2027, 3, 13, 17, 30, tzinfo=UTC)  # a Saturday; 18:30 in Berlin (CET)
END = datetime(2027, 3, 13, 20, 0, tzinfo=UTC)


def test_an_event_s_times_are_stated_in_its_zone_and_name_it() -> None:
    assert when(START, END, event_zone="Europe/Berlin") == "Sat 13 Mar 2027, 18:30–21:00 CET"
    assert when(START, event_zone="Europe/Berlin") == "Sat 13 Mar 2027, 18:30 CET"


def test_summer_time_is_named_as_such() -> None:
    july = datetime(2027, 7, 3, 16, 30, tzinfo=UTC)
    assert when(july, event_zone="Europe/Berlin") == "Sat 3 Jul 2027, 18:30 CEST"


def test_a_reader_elsewhere_also_sees_their_own_time() -> None:
    assert (
        when(START, END, event_zone="Europe/Berlin", reader_zone="America/New_York")
        == "Sat 13 Mar 2027, 18:30–21:00 CET (12:30–15:00 EST your time)"
    )


def test_the_reader_s_own_time_names_its_day_when_that_is_another() -> None:
    assert (
        when(START, END, event_zone="Europe/Berlin", reader_zone="Asia/Tokyo")
        == "Sat 13 Mar 2027, 18:30–21:00 CET (Sun 14 Mar 2027, 02:30–05:00 JST your time)"
    )


def test_a_reader_whose_clock_shows_the_same_time_is_not_told_twice() -> None:
    assert when(START, END, event_zone="Europe/Berlin", reader_zone="Europe/Paris") == (
        "Sat 13 Mar 2027, 18:30–21:00 CET"
    )


def test_an_event_over_midnight_names_both_days() -> None:
    late = datetime(2027, 3, 13, 22, 0, tzinfo=UTC)
    assert when(late, datetime(2027, 3, 14, 2, 0, tzinfo=UTC), event_zone="UTC") == (
        "Sat 13 Mar 2027, 22:00 – Sun 14 Mar 2027, 02:00 UTC"
    )


def test_zones_without_an_abbreviation_are_named_by_offset() -> None:
    assert when(START, event_zone="Europe/Istanbul") == "Sat 13 Mar 2027, 20:30 UTC+03"


def test_an_unknown_or_empty_zone_states_utc() -> None:
    assert when(START, event_zone="Mars/Olympus") == "Sat 13 Mar 2027, 17:30 UTC"
    assert when(START, event_zone="") == "Sat 13 Mar 2027, 17:30 UTC"


def test_zone_names_are_checked_against_the_iana_database() -> None:
    assert is_zone("Europe/Berlin") and is_zone("UTC")
    assert not is_zone("Mars/Olympus") and not is_zone("") and not is_zone("../etc/passwd")
    assert not is_zone("localtime")  # this machine's own setting, not a zone
