"""Events as RFC 5545 iCalendar files, written with the `icalendar` library."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar

from evently_events.domain.model import Event, EventState

PRODID = "-//Evently//Evently events//EN"


def event_calendar(event: Event, now: datetime) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if event.state is EventState.CANCELLED else "PUBLISH")
    entry = icalendar.Event()
    entry.add("uid", f"{event.id}@evently")  # stable: calendars update the entry they have
    entry.add("sequence", event.revision)
    entry.add("dtstamp", now)
    zone = ZoneInfo(event.time_zone)
    entry.add("dtstart", event.start_time.astimezone(zone))
    entry.add("dtend", event.end_time.astimezone(zone))
    entry.add("summary", event.title)
    if event.description:
        entry.add("description", event.description)
    entry.add("location", event.location)
    entry.add("status", "CANCELLED" if event.state is EventState.CANCELLED else "CONFIRMED")
    entry.add("created", event.create_time)
    entry.add("last-modified", event.update_time)
    calendar.add_component(entry)
    if event.time_zone != "UTC":
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
