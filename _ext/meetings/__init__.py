"""Meetings as data: one MyST page per meeting drives the rest of the book.

What flows where::

    meetings/YYYY-MM-DD-slug.md   front matter (date, time, zone, stream, speaker,
                                  pre-reading keys) + "# Title" heading
      -> the meeting's own page   title prefixed "21 Jan 2022 - ", its time in
                                  three zones, its Pre-reading list  (transforms)
      -> section 1's table        ``meeting-schedule`` directive: the as-of year's
                                  meetings and later ones, filled in after every
                                  page is read                       (post-transform)
      -> sections 4 and 6         ``meeting-list upcoming|past``: a toctree (hidden for past) of
                                  the announced meetings on either side of the as-of
                                  date, and a list of links to them (post-transform)
      -> _build/html/meetings.ics one event per meeting              (build-finished)
      -> _static/next-meeting.js  the "next meeting" banner of every web page,
                                  see banner.py                      (build-finished)
    references.bib
      -> every Pre-reading list   ``pre-reading`` directive and meeting pages

The meeting files are read with :mod:`meetings.model` (plain functions) the way
sphinxcontrib-bibtex reads .bib files, and what they say is kept with the
environment, so a file is parsed again only when it changes. A page that shows
meetings declares the files it shows as dependencies (the schedule: this
year's and later; a section: its own meetings), and ``env-get-outdated`` sends
a meeting that is added, or that moves, to the pages that show it now: an edit
re-reads only the pages that show the meeting, at any number of meetings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import SphinxError
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from . import banner, model
from .calendar import build_calendar
from .references import pre_reading_nodes

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

MEETINGS_DIR = "meetings"
CALENDAR_NAME = "meetings.ics"


class MeetingsError(SphinxError):
    """A meeting file, or the set of them, breaks a rule."""

    category = "Meeting error"


#: The errors reported in this build (each is logged once).
_reported: set[str] = set()
#: The process running the build; -j's reading processes are forked from it.
_main_pid: int | None = None


def report(env: BuildEnvironment, error: MeetingsError, *, reread: bool = False) -> None:
    """Log *error* once, as the writer's mistake it is, and let the build go on.

    An exception would end the build with Sphinx's crash report, which asks
    for a bug report; a broken meeting file is the writer's to fix. So the
    message (it starts with the file and line) is logged as an error, which
    fails the build under -W and sets its exit status (see
    :func:`fail_on_reported_errors`). With *reread*, the page being read is
    read again at the next build, so the error is repeated until it is fixed.
    """
    if reread and env.docname:
        env.note_reread()
    message = str(error)
    if _main_pid is not None and os.getpid() != _main_pid:
        # A reading process of a -j build: each would log the error once, so
        # it is handed to the main process, which logs it when it merges this
        # batch (merge_meetings), once for the whole build.
        pending_errors(env).append(message)
        return
    log_once(message)


def log_once(message: str) -> None:
    if message not in _reported:
        _reported.add(message)
        logger.error(message, type="meetings", subtype="input")


def pending_errors(env: BuildEnvironment) -> list[str]:
    """Errors met by a -j reading process, for the main process to log."""
    if not hasattr(env, "meetings_pending_errors"):
        env.meetings_pending_errors = []  # type: ignore[attr-defined]
    return env.meetings_pending_errors  # type: ignore[attr-defined]


# -- Nodes ---------------------------------------------------------------------


class meeting_schedule(nodes.General, nodes.Element):
    """Placeholder for section 1's table, filled in once every page is read."""


class meeting_list(nodes.General, nodes.Element):
    """Placeholder for a section's list of links to its meetings (``docnames``)."""


# -- Reading the meeting files ------------------------------------------------------


def parsed_meetings(env: BuildEnvironment) -> dict[str, tuple[tuple[Any, ...], model.Meeting]]:
    """docname -> (file stamp, meeting): the parsed files, kept with the environment."""
    if not hasattr(env, "meetings_parsed"):
        env.meetings_parsed = {}  # type: ignore[attr-defined]
    return env.meetings_parsed  # type: ignore[attr-defined]


def summary_pages(env: BuildEnvironment) -> dict[str, set[str]]:
    """docname -> what it shows: "schedule", "upcoming" and/or "past"."""
    if not hasattr(env, "meetings_summaries"):
        env.meetings_summaries = {}  # type: ignore[attr-defined]
    return env.meetings_summaries  # type: ignore[attr-defined]


def is_meeting(docname: str) -> bool:
    return docname.startswith(MEETINGS_DIR + "/")


_paths: dict[tuple[str, str], str] = {}


def meeting_path(env: BuildEnvironment, docname: str) -> str:
    """The file of *docname* (env.doc2path is slow to call for every meeting on every page)."""
    key = (str(env.srcdir), docname)
    if key not in _paths:
        _paths[key] = os.fspath(env.doc2path(docname))
    return _paths[key]


def meeting_docnames(env: BuildEnvironment) -> list[str]:
    return sorted(d for d in env.found_docs if is_meeting(d))


def load_meeting(env: BuildEnvironment, docname: str) -> model.Meeting:
    """The meeting in *docname*'s file, parsed again only when the file changes."""
    path = meeting_path(env, docname)
    config = env.config
    settings = (tuple(config.meetings_streams), config.meetings_timezone, config.meetings_duration)
    stat = os.stat(path)
    stamp = (stat.st_mtime_ns, stat.st_size, settings)
    parsed = parsed_meetings(env)
    known = parsed.get(docname)
    if known is not None and known[0] == stamp:
        return known[1]
    shown = os.path.relpath(path, env.srcdir)
    try:
        meeting = model.parse_meeting(
            Path(path).read_text(encoding="utf-8"),
            shown,
            streams=config.meetings_streams,
            default_timezone=config.meetings_timezone,
            default_duration=config.meetings_duration,
        )
    except model.MeetingError as exc:
        raise MeetingsError(str(exc)) from None
    parsed[docname] = (stamp, meeting)
    return meeting


#: The checked collection, per source folder, for the length of one build:
#: the schedule, the sections, the calendar and the banner all ask for it, and
#: at 1,000 meetings each asking costs 1,000 stat() calls and a check. Files
#: do not change during a build; forget_collection() empties it between builds.
_collections: dict[str, list[model.Meeting]] = {}


def load_meetings(env: BuildEnvironment, *, note: bool = True) -> list[model.Meeting]:
    """Every meeting, checked as a set; with *note*, the current page depends on each file."""
    docnames = meeting_docnames(env)
    meetings = _collections.get(str(env.srcdir))
    if meetings is None:
        meetings = [load_meeting(env, docname) for docname in docnames]
        try:
            model.check_collection(meetings, bib_keys(env))
        except model.MeetingError as exc:
            raise MeetingsError(str(exc)) from None
        _collections[str(env.srcdir)] = meetings
    if note:
        for docname in docnames:
            env.note_dependency(meeting_path(env, docname))
    return meetings


def bib_keys(env: BuildEnvironment) -> set[str]:
    return set(env.get_domain("cite").bibdata.data.entries)


def docname_of(meeting: model.Meeting) -> str:
    return os.path.splitext(meeting.path)[0].replace(os.sep, "/")


def as_of(config: Config) -> dt.date:
    return dt.date.fromisoformat(config.meetings_as_of)


# -- Directives -----------------------------------------------------------------


class MeetingSchedule(SphinxDirective):
    """Section 1's table: Date, Time and Topic of each meeting from the as-of year on, in date order."""

    has_content = False

    def run(self) -> list[Node]:
        try:
            meetings = load_meetings(self.env, note=False)  # check them all now
        except MeetingsError as error:
            report(self.env, error, reread=True)
            return []
        # Depend on the files the table shows; find_outdated_summaries() sends
        # this page a meeting that moves into the table's years.
        day = as_of(self.config)
        for meeting in meetings:
            if model.in_schedule(meeting, day):
                self.env.note_dependency(meeting_path(self.env, docname_of(meeting)))
        # The banner of an unannounced slot links here (purged with the page).
        self.env.metadata[self.env.docname]["meeting-schedule"] = True
        summary_pages(self.env).setdefault(self.env.docname, set()).add("schedule")
        return [self.calendar_link(), meeting_schedule()]

    def calendar_link(self) -> addnodes.only:
        """A link to meetings.ics, on the website only."""
        uri = relative_uri(self.env.docname + ".html", CALENDAR_NAME)
        text = "Subscribe to the schedule in your calendar"
        paragraph = nodes.paragraph(
            "",
            "",
            nodes.reference(text, text, refuri=uri, classes=["meetings-calendar"]),
            nodes.Text(f" ({CALENDAR_NAME}, updated with every build)."),
        )
        return addnodes.only("", paragraph, expr="html")


class MeetingList(SphinxDirective):
    """The announced meetings before (past) or from (upcoming) the as-of date.

    A toctree puts them in the book (numbers, previous/next links, the PDF).
    Upcoming meetings are few (the next one or two announced), so their
    toctree is shown, and the front page's contents list them as 4.1, 4.2, as
    the original's do. Past meetings only accumulate: their toctree is hidden,
    so the pages above this one never list every meeting, and a list of links,
    filled in when the page is written, shows them here.
    """

    required_arguments = 1
    has_content = False

    def run(self) -> list[Node]:
        which = self.arguments[0]
        if which not in {"upcoming", "past"}:
            raise self.error("meeting-list takes 'upcoming' or 'past'")
        try:
            meetings = load_meetings(self.env, note=False)
        except MeetingsError as error:
            report(self.env, error, reread=True)
            # The meetings that parse still get their place in the book, so the
            # one error is not followed by "not included in any toctree".
            meetings = list(filter(None, map(self.readable, meeting_docnames(self.env))))
        upcoming, past = model.split(meetings, as_of(self.config))
        chosen = upcoming if which == "upcoming" else past
        # This page shows these meetings: it is re-read when one of them changes
        # or goes, and find_outdated_summaries() sends it the ones that arrive.
        summary_pages(self.env).setdefault(self.env.docname, set()).add(which)
        for meeting in chosen:
            self.env.note_dependency(meeting_path(self.env, docname_of(meeting)))
        if not chosen:
            day = model.format_day(as_of(self.config))
            text = f"No {which} meetings as of {day}."
            return [nodes.paragraph(text, text, classes=["meetings-none"])]
        toctree = addnodes.toctree()
        toctree["parent"] = self.env.docname
        toctree["entries"] = [(None, docname_of(m)) for m in chosen]
        toctree["includefiles"] = [docname_of(m) for m in chosen]
        toctree["maxdepth"] = 1
        toctree["caption"] = None
        toctree["glob"] = False
        toctree["hidden"] = which == "past"
        toctree["includehidden"] = False
        toctree["numbered"] = 0
        toctree["titlesonly"] = True
        self.set_source_info(toctree)
        if not toctree["hidden"]:  # wrapped as Sphinx's toctree directive wraps its own
            return [nodes.compound("", toctree, classes=["toctree-wrapper", "meeting-list"])]
        # The PDF inlines the meetings after the toctree: the list is for the website.
        return [toctree, addnodes.only("", meeting_list(docnames=toctree["includefiles"]), expr="html")]

    def readable(self, docname: str) -> model.Meeting | None:
        try:
            return load_meeting(self.env, docname)
        except MeetingsError:
            return None


class PreReading(SphinxDirective):
    """An enumerated list of full references, in the order given (one BibTeX key a line)."""

    has_content = True

    def run(self) -> list[Node]:
        keys = [line.strip() for line in self.content if line.strip()]
        if not keys:
            raise self.error("pre-reading lists at least one BibTeX key, one a line")
        try:
            return pre_reading_nodes(self.env, keys)
        except KeyError as exc:
            raise self.error(f"{exc.args[0]!r} is not a key in references.bib") from None


# -- Transforms ----------------------------------------------------------------


class MeetingPage(SphinxTransform):
    """Give a meeting page its dated title, its times and its Pre-reading."""

    # After MyST has turned the front matter into docinfo (DocInfo is 340),
    # before the page's title is collected (doctree-read).
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        if not is_meeting(docname):
            return
        try:
            meeting = load_meeting(self.env, docname)
        except MeetingsError as error:
            report(self.env, error, reread=True)
            return
        section = next(iter(self.document.findall(nodes.section)), None)
        if section is None:  # a slot with no paper yet: the schedule's words
            section = nodes.section(ids=["meeting"], names=["meeting"])
            section += nodes.title(meeting.heading, meeting.heading)
            for child in list(self.document.children):
                if not isinstance(child, nodes.docinfo):
                    self.document.remove(child)
                    section += child
            self.document += section
        else:
            title = section[0]
            title.insert(0, nodes.Text(meeting.heading_prefix))
        details: list[Node] = [self.when(meeting)]
        if meeting.recording:
            details.append(self.recording(meeting.recording))
        if meeting.pre_reading:
            try:
                details += pre_reading_nodes(self.env, list(meeting.pre_reading))
            except KeyError as exc:
                message = (
                    f"{meeting.path}: field 'pre-reading': {exc.args[0]!r} is not a key in references.bib"
                )
                report(self.env, MeetingsError(message), reread=True)
        section[1:1] = details

    @staticmethod
    def recording(url: str) -> nodes.paragraph:
        """A link to the meeting's public recording."""
        text = "Recording of the meeting"
        return nodes.paragraph(
            "",
            "",
            nodes.reference(text, text, refuri=url),
            nodes.Text(" (public)."),
            classes=["meeting-recording"],
        )

    def when(self, meeting: model.Meeting) -> nodes.paragraph:
        """One line: the date, the time in each display zone, the stream or guest."""
        parts = [model.format_day(meeting.date, weekday=True)]
        for label, zone_name in self.config.meetings_display_zones:
            zone = model.get_zone(zone_name)
            local = meeting.start.astimezone(zone)
            text = f"{model.format_time(meeting.start, zone)} ({label})"
            if local.date() != meeting.date:
                text += f" on {model.format_day(local.date(), weekday=True)}"
            parts.append(text)
        line = nodes.paragraph("", " · ".join(parts) + ". ", classes=["meeting-when"])
        if meeting.stream == model.GUEST:
            line += nodes.Text(f"Guest: {meeting.speaker}.")
            return line
        line += nodes.Text("Stream: ")
        reading_list = self.config.meetings_streams.get(meeting.stream)
        if reading_list:
            line += addnodes.pending_xref(
                "",
                nodes.inline(meeting.stream, meeting.stream),
                refdomain="std",
                reftype="doc",
                reftarget="/" + reading_list,
                refexplicit=True,
                refwarn=True,
            )
        else:
            line += nodes.Text(meeting.stream)
        line += nodes.Text(".")
        return line


class FillSchedule(SphinxPostTransform):
    """Replace each ``meeting_schedule`` placeholder with the table."""

    # Before references are resolved (10), so the links made here resolve
    # through Sphinx, in HTML and LaTeX alike.
    default_priority = 5

    def run(self, **kwargs: Any) -> None:
        placeholders = list(self.document.findall(meeting_schedule))
        if not placeholders:
            return
        try:
            meetings = sorted(load_meetings(self.env, note=False), key=lambda m: (m.start, m.path))
        except MeetingsError as error:  # reported, with the page that reads it
            report(self.env, error)
            meetings = []
        day = as_of(self.config)
        shown = [m for m in meetings if model.in_schedule(m, day)]
        earlier = len(meetings) - len(shown)
        for placeholder in placeholders:
            placeholder.replace_self([self.table(shown), *self.archive_note(earlier, day)])

    def archive_note(self, earlier: int, day: dt.date) -> list[Node]:
        """Where the meetings before the table's first year are, if there are any."""
        past = sorted(page for page, shows in summary_pages(self.env).items() if "past" in shows)
        if not earlier or not past:
            return []
        title = self.env.titles[past[0]].astext()
        link = addnodes.pending_xref(
            "",
            nodes.inline(title, title),
            refdomain="std",
            reftype="doc",
            reftarget="/" + past[0],
            refexplicit=True,
            refwarn=True,
            refdoc=self.env.docname,
        )
        return [
            nodes.paragraph(
                "",
                "",
                nodes.Text(f"Meetings before {day.year} are listed under "),
                link,
                nodes.Text("."),
                classes=["meetings-archive"],
            )
        ]

    def table(self, meetings: list[model.Meeting]) -> nodes.table:
        table = nodes.table(classes=["meeting-schedule", "longtable"])
        group = nodes.tgroup(cols=3)
        table += group
        for width in (20, 16, 64):
            group += nodes.colspec(colwidth=width)
        table["classes"].append("colwidths-given")
        head = nodes.thead()
        group += head
        head += self.row([nodes.Text("Date")], [nodes.Text("Time")], [nodes.Text("Topic")])
        body = nodes.tbody()
        group += body
        for meeting in meetings:
            topic: Node = nodes.Text(meeting.topic)
            if meeting.announced:
                topic = addnodes.pending_xref(
                    "",
                    nodes.inline(meeting.topic, meeting.topic),
                    refdomain="std",
                    reftype="doc",
                    reftarget="/" + docname_of(meeting),
                    refexplicit=True,
                    refwarn=True,
                    refdoc=self.env.docname,
                )
            body += self.row(
                [nodes.Text(model.format_day(meeting.date, weekday=True))],
                [nodes.Text(model.format_time(meeting.start))],
                [topic],
            )
        return table

    @staticmethod
    def row(*cells: list[Node]) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            row += nodes.entry("", nodes.paragraph("", "", *cell))
        return row


class FillMeetingLists(SphinxPostTransform):
    """Replace each ``meeting_list`` with links to its meetings, numbered as in the book."""

    formats = ("html",)
    default_priority = 5  # before references are resolved, like FillSchedule

    def run(self, **kwargs: Any) -> None:
        for placeholder in list(self.document.findall(meeting_list)):
            items = nodes.bullet_list()
            for docname in placeholder["docnames"]:
                number = self.env.toc_secnumbers.get(docname, {}).get("")
                prefix = ".".join(map(str, number)) + self.config.html_secnumber_suffix if number else ""
                text = prefix + self.env.titles[docname].astext()
                link = addnodes.pending_xref(
                    "",
                    nodes.inline(text, text),
                    refdomain="std",
                    reftype="doc",
                    reftarget="/" + docname,
                    refexplicit=True,
                    refwarn=True,
                    refdoc=self.env.docname,
                )
                items += nodes.list_item("", nodes.paragraph("", "", link))
            placeholder.replace_self(nodes.compound("", items, classes=["toctree-wrapper", "meeting-list"]))


# -- Event handlers ------------------------------------------------------------------


def forget_reported_errors(app: Sphinx) -> None:
    """Start each build with no error reported (tests build several books in one process)."""
    global _main_pid  # noqa: PLW0603
    _main_pid = os.getpid()
    _reported.clear()
    pending_errors(app.env).clear()


def forget_collection(*args: Any) -> None:
    """Read the meeting files afresh in the next build (see ``_collections``)."""
    _collections.clear()


def fail_on_reported_errors(app: Sphinx, exception: Exception | None) -> None:
    """A build that reported a meeting error exits non-zero, with or without -W."""
    if _reported:
        app.statuscode = 1


def resolve_as_of_date(app: Sphinx, config: Config) -> None:
    """Settle the as-of date once, so that a change to it re-reads the book."""
    try:
        day, source = model.resolve_as_of(
            config.meetings_as_of, os.environ, config.meetings_edition, dt.date.today()
        )
    except ValueError as exc:
        raise MeetingsError(str(exc)) from None
    config.meetings_as_of = day.isoformat()
    logger.info("meetings: upcoming and past are split as of %s (from %s)", day.isoformat(), source)


def check_new_meeting_defaults(app: Sphinx, config: Config) -> None:
    """The defaults a new meeting gets must make a valid meeting."""
    time = config.meetings_default_time
    if not re.fullmatch(model.load_schema()["properties"]["time"]["pattern"], time):
        raise MeetingsError(
            f'conf.py: meetings_default_time: {time!r} is not a time (H:MM, 24-hour, e.g. "9:00")'
        )
    stream = config.meetings_default_stream
    if stream is not None and stream not in config.meetings_streams:
        raise MeetingsError(
            f"conf.py: meetings_default_stream: {stream!r} is not one of "
            "meetings_streams: " + ", ".join(map(repr, config.meetings_streams))
        )


def mark_unannounced_orphans(app: Sphinx, doctree: nodes.document) -> None:
    """A slot with no paper yet is in no toctree and is not searched."""
    docname = app.env.docname
    if not is_meeting(docname):
        return
    try:
        announced = load_meeting(app.env, docname).announced
    except MeetingsError:  # reported by MeetingPage
        announced = False
    if not announced:
        app.env.metadata[docname]["orphan"] = True
        app.env.metadata[docname]["nosearch"] = True


def purge_meetings(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    parsed_meetings(env).pop(docname, None)
    summary_pages(env).pop(docname, None)


def merge_meetings(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    for message in pending_errors(other):
        log_once(message)
    for docname in docnames:
        if docname in parsed_meetings(other):
            parsed_meetings(env)[docname] = parsed_meetings(other)[docname]
        if docname in summary_pages(other):
            summary_pages(env)[docname] = summary_pages(other)[docname]


def find_outdated_summaries(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Re-read the pages that must now show a meeting that was added or changed.

    The pages that showed a changed or deleted meeting depend on its file, so
    Sphinx re-reads them itself. Here: the schedule when a meeting comes or
    goes, and the section whose side of the as-of date an added or edited
    meeting is on now. Also remember the neighbours of deleted meetings, whose
    previous/next links must change (see :func:`rewrite_neighbours`).
    """
    gone = {d for d in removed if is_meeting(d)}
    arrived = {d for d in added if is_meeting(d)}
    touched = arrived | {d for d in changed if is_meeting(d)}
    relations = env.collect_relations() if gone else {}
    app._meetings_gone_neighbours = {  # type: ignore[attr-defined]
        n for d in gone if d in relations for n in relations[d][1:] if n
    }
    # Summary pages that are not being read anyway (none on a first build,
    # which then parses no meeting here).
    pages = {page: shows for page, shows in summary_pages(env).items() if page not in added | changed}
    if not pages or (not gone and not touched):
        return []
    wanted = {"schedule"} if gone or arrived else set()
    day = as_of(env.config)
    for docname in touched:
        try:
            meeting = load_meeting(env, docname)
        except MeetingsError:
            continue  # reading the page itself reports it
        if model.in_schedule(meeting, day):
            wanted.add("schedule")
        if meeting.announced:
            wanted.add("upcoming" if model.is_upcoming(meeting, day) else "past")
    return sorted(page for page, shows in pages.items() if shows & wanted)


def note_meetings_to_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Remember which meetings this build reads (for :func:`rewrite_neighbours`)."""
    app._meetings_read = {d for d in docnames if is_meeting(d)}  # type: ignore[attr-defined]


def rewrite_neighbours(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """A meeting's previous and next pages show its title in their links: rewrite them.

    Its section page and the schedule are re-read anyway (they depend on every
    meeting file); meeting pages list no siblings (conf.py's html_sidebars), so
    nothing else shows the title.
    """
    read = getattr(app, "_meetings_read", set())
    gone = getattr(app, "_meetings_gone_neighbours", set())
    if not read and not gone:
        return []
    relations = env.collect_relations()
    neighbours = {n for d in read if d in relations for n in relations[d][1:] if n}
    return sorted((neighbours | gone) & env.found_docs)


def made_from(app: Sphinx) -> str | None:
    """A stamp of what the calendar and the banner are made from, cheap to take.

    The meeting files' stamps as last parsed (kept with the environment: no
    file is opened) and the settings that go into dates and links. When it is
    what it was after the last build, both are as they were, and a rebuild
    with no meeting changed skips re-making them. None when a meeting has not
    been parsed yet.
    """
    env = app.env
    parsed = parsed_meetings(env)
    stamps = []
    for docname in meeting_docnames(env):
        if docname not in parsed:
            return None
        stamps.append((docname, parsed[docname][0]))
    config = app.config
    settings = (
        app.builder.name,
        app.builder.get_target_uri(config.root_doc),
        schedule_docname(env),
        config.project,
        config.html_baseurl,
        config.meetings_uid_domain,
        config.meetings_as_of,
        os.environ.get("SOURCE_DATE_EPOCH"),
    )
    return hashlib.sha256(repr((settings, stamps)).encode()).hexdigest()


def write_calendar(app: Sphinx, exception: Exception | None) -> None:
    """Write meetings.ics beside the HTML pages, unless it would say what it says.

    The last calendar's fingerprint and serialised events, kept beside the
    doctrees, let a rebuild with no meeting changed skip it, and one with a
    meeting changed serialise that meeting's event only (serialising 1,000
    events with icalendar takes about a second).
    """
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    target = app.outdir / CALENDAR_NAME
    # The last calendar's fingerprints and serialised events, beside the doctrees.
    memo_path = Path(app.doctreedir, CALENDAR_NAME + ".pickle")
    memo: dict[str, Any] = {"fingerprint": None, "events": {}}
    try:
        with memo_path.open("rb") as f:
            memo = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    quick = made_from(app)
    if quick is not None and memo.get("made_from") == quick and target.is_file():
        return
    baseurl = app.config.html_baseurl.rstrip("/") + "/"
    try:
        meetings = load_meetings(env, note=False)
    except MeetingsError as error:  # no calendar from broken meetings
        report(env, error)
        return

    def url_of(meeting: model.Meeting) -> str:
        # A slot with no paper yet has no page of its own: the book's front page.
        target = docname_of(meeting) if meeting.announced else app.config.root_doc
        return baseurl + app.builder.get_target_uri(target)

    def uid_of(meeting: model.Meeting) -> str:
        return f"{docname_of(meeting).removeprefix(MEETINGS_DIR + '/')}@{app.config.meetings_uid_domain}"

    stamp = dt.datetime.combine(as_of(app.config), dt.time(), dt.timezone.utc)
    if "SOURCE_DATE_EPOCH" in os.environ:
        stamp = dt.datetime.fromtimestamp(int(os.environ["SOURCE_DATE_EPOCH"]), dt.timezone.utc)
    inputs = repr((app.config.project, stamp, [(m, url_of(m), uid_of(m)) for m in meetings]))
    fingerprint = hashlib.sha256(inputs.encode()).hexdigest()
    if not (target.is_file() and memo["fingerprint"] == fingerprint):
        data = build_calendar(
            meetings,
            name=app.config.project,
            url_of=url_of,
            uid_of=uid_of,
            stamp=stamp,
            known_events=memo["events"],
        )
        target.write_bytes(data)
        memo["fingerprint"] = fingerprint
    memo["made_from"] = quick
    with memo_path.open("wb") as f:
        pickle.dump(memo, f, pickle.HIGHEST_PROTOCOL)


def schedule_docname(env: BuildEnvironment) -> str:
    """The page with the schedule table (the front page when there is none)."""
    pages = sorted(d for d, meta in env.metadata.items() if meta.get("meeting-schedule"))
    return pages[0] if pages else env.config.root_doc


def write_banner_script(app: Sphinx, exception: Exception | None) -> None:
    """Write _static/next-meeting.js, the banner's content, beside the HTML pages."""
    if exception is not None or app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    script = app.outdir / "_static" / banner.SCRIPT_NAME
    stamp_path = Path(app.doctreedir, banner.SCRIPT_NAME + ".made-from")
    quick = made_from(app)
    if quick is not None and script.is_file() and stamp_path.is_file() and stamp_path.read_text() == quick:
        return
    uri = app.builder.get_target_uri
    try:
        meetings = load_meetings(app.env, note=False)
    except MeetingsError as error:
        report(app.env, error)
        return
    data = banner.next_meeting_data(
        meetings,
        as_of(app.config),
        page_of=lambda meeting: uri(docname_of(meeting)),
        schedule=uri(schedule_docname(app.env)),
    )
    banner.write_if_changed(script, banner.render_script(data))
    if quick is not None:
        stamp_path.write_text(quick)


# -- Setup -----------------------------------------------------------------------------


#: The extension's config values: (name, default, rebuild, types). setup()
#: registers them; tools/new_meeting.py reads conf.py with the same table.
CONFIG_VALUES: tuple[tuple[str, Any, str, frozenset[type]], ...] = (
    ("meetings_streams", {"guest": None}, "env", frozenset({dict})),
    ("meetings_timezone", "UTC", "env", frozenset({str})),
    ("meetings_duration", 60, "env", frozenset({int})),
    ("meetings_display_zones", [], "env", frozenset({list, tuple})),
    ("meetings_as_of", None, "env", frozenset({str, type(None)})),
    ("meetings_edition", None, "env", frozenset({str, type(None)})),
    ("meetings_uid_domain", "online-cryoem-study-group", "html", frozenset({str})),
    # What a new meeting gets when `make new-meeting` is not told otherwise
    # (the zone is meetings_timezone); None: the contributor must say.
    ("meetings_default_time", "9:00", "", frozenset({str})),
    ("meetings_default_stream", None, "", frozenset({str, type(None)})),
)


def setup(app: Sphinx) -> ExtensionMetadata:
    for name, default, rebuild, types in CONFIG_VALUES:
        app.add_config_value(name, default, rebuild, types=types)

    app.add_node(meeting_schedule)
    app.add_node(meeting_list)
    app.add_directive("meeting-schedule", MeetingSchedule)
    app.add_directive("meeting-list", MeetingList)
    app.add_directive("pre-reading", PreReading)
    app.add_transform(MeetingPage)
    app.add_post_transform(FillSchedule)
    app.add_post_transform(FillMeetingLists)

    app.connect("config-inited", resolve_as_of_date)
    app.connect("config-inited", check_new_meeting_defaults)
    app.connect("doctree-read", mark_unannounced_orphans, priority=600)
    app.connect("env-purge-doc", purge_meetings)
    app.connect("env-merge-info", merge_meetings)
    app.connect("env-get-outdated", find_outdated_summaries)
    app.connect("env-before-read-docs", forget_collection, priority=100)
    app.connect("env-before-read-docs", note_meetings_to_read)
    app.connect("env-get-updated", rewrite_neighbours)
    app.connect("build-finished", write_calendar)
    app.connect("build-finished", write_banner_script)
    app.connect("builder-inited", forget_reported_errors)
    app.connect("builder-inited", forget_collection)
    app.connect("build-finished", forget_collection, priority=950)
    app.connect("build-finished", fail_on_reported_errors, priority=900)
    return {
        "version": "1.0",
        # 3: the schedule page is marked in its metadata (the banner); parsed
        # meetings and the pages that summarise them are kept on the environment.
        "env_version": 3,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
