"""The iCalendar feed: one event per meeting, written with the icalendar library."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import icalendar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, MutableMapping

    from .model import Meeting

PRODID = "-//Online CryoEM Study Group//meetings extension//EN"


def build_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    url_of: Callable[[Meeting], str],
    uid_of: Callable[[Meeting], str],
    stamp: dt.datetime,
    known_events: MutableMapping[str, bytes] | None = None,
) -> bytes:
    """Serialise *meetings* as an RFC 5545 calendar.

    *uid_of* must give each meeting a UID that does not change when its title
    or time changes, so a subscribed calendar updates the event in place.
    *stamp* is the DTSTAMP of every event: an input, so that two builds of one
    commit write the same bytes.

    *known_events* maps a description of an event's inputs to its serialised
    VEVENT: events found there are not serialised again (the slow part), and
    afterwards it holds exactly the events of this calendar.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    zones: set[str] = set()
    events: dict[str, bytes] = {}
    known = known_events if known_events is not None else {}
    for meeting in sorted(meetings, key=lambda m: (m.start, m.path)):
        zones.add(str(meeting.start.tzinfo))
        key = repr((meeting, url_of(meeting), uid_of(meeting), stamp, name))
        events[key] = known.get(key) or _event(meeting, name, url_of(meeting), uid_of(meeting), stamp)
    # VTIMEZONE blocks for every zone used, from the IANA database, before the events.
    for zone in sorted(zones):
        calendar.add_component(icalendar.Timezone.from_tzid(zone))
    end = b"END:VCALENDAR\r\n"
    head = calendar.to_ical()
    if known_events is not None:
        known_events.clear()
        known_events.update(events)
    return head[: -len(end)] + b"".join(events.values()) + end


def _event(meeting: Meeting, name: str, url: str, uid: str, stamp: dt.datetime) -> bytes:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
    event.add("dtstart", meeting.start)
    event.add("dtend", meeting.start + meeting.duration)
    event.add("summary", f"{name}: {meeting.title or meeting.topic}")
    lines = [f"Topic: {meeting.topic}"]
    if meeting.pre_reading:
        lines.append("Pre-reading: see the meeting page.")
    event.add("description", "\n".join(lines))
    event.add("url", url)
    return event.to_ical()
