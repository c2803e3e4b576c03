"""Add a meeting to the book: write meetings/YYYY-MM-DD-slug.md from meetings/_template.md.

    make new-meeting DATE=2022-04-01 TITLE="Paper title"
    .venv/bin/python tools/new_meeting.py --date 2022-04-01 --title "Paper title"

Without a title the file is an unannounced slot: it shows in the schedule only,
until someone adds the "# Title" heading. The time, time zone and stream are
the group's defaults from conf.py (meetings_default_time, meetings_timezone,
meetings_default_stream) unless --time, --timezone or --stream say otherwise;
--speaker makes a guest slot. The new file is checked exactly as the build
checks it (_ext/meetings/model.py) before it is written.

Nothing is written, and the exit status is 1 with one message, when the file
exists already, when another meeting is booked at the same date and time, or
when the meeting would not be valid (a bad date, an unknown stream or
reference key, ...).

The pieces (slug, render, plan) are plain functions, tested in
tests/test_contributing.py; only read_settings() runs Sphinx's conf.py reader.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from meetings import model  # noqa: E402 (after the path is set)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

MEETINGS_DIR = "meetings"
TEMPLATE = f"{MEETINGS_DIR}/_template.md"
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
PLACEHOLDER_RE = re.compile(r"\$\{([a-z_]+)\}")
#: The placeholders of the template, in order.
FIELDS = ("date", "time", "timezone", "stream", "speaker", "pre_reading", "title")
#: Words left out of file names.
STOP_WORDS = frozenset(
    "a an and are as at by for from in into is of on or the to towards using via with".split()
)


class NewMeetingError(Exception):
    """The meeting cannot be added; the message says why (and names the file)."""


@dataclass(frozen=True)
class Settings:
    """What conf.py says about meetings (see read_settings)."""

    streams: tuple[str, ...]
    timezone: str
    duration: int
    default_time: str
    default_stream: str | None
    bibfiles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Request:
    """What the contributor asked for; None means "the group's default"."""

    date: str
    title: str | None = None
    time: str | None = None
    timezone: str | None = None
    stream: str | None = None
    speaker: str | None = None
    pre_reading: tuple[str, ...] = ()
    slug: str | None = None


# -- File names ------------------------------------------------------------------


def slugify(text: str, *, max_words: int = 4, max_length: int = 40) -> str:
    """A short file-name part: "VESPER: global and local..." -> "vesper-global-local-cryo"."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"['`]", "", plain)  # "Forré's" -> "forres", not "forre-s"
    words = re.findall(r"[a-z0-9]+", plain)
    kept = [word for word in words if word not in STOP_WORDS] or words
    slug = ""
    for word in kept[:max_words]:
        longer = f"{slug}-{word}" if slug else word
        if len(longer) > max_length:
            break
        slug = longer
    return slug or (kept[0][:max_length] if kept else "")


def surname(name: str) -> str:
    """The last word of a name, leaving out a nickname in brackets."""
    words = re.sub(r"\([^)]*\)", " ", name).split()
    return words[-1] if words else name


def meeting_slug(title: str | None, stream: str, speaker: str | None) -> str:
    """The slug of a meeting's file name, as the existing files are named.

    An announced meeting is named after its title (a guest's after the guest's
    surname and the title); a slot after its stream, or its guest.
    """
    if title:
        text = f"{surname(speaker)} {title}" if stream == model.GUEST and speaker else title
    else:
        text = speaker if stream == model.GUEST and speaker else stream
    return slugify(text)


# -- The file's text --------------------------------------------------------------


def yaml_scalar(value: str) -> str:
    """*value* as YAML that reads back as the same string: plain when it can be."""
    try:
        plain = yaml.safe_load(value) == value and value == value.strip()
    except yaml.YAMLError:
        plain = False
    return value if plain and "\n" not in value else json.dumps(value, ensure_ascii=False)


def field_values(
    *,
    date: str,
    time: str,
    timezone: str,
    stream: str,
    speaker: str | None,
    pre_reading: Sequence[str],
    title: str | None,
) -> dict[str, str | None]:
    """The template's placeholders, written as YAML (None: leave the line out)."""
    return {
        "date": date,  # already checked to be YYYY-MM-DD; quoting would only add noise
        "time": json.dumps(time),  # quoted, always: YAML reads an unquoted 9:00 as a number
        "timezone": yaml_scalar(timezone),
        "stream": yaml_scalar(stream),
        "speaker": yaml_scalar(speaker) if speaker else None,
        "pre_reading": "".join(f"\n  - {yaml_scalar(key)}" for key in pre_reading) or None,
        "title": title or None,
    }


def render(template: str, values: Mapping[str, str | None], *, name: str = TEMPLATE) -> str:
    """Fill in the template.

    The template's own notes (comment lines in its front matter) are left out,
    and so is every line with a placeholder that has no value: no speaker line
    for a regular stream, no heading for a slot.
    """
    lines = template.splitlines()
    out: list[str] = []
    in_front = bool(lines) and lines[0].strip() == "---"
    for number, line in enumerate(lines, start=1):
        if in_front and number > 1 and line.strip() == "---":
            in_front = False
        elif in_front and line.lstrip().startswith("#"):
            continue
        names = PLACEHOLDER_RE.findall(line)
        unknown = [n for n in names if n not in values]
        if unknown:
            raise NewMeetingError(f"{name}:{number}: unknown placeholder ${{{unknown[0]}}}")
        if any(values[n] is None for n in names):
            continue
        filled = PLACEHOLDER_RE.sub(lambda m: values[m[1]] or "", line)
        out.extend(part.rstrip() for part in filled.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out))
    return text.strip("\n") + "\n"


# -- Planning and writing ------------------------------------------------------------


def check_date(date: str) -> dt.date:
    if not DATE_RE.fullmatch(date):
        raise NewMeetingError(f"--date {date!r}: write the date as YYYY-MM-DD, e.g. 2022-02-04")
    try:
        return dt.date.fromisoformat(date)
    except ValueError:
        raise NewMeetingError(f"--date {date}: not a date on the calendar") from None


def plan(request: Request, settings: Settings, template: str) -> tuple[str, str]:
    """(path relative to the book, text) of the meeting file *request* asks for."""
    check_date(request.date)
    title = " ".join((request.title or "").split()) or None
    stream = request.stream or (model.GUEST if request.speaker else settings.default_stream)
    if stream is None:
        raise NewMeetingError(
            "--stream: conf.py sets no meetings_default_stream; choose one of "
            + ", ".join(map(repr, settings.streams))
        )
    slug = request.slug or meeting_slug(title, stream, request.speaker)
    if not slug:
        raise NewMeetingError(
            "no file name can be made from the title; give one with --slug "
            "(lower-case letters, digits and hyphens)"
        )
    values = field_values(
        date=request.date,
        time=request.time or settings.default_time,
        timezone=request.timezone or settings.timezone,
        stream=stream,
        speaker=request.speaker,
        pre_reading=request.pre_reading,
        title=title,
    )
    return f"{MEETINGS_DIR}/{request.date}-{slug}.md", render(template, values)


def parse(text: str, path: str, settings: Settings) -> model.Meeting:
    return model.parse_meeting(
        text,
        path,
        streams=settings.streams,
        default_timezone=settings.timezone,
        default_duration=settings.duration,
    )


def existing_meetings(root: Path, settings: Settings) -> list[model.Meeting]:
    """Every meeting file already in the book, checked as the build checks it."""
    meetings = []
    for path in sorted((root / MEETINGS_DIR).glob("*.md")):
        if path.name.startswith("_"):  # the template
            continue
        shown = f"{MEETINGS_DIR}/{path.name}"
        try:
            meetings.append(parse(path.read_text(encoding="utf-8"), shown, settings))
        except model.MeetingError as exc:
            raise NewMeetingError(
                f"{exc} (fix this file first: the schedule cannot be checked while it is broken)"
            ) from None
    return meetings


def bib_keys(root: Path, bibfiles: Iterable[str]) -> set[str]:
    from pybtex.database import parse_file

    keys: set[str] = set()
    for name in bibfiles:
        keys.update(parse_file(root / name).entries.keys())
    return keys


def check_booking(meeting: model.Meeting, others: Iterable[model.Meeting]) -> None:
    """Refuse a date and time that another meeting file has taken."""
    for other in others:
        try:
            model.check_collection([other, meeting])
        except model.MeetingError:
            when = f"{model.format_day(meeting.date, weekday=True)}, {model.format_time(meeting.start)}"
            hint = " Choose another time with --time H:MM (with make: TIME=H:MM)."
            if not other.announced:
                hint = (
                    f" It is an unannounced slot: to announce it, edit {other.path} (add the "
                    f"'# Title' heading and the pre-reading).{hint}"
                )
            raise NewMeetingError(
                f"{meeting.path}: not written: {other.path} is already booked "
                f"at that date and time ({when}).{hint}"
            ) from None


def add_meeting(root: Path, request: Request, settings: Settings) -> tuple[Path, model.Meeting]:
    """Write the meeting file; return its path and the meeting read back from it."""
    template = (root / TEMPLATE).read_text(encoding="utf-8")
    name, text = plan(request, settings, template)
    path = root / name
    if path.exists():
        raise NewMeetingError(f"{name} exists already: edit it instead (nothing written)")
    try:
        meeting = parse(text, name, settings)
    except model.MeetingError as exc:
        raise NewMeetingError(f"{exc} (nothing written)") from None
    check_booking(meeting, existing_meetings(root, settings))
    if meeting.pre_reading:
        try:
            model.check_collection([meeting], bib_keys(root, settings.bibfiles))
        except model.MeetingError as exc:
            raise NewMeetingError(f"{exc}: add it there first (nothing written)") from None
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite
            file.write(text)
    except FileExistsError:
        raise NewMeetingError(f"{name} exists already: edit it instead (nothing written)") from None
    written = parse(path.read_text(encoding="utf-8"), name, settings)
    return path, written


# -- conf.py ------------------------------------------------------------------------------


def read_settings(root: Path) -> Settings:
    """The meetings settings of the book in *root*, read from its conf.py as Sphinx reads it."""
    from meetings import CONFIG_VALUES
    from sphinx.config import Config
    from sphinx.util.tags import Tags

    config = Config.read(root, overrides={}, tags=Tags())
    for name, default, rebuild, types in CONFIG_VALUES:
        config.add(name, default, rebuild, types)
    # sphinxcontrib-bibtex's setting, where pre-reading keys are looked up.
    config.add("bibtex_bibfiles", [], "env", frozenset({list}))
    return Settings(
        streams=tuple(config.meetings_streams),
        timezone=config.meetings_timezone,
        duration=config.meetings_duration,
        default_time=config.meetings_default_time,
        default_stream=config.meetings_default_stream,
        bibfiles=tuple(config.bibtex_bibfiles),
    )


# -- Command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="new_meeting.py",
        description="Add a meeting (or an unannounced slot) to the book: writes "
        "meetings/YYYY-MM-DD-slug.md from meetings/_template.md.",
        epilog="The defaults come from conf.py. See CONTRIBUTING.md.",
    )
    parser.add_argument("--date", required=True, help="the local date, YYYY-MM-DD")
    parser.add_argument("--title", help="the paper's or talk's title; without it, an unannounced slot")
    parser.add_argument(
        "--time", help="local start time, H:MM, 24-hour (default: conf.py's meetings_default_time)"
    )
    parser.add_argument("--timezone", help="IANA time zone of --time (default: conf.py's meetings_timezone)")
    parser.add_argument(
        "--stream",
        help="one of conf.py's meetings_streams (default: meetings_default_stream; 'guest' with --speaker)",
    )
    parser.add_argument("--speaker", help="the guest's name (makes a guest slot)")
    parser.add_argument(
        "--pre-reading",
        nargs="+",
        default=[],
        metavar="KEY",
        help="BibTeX keys from references.bib, in reading order (needs --title)",
    )
    parser.add_argument("--slug", help="the file name's part after the date (default: made from the title)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    request = Request(
        date=args.date,
        title=args.title,
        time=args.time,
        timezone=args.timezone,
        stream=args.stream,
        speaker=args.speaker,
        pre_reading=tuple(args.pre_reading),
        slug=args.slug,
    )
    try:
        path, meeting = add_meeting(args.root, request, read_settings(args.root))
    except NewMeetingError as exc:
        print(f"new-meeting: {exc}", file=sys.stderr)
        return 1
    shown = path.relative_to(args.root)
    when = f"{model.format_day(meeting.date, weekday=True)}, {model.format_time(meeting.start)}"
    kind = f"announced: {meeting.title}" if meeting.announced else "an unannounced slot"
    print(f"Wrote {shown} ({when}, {meeting.topic}; {kind}).")
    print("Next: edit it if you like, preview with `make livehtml`, and run `make test`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
