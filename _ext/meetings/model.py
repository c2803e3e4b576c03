"""Meetings as plain data: read, check, split and format them, without Sphinx.

A meeting is one file, ``meetings/YYYY-MM-DD-slug.md``: YAML front matter that
the JSON Schema ``meetings/meeting.schema.json`` describes, then a MyST page
whose ``# heading`` is the meeting's title. A file with no heading is a slot
whose paper is not chosen yet: it shows in the schedule only.

Everything here is a plain function of its arguments (no clock, no Sphinx), so
the tests exercise it with tables of cases.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import jsonschema
import yaml

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: The stream whose slots are given by a guest speaker.
GUEST = "guest"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "meetings" / "meeting.schema.json"
FILENAME_RE = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class MeetingError(ValueError):
    """A meeting file breaks a rule. The message names the file, line and field."""

    def __init__(
        self, path: str | os.PathLike[str], message: str, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.field = field
        self.reason = message  #: the message alone, without file, line and field
        where = self.path if line is None else f"{self.path}:{line}"
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{message}")


@dataclass(frozen=True)
class Meeting:
    """One meeting (or unannounced slot), as its file says."""

    path: str  #: the file, as given to :func:`parse_meeting` (for messages)
    slug: str  #: the file name without date and suffix
    start: dt.datetime  #: local start, aware, in the meeting's own zone
    duration: dt.timedelta
    stream: str
    speaker: str | None
    title: str | None  #: ``None`` while the slot is not announced
    pre_reading: tuple[str, ...]
    recording: str | None = None  #: URL of a recording marked public, else ``None``

    @property
    def date(self) -> dt.date:
        return self.start.date()

    @property
    def announced(self) -> bool:
        return self.title is not None

    @property
    def topic(self) -> str:
        """What the schedule's Topic column says."""
        if self.stream == GUEST:
            return f"Guest: {self.speaker} - {self.title}" if self.title else f"Guest: {self.speaker}"
        return self.stream

    @property
    def heading_prefix(self) -> str:
        """What goes before the title in sections 4 and 6: "21 Jan 2022 - "."""
        guest = f"Guest: {self.speaker} - " if self.stream == GUEST else ""
        return f"{format_day(self.date)} - {guest}"

    @property
    def heading(self) -> str:
        """The title as sections 4 and 6 show it: "21 Jan 2022 - TITLE"."""
        if self.title:
            return self.heading_prefix + self.title
        if self.stream == GUEST:
            return f"{format_day(self.date)} - Guest: {self.speaker}"
        return f"{format_day(self.date)} - {self.stream} (to be announced)"


# -- Reading ------------------------------------------------------------------


class _DatelessLoader(yaml.SafeLoader):
    """YAML that keeps dates as the strings they were written as.

    The schema then sees exactly what the author wrote; times such as an
    unquoted 9:00 still become integers (YAML 1.1 reads them as base 60), which
    the schema reports.
    """


_DatelessLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def split_front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[str, int], str]:
    """Return (front matter, line of each key, body) of a MyST page."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise MeetingError(path, "the file must start with '---' and YAML front matter", line=1)
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            break
    else:
        raise MeetingError(path, "the front matter has no closing '---'", line=1)
    source = "".join(lines[1:end])
    loader = _DatelessLoader(source)
    try:
        # Parse once: the node gives each key's line, the data is built from it.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise MeetingError(path, f"the front matter is not valid YAML: {problem}", line=line) from None
    finally:
        loader.dispose()
    if data is None:
        data, node = {}, None
    if not isinstance(data, dict):
        raise MeetingError(path, "the front matter must be a mapping of fields", line=2)
    key_lines = {}
    if isinstance(node, yaml.MappingNode):
        key_lines = {key.value: key.start_mark.line + 2 for key, _ in node.value}
    return data, key_lines, "".join(lines[end + 1 :])


_FENCE_RE = re.compile(r"^(`{3,}|~{3,}|:{3,})")


def find_title(body: str) -> str | None:
    """The text of the page's first level-1 heading, outside fenced blocks."""
    fence = None
    for line in body.splitlines():
        match = _FENCE_RE.match(line)
        if match:
            if fence is None:
                fence = match.group(1)
            elif line.strip() == fence or line.startswith(fence) and not line[len(fence) :].strip():
                fence = None
            continue
        if fence is None and line.startswith("# "):
            return line[2:].strip().rstrip("#").strip()
    return None


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema())


def _field_of(error: jsonschema.ValidationError) -> str | None:
    if error.path:
        return str(error.path[0])
    if error.validator == "required":
        match = re.match(r"'([^']+)' is a required property", error.message)
        return match.group(1) if match else None
    if error.validator == "additionalProperties":
        match = re.search(r"'([^']+)' was unexpected", error.message)
        return match.group(1) if match else None
    if error.validator == "not":  # the schema's "else": a speaker on a regular stream
        return "speaker"
    return None


def _explain(error: jsonschema.ValidationError, data: Mapping[str, Any]) -> str:
    field = _field_of(error)
    value = data.get(field) if field else None
    if field == "time" and isinstance(value, int) and not isinstance(value, bool):
        hours, minutes = divmod(value, 60)
        return (
            f"{value} is a number, not a time: YAML reads an unquoted {hours}:{minutes:02d} "
            f'as {value} minutes. Quote it: time: "{hours}:{minutes:02d}"'
        )
    if error.validator == "required" and field == "speaker":
        return "is missing: a guest slot names its speaker"
    if error.validator == "required":
        return f"is missing ({error.message})"
    if error.validator == "not":
        return f"only a '{GUEST}' slot has a speaker; this meeting's stream is {data.get('stream')!r}"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(load_schema()["properties"]))
        return f"is not a meeting field (the fields are: {allowed})"
    description = error.schema.get("description") if isinstance(error.schema, dict) else None
    hint = f" ({description})" if description else ""
    return f"{error.message}{hint}"


def parse_meeting(
    text: str,
    path: str,
    *,
    streams: Iterable[str],
    default_timezone: str,
    default_duration: int = 60,
) -> Meeting:
    """Read and check one meeting file's text. Raises :class:`MeetingError`."""
    name = Path(path).name
    match = FILENAME_RE.match(name)
    if not match:
        raise MeetingError(
            path,
            "a meeting file is named YYYY-MM-DD-slug.md, where the slug "
            "is lower-case letters, digits and hyphens",
        )
    data, key_lines, body = split_front_matter(text, path)

    errors = sorted(_validator().iter_errors(data), key=lambda e: key_lines.get(_field_of(e) or "", 0))
    if errors:
        error = errors[0]
        field = _field_of(error)
        raise MeetingError(path, _explain(error, data), line=key_lines.get(field or "", 2), field=field)

    def fail(field: str, message: str) -> MeetingError:
        return MeetingError(path, message, line=key_lines.get(field), field=field)

    try:
        date = dt.date.fromisoformat(data["date"])
    except ValueError:
        raise fail("date", f"{data['date']} is not a date on the calendar") from None
    if match["date"] != data["date"]:
        raise fail(
            "date",
            f"the file name says {match['date']} but the date is {data['date']}; "
            f"rename the file to {data['date']}-{match['slug']}.md",
        )
    hour, minute = (int(part) for part in data["time"].split(":"))
    zone_name = data.get("timezone", default_timezone)
    zone = get_zone(zone_name)
    if zone is None:
        raise fail("timezone", f"{zone_name!r} is not an IANA time zone (e.g. America/Vancouver)")
    start = dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone)
    if not exists_locally(start):
        raise fail(
            "time",
            f"{data['time']} does not exist on {date} in {zone_name}: the clocks "
            "skip it when daylight saving time begins",
        )
    known = list(streams)
    if data["stream"] not in known:
        raise fail(
            "stream",
            f"{data['stream']!r} is not one of the streams set in conf.py: "
            + ", ".join(repr(s) for s in known),
        )
    title = find_title(body)
    pre_reading = tuple(data.get("pre-reading", ()))
    if title is None and pre_reading:
        raise fail(
            "pre-reading",
            "the page has no '# Title' heading, so the meeting is not "
            "announced yet; give it a title to announce it with its pre-reading",
        )
    recording = data.get("recording")
    if recording is not None and recording["public"] is not True:
        raise fail(
            "recording",
            "only a recording marked 'public: true' may be linked; a "
            "recording that is not public must not be in the repository: remove it",
        )
    return Meeting(
        path=str(path),
        slug=match["slug"],
        start=start,
        duration=dt.timedelta(minutes=data.get("duration", default_duration)),
        stream=data["stream"],
        speaker=data.get("speaker"),
        title=title,
        pre_reading=pre_reading,
        recording=recording["url"] if recording else None,
    )


@cache
def get_zone(name: str) -> ZoneInfo | None:
    if name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def exists_locally(moment: dt.datetime) -> bool:
    """False for a wall-clock time skipped when clocks spring forward."""
    round_trip = moment.astimezone(dt.timezone.utc).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)


def check_collection(meetings: Iterable[Meeting], bib_keys: Iterable[str] | None = None) -> None:
    """The rules no single file can check: clashes and unknown references."""
    seen: dict[dt.datetime, Meeting] = {}
    for meeting in sorted(meetings, key=lambda m: m.path):
        clash = seen.get(meeting.start)
        if clash is not None:
            raise MeetingError(
                meeting.path,
                f"{clash.path} is booked at the same date and time "
                f"({format_day(meeting.date)}, {format_time(meeting.start)})",
                field="time",
            )
        seen[meeting.start] = meeting
    if bib_keys is not None:
        known = set(bib_keys)
        for meeting in meetings:
            for key in meeting.pre_reading:
                if key not in known:
                    raise MeetingError(
                        meeting.path, f"{key!r} is not a key in references.bib", field="pre-reading"
                    )


# -- Time -----------------------------------------------------------------------


def format_day(day: dt.date, *, weekday: bool = False) -> str:
    """ "21 Jan 2022", or "Fri 21 Jan 2022" (English, whatever the locale)."""
    text = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def format_time(moment: dt.datetime, zone: ZoneInfo | None = None) -> str:
    """ "9 AM PST", "9:15 AM PST", "6 PM CET": the zone's abbreviation on that day."""
    local = moment.astimezone(zone) if zone is not None else moment
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"


def resolve_as_of(
    configured: str | dt.date | None,
    environ: Mapping[str, str],
    edition: str | None,
    clock: dt.date,
) -> tuple[dt.date, str]:
    """The date that splits upcoming from past, and where it came from.

    In order: the config value (conf.py or ``-D meetings_as_of=``), the
    ``MEETINGS_AS_OF`` environment variable, ``SOURCE_DATE_EPOCH``, the
    edition's date, then the clock. ``"today"`` means the clock.
    """
    candidates = [
        (configured, "meetings_as_of"),
        (environ.get("MEETINGS_AS_OF") or None, "MEETINGS_AS_OF"),
    ]
    for value, source in candidates:
        if value is None or value == "":
            continue
        if isinstance(value, dt.date):
            return value, source
        if value == "today":
            return clock, f"{source}=today, the clock"
        try:
            return dt.date.fromisoformat(str(value)), source
        except ValueError:
            raise ValueError(f"{source}: {value!r} is not a date (YYYY-MM-DD or 'today')") from None
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            stamp = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH: {epoch!r} is not a number of seconds") from None
        return stamp.date(), "SOURCE_DATE_EPOCH"
    if edition:
        return dt.date.fromisoformat(edition), "the edition's date (meetings_edition)"
    return clock, "the clock"


def is_upcoming(meeting: Meeting, as_of: dt.date) -> bool:
    """A meeting on the as-of date itself is still upcoming."""
    return meeting.date >= as_of


def in_schedule(meeting: Meeting, as_of: dt.date) -> bool:
    """Section 1's table covers the as-of date's year and what comes after it.

    Earlier years are the archive (section 6 lists their announced meetings):
    a group that meets weekly for years would otherwise get a table of
    hundreds of rows, rewritten whenever one of them changes.
    """
    return meeting.date.year >= as_of.year


def split(meetings: Iterable[Meeting], as_of: dt.date) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, past) announced meetings, each in date order."""
    ordered = sorted((m for m in meetings if m.announced), key=lambda m: (m.start, m.path))
    return ([m for m in ordered if is_upcoming(m, as_of)], [m for m in ordered if not is_upcoming(m, as_of)])
