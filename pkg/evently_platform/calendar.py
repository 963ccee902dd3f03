"""Events as RFC 5545 iCalendar files, written with the `icalendar` library. Shared by the
events service (GetEventCalendar) and the notifier (attachments to confirmations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar

PRODID = "-//Evently//Evently events//EN"


@dataclass(frozen=True)
class CalendarEntry:
    event_id: str
    title: str
    description: str
    location: str
    start_time: datetime
    end_time: datetime
    time_zone: str
    revision: int  # the SEQUENCE: calendars replace their copy only when it goes up
    cancelled: bool
    create_time: datetime
    update_time: datetime


def calendar_file(entry: CalendarEntry, now: datetime) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if entry.cancelled else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{entry.event_id}@evently")  # stable: calendars update the entry they have
    event.add("sequence", entry.revision)
    event.add("dtstamp", now)
    zone = ZoneInfo(entry.time_zone or "UTC")
    event.add("dtstart", entry.start_time.astimezone(zone))
    event.add("dtend", entry.end_time.astimezone(zone))
    event.add("summary", entry.title)
    if entry.description:
        event.add("description", entry.description)
    event.add("location", entry.location)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("created", entry.create_time)
    event.add("last-modified", entry.update_time)
    calendar.add_component(event)
    if (entry.time_zone or "UTC") != "UTC":
        calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
