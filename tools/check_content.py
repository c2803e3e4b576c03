#!/usr/bin/env python3
"""Check the book's content without building it: meeting front matter and references.bib.

    python tools/check_content.py                 every meeting and every .bib file
    python tools/check_content.py FILE [FILE...]  only these (what pre-commit passes)

Prints one line per problem, ``file:line: field: message``, and exits with 1
if there is any. The rules are the build's own: meetings are read with
``_ext/meetings/model.py`` and the streams, zone and duration of conf.py; the
.bib files are checked with ``_ext/bibcheck.py``. A meeting is always checked
against all the others (two meetings at one time) and against the keys in
references.bib; a changed conf.py, meeting schema or .bib file re-checks every
meeting.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pybtex.errors
from pybtex.database.input.bibtex import Parser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import bibcheck  # noqa: E402 (after the path set-up)
from meetings import model  # noqa: E402
from sphinx.config import Config  # noqa: E402
from sphinx.util.tags import Tags  # noqa: E402


def read_conf(root: Path = ROOT) -> Config:
    """conf.py's values, read as Sphinx reads them (conf.py is the one place they are set)."""
    config = Config.read(root, overrides={}, tags=Tags())
    config.add("bibtex_bibfiles", [], "env", frozenset({list, tuple}))
    config.add("bibtex_encoding", "utf-8-sig", "env", frozenset({str}))
    config.add("meetings_streams", {model.GUEST: None}, "env", frozenset({dict}))
    config.add("meetings_timezone", "UTC", "env", frozenset({str}))
    config.add("meetings_duration", 60, "env", frozenset({int}))
    return config


def shown(path: Path) -> str:
    """*path* as the messages name it: relative to the working folder when inside it."""
    path = path.resolve()
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def is_meeting_file(path: Path, root: Path) -> bool:
    """meetings/*.md, except the template(s) a contributor copies (_*.md)."""
    return (
        path.resolve().parent == (root / "meetings").resolve()
        and path.suffix == ".md"
        and not path.name.startswith("_")
    )


def bib_keys(paths: list[Path], encoding: str) -> set[str]:
    keys: set[str] = set()
    for path in paths:
        with pybtex.errors.capture():  # bibcheck reports the errors
            keys |= set(Parser().parse_string(path.read_text(encoding=encoding)).entries)
    return keys


def check(files: list[Path], root: Path = ROOT) -> list[str]:
    """Every problem, one line each, for *files* (all content when empty)."""
    config = read_conf(root)
    bibfiles = [(root / name).resolve() for name in config.bibtex_bibfiles]
    every_meeting = sorted(p.resolve() for p in (root / "meetings").glob("*.md") if is_meeting_file(p, root))
    # A change to the rules (conf.py, the schema) or to the keys (a .bib
    # file) can break any meeting: check them all then.
    rules = {(root / "conf.py").resolve(), model.SCHEMA_PATH.resolve(), *bibfiles}
    if files:
        chosen = [p.resolve() for p in files]
        meeting_files = [p for p in chosen if is_meeting_file(p, root)]
        if rules & set(chosen):
            meeting_files = every_meeting
        bib_to_check = [p for p in chosen if p.suffix == ".bib"]
    else:
        meeting_files, bib_to_check = every_meeting, bibfiles

    lines: list[str] = []
    for path in bib_to_check:
        lines += [
            str(problem) for problem in bibcheck.check_bibfile(path, shown(path), config.bibtex_encoding)
        ]

    if not meeting_files:
        return lines
    meetings, broken = [], set()
    for path in sorted(set(every_meeting) | set(meeting_files)):
        try:
            meetings.append(
                model.parse_meeting(
                    path.read_text(encoding="utf-8"),
                    shown(path),
                    streams=config.meetings_streams,
                    default_timezone=config.meetings_timezone,
                    default_duration=config.meetings_duration,
                )
            )
        except model.MeetingError as exc:
            broken.add(path)
            if path in meeting_files:
                lines.append(format_meeting_error(exc))
    try:
        model.check_collection(meetings, bib_keys(bibfiles, config.bibtex_encoding))
    except model.MeetingError as exc:
        lines.append(format_meeting_error(exc))
    return lines


def format_meeting_error(exc: model.MeetingError) -> str:
    where = exc.path if exc.line is None else f"{exc.path}:{exc.line}"
    return ": ".join(part for part in (where, exc.field, exc.reason) if part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="meeting pages (meetings/*.md) and .bib files; all of them when none",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the book's folder, holding conf.py (default: this repository)",
    )
    args = parser.parse_args(argv)
    problems = check(args.files, args.root.resolve())
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
