"""Times put in words for people, the one way every message and page states them: in the
event's zone, that zone named ("Sat 10 Mar 2027, 18:30-21:00 CET", with an en dash), and the
reader's own time beside it when their clock shows another ("(12:30-15:00 EST your time)")."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_ZONE = "UTC"
DASH = "\u2013"  # en dash, for ranges


@cache
def zone(name: str | None) -> ZoneInfo:
    """The IANA zone by name; UTC for an empty or unknown name (data from elsewhere may carry
    either, and a time in UTC, named as such, is still right)."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


@cache
def _known_zones() -> frozenset[str]:
    # Not the files that only alias this machine's own setting: they would mean another zone on
    # another machine.
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"})


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone ("Europe/Berlin", "UTC")."""
    return name in _known_zones()


def _abbreviation(moment: datetime) -> str:
    name = moment.tzname() or ""
    # Zones without a customary abbreviation are named by offset ("+03"): say what it is.
    return f"UTC{name}" if name[:1] in "+-" else name


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def _span(start: datetime, end: datetime | None) -> str:
    if end is None or end <= start:
        return f"{_day(start)}, {start:%H:%M}"
    if end.date() == start.date():
        return f"{_day(start)}, {start:%H:%M}{DASH}{end:%H:%M}"
    return f"{_day(start)}, {start:%H:%M} {DASH} {_day(end)}, {end:%H:%M}"


def _clock(start: datetime, end: datetime | None, *, with_day: bool) -> str:
    if with_day:
        return _span(start, end)
    if end is None or end <= start:
        return f"{start:%H:%M}"
    return f"{start:%H:%M}{DASH}{end:%H:%M}"


def when(
    start: datetime,
    end: datetime | None = None,
    *,
    event_zone: str | None = None,
    reader_zone: str | None = None,
) -> str:
    """`start` (to `end`) in the event's zone, named; then the reader's time when it differs."""
    local_start = start.astimezone(zone(event_zone))
    local_end = end.astimezone(zone(event_zone)) if end is not None else None
    text = f"{_span(local_start, local_end)} {_abbreviation(local_start)}"
    if reader_zone is None:
        return text
    theirs_start = start.astimezone(zone(reader_zone))
    if theirs_start.utcoffset() == local_start.utcoffset():
        return text
    theirs_end = end.astimezone(zone(reader_zone)) if end is not None else None
    other_day = theirs_start.date() != local_start.date() or (
        theirs_end is not None and local_end is not None and theirs_end.date() != local_end.date()
    )
    theirs = _clock(theirs_start, theirs_end, with_day=other_day)
    return f"{text} ({theirs} {_abbreviation(theirs_start)} your time)"
