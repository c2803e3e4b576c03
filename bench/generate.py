"""Copies of the book with many meetings, for the benchmark (plain functions, no Sphinx).

A copy holds the book's own files (what git tracks, as they are in the work
tree) plus generated meeting files, so that it has *size* meetings in all:
weekly Fridays before the first real meeting (the past), the streams taking turns, every
seventh a guest, two in three announced with a title and pre-reading keys from
references.bib. Every generated file is valid by meetings/meeting.schema.json
and _ext/meetings/model.py (tests/test_bench.py checks that).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Top-level folders of the repository that are not part of the book.
NOT_THE_BOOK = ("tests/", "bench/", ".ci/")
MEETING_NAME_RE = re.compile(r"^meetings/(\d{4}-\d{2}-\d{2})-[a-z0-9-]+\.md$")
BIB_KEY_RE = re.compile(r"^@\w+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
STREAMS = ("mathy cryoem paper", "advanced rotations")
GUEST = "guest"


@dataclass(frozen=True)
class GeneratedMeeting:
    """One generated meeting file: where it goes and what it says."""

    path: str  #: relative to the book's root, e.g. "meetings/2022-04-01-generated-0001.md"
    text: str
    date: dt.date
    announced: bool


def book_files(tracked: list[str]) -> list[str]:
    """The files of *tracked* (paths relative to the repository) that make the book."""
    return sorted(p for p in tracked if not p.startswith(NOT_THE_BOOK))


def bib_keys(bibtex: str) -> list[str]:
    """The entry keys of a .bib file's text, in file order."""
    return BIB_KEY_RE.findall(bibtex)


def meeting_dates(paths: list[str]) -> list[dt.date]:
    """The dates of the meeting files among *paths*, in order."""
    return sorted(dt.date.fromisoformat(m[1]) for p in paths if (m := MEETING_NAME_RE.match(p)))


def next_friday(after: dt.date) -> dt.date:
    """The first Friday strictly after *after*."""
    return after + dt.timedelta(days=(4 - after.weekday()) % 7 or 7)


def meeting_text(number: int, day: dt.date, keys: list[str]) -> tuple[str, bool]:
    """The file text of generated meeting *number* on *day*, and whether it is announced."""
    guest = number % 7 == 3
    stream = GUEST if guest else STREAMS[number % 2]
    announced = number % 3 != 2
    front = [f"date: {day.isoformat()}", 'time: "9:00"', f"stream: {stream}"]
    if guest:
        front.append(f"speaker: Guest Speaker {number}")
    body = ""
    if announced:
        chosen = [keys[(number * 2 + i) % len(keys)] for i in range(1 + number % 2)]
        front.append("pre-reading:")
        front += [f"  - {key}" for key in dict.fromkeys(chosen)]
        body = (
            f"\n# Generated paper {number}: a benchmark meeting\n\n"
            "```{rubric} Questions\n```\n\n"
            f"1. What would change in paper {number} at ten times the data?\n"
        )
    else:
        body = "\n% A slot whose paper is not chosen yet.\n"
    return "---\n" + "\n".join(front) + "\n---\n" + body, announced


def generate_meetings(
    count: int, after: dt.date, keys: list[str], *, first: int = 1
) -> list[GeneratedMeeting]:
    """*count* weekly meetings on the Fridays after *after*, numbered from *first*."""
    meetings = []
    day = next_friday(after)
    for number in range(first, first + count):
        text, announced = meeting_text(number, day, keys)
        path = f"meetings/{day.isoformat()}-generated-{number:04d}.md"
        meetings.append(GeneratedMeeting(path=path, text=text, date=day, announced=announced))
        day += dt.timedelta(days=7)
    return meetings


def generate_archive(count: int, before: dt.date, keys: list[str]) -> list[GeneratedMeeting]:
    """*count* weekly meetings on the Fridays before *before*: the years a group has met."""
    first_day = before - dt.timedelta(days=(before.weekday() - 4) % 7 or 7) - dt.timedelta(weeks=count - 1)
    return generate_meetings(count, first_day - dt.timedelta(days=1), keys)


def tracked_files(repo: Path) -> list[str]:
    """What git tracks in *repo*, plus new files it does not ignore (the work tree as it is)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return [p for p in out.split("\0") if p and (repo / p).is_file()]


def make_copy(repo: Path, dest: Path, size: int) -> list[GeneratedMeeting]:
    """Copy the book from *repo* into *dest* and add meetings up to *size* in all.

    Returns the generated meetings (none when the book already has *size* or more).
    """
    if dest.exists():
        shutil.rmtree(dest)
    files = book_files(tracked_files(repo))
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, target)
    dates = meeting_dates(files)
    keys = bib_keys((repo / "references.bib").read_text(encoding="utf-8"))
    # The extra meetings are the group's past: at any date a group that has met
    # weekly for years has hundreds of past meetings and one or two announced.
    generated = generate_archive(max(0, size - len(dates)), dates[0], keys)
    for meeting in generated:
        (dest / meeting.path).write_text(meeting.text, encoding="utf-8")
    return generated


def make_floor(repo: Path, dest: Path) -> None:
    """An empty project with the book's conf.py and extensions: one index page, no meetings."""
    if dest.exists():
        shutil.rmtree(dest)
    for rel in book_files(tracked_files(repo)):
        if rel.startswith(("_ext/", "_static/", "_templates/")) or rel in (
            "conf.py",
            "references.bib",
            "meetings/meeting.schema.json",
        ):
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(repo / rel, target)
    (dest / "index.md").write_text(
        "# Floor\n\nAn empty page with the book's configuration.\n", encoding="utf-8"
    )
