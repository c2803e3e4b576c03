"""The iCalendar feed: one event per meeting, written with the icalendar library."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from .model import Meeting

PRODID = "-//Online CryoEM Study Group//meetings extension//EN"


def build_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    url_of: Callable[[Meeting], str],
    uid_of: Callable[[Meeting], str],
    stamp: dt.datetime,
) -> bytes:
    """Serialise *meetings* as an RFC 5545 calendar.

    *uid_of* must give each meeting a UID that does not change when its title
    or time changes, so a subscribed calendar updates the event in place.
    *stamp* is the DTSTAMP of every event: an input, so that two builds of one
    commit write the same bytes.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for meeting in sorted(meetings, key=lambda m: (m.start, m.path)):
        event = icalendar.Event()
        event.add("uid", uid_of(meeting))
        event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.start + meeting.duration)
        event.add("summary", f"{name}: {meeting.title or meeting.topic}")
        lines = [f"Topic: {meeting.topic}"]
        if meeting.pre_reading:
            lines.append("Pre-reading: see the meeting page.")
        event.add("description", "\n".join(lines))
        event.add("url", url_of(meeting))
        calendar.add_component(event)
    # VTIMEZONE blocks for every zone used, from the IANA database.
    calendar.add_missing_timezones()
    return calendar.to_ical()
