"""The meetings extension in a tiny book: schedule, sections, calendar, errors, rebuilds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pytest
from bs4 import BeautifulSoup
from conftest import STRICT, copy_root, edited, sphinx_build

MEETINGS = "meetings"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def schedule_rows(html: Path) -> list[list[str]]:
    page = soup(html / "schedule.html")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
        for row in page.select("table.meeting-schedule tbody tr")
    ]


def listed(html: Path, page: str) -> list[str]:
    return [a.get_text(" ", strip=True) for a in soup(html / f"{page}.html").select(".meeting-list a")]


def build(src: Path, out: Path, *extra: str, env: dict[str, str] | None = None):
    return sphinx_build("-b", "html", src, out, *STRICT, *extra, env=env)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_root("meetings", tmp_path)


@pytest.mark.sphinx("html", testroot="meetings")
def test_schedule_lists_every_meeting_in_date_order(app):
    app.build()
    assert app.warning.getvalue() == ""
    rows = schedule_rows(app.outdir)
    assert rows == [
        ["Fri 21 Jan 2022", "9 AM PST", "mathy"],
        ["Fri 28 Jan 2022", "9:15 AM PST", "Guest: Ada Guest - Beta talk"],
        ["Fri 11 Mar 2022", "9 AM PST", "rotations"],
        ["Fri 18 Mar 2022", "9 AM PDT", "rotations"],
    ]
    page = soup(app.outdir / "schedule.html")
    links = [a["href"] for a in page.select("table.meeting-schedule a")]
    assert links == [
        "meetings/2022-01-21-alpha.html",
        "meetings/2022-01-28-beta.html",
        "meetings/2022-03-18-gamma.html",
    ]  # the slot has no page to link
    assert page.select_one("a.meetings-calendar")["href"] == "meetings.ics"


@pytest.mark.sphinx("html", testroot="meetings")
def test_meeting_pages_carry_dated_title_times_and_ordered_pre_reading(app):
    app.build()
    page = soup(app.outdir / "meetings" / "2022-01-21-alpha.html")
    assert page.select_one("h1").get_text(" ", strip=True).startswith("2.1. 21 Jan 2022 - Alpha paper")
    when = page.select_one("p.meeting-when").get_text(" ", strip=True)
    assert "Fri 21 Jan 2022" in when
    assert "9 AM PST (Pacific) · 12 PM EST (Eastern) · 6 PM CET (Central European)" in when
    assert page.select_one("p.meeting-when a")["href"] == "../readings.html"
    items = [li.get_text(" ", strip=True) for li in page.select("ol.pre-reading > li")]
    assert [("Roe" in items[0]), ("Doe" in items[1])] == [True, True]  # front-matter order, not .bib order
    assert page.select_one('ol.pre-reading a[href="https://arxiv.org/abs/2101.00001"]')
    assert page.select_one('ol.pre-reading a[href="https://doi.org/10.1000/first"]')
    # The page's own body follows the generated part.
    texts = [el.get_text(strip=True) for el in page.select("section > *")]
    assert texts.index("Pre-reading") < texts.index("Questions")
    guest = soup(app.outdir / "meetings" / "2022-01-28-beta.html")
    assert "28 Jan 2022 - Guest: Ada Guest - Beta talk" in guest.select_one("h1").get_text()


@pytest.mark.sphinx("html", testroot="meetings")
def test_default_as_of_is_the_edition_date(app):
    app.build()
    assert "as of 2022-01-18 (from the edition's date" in app.status.getvalue()
    assert listed(app.outdir, "upcoming") == [
        "2.1. 21 Jan 2022 - Alpha paper",
        "2.2. 28 Jan 2022 - Guest: Ada Guest - Beta talk",
        "2.3. 18 Mar 2022 - Gamma after the clocks change",
    ]
    assert "No past meetings as of 18 Jan 2022." in soup(app.outdir / "past.html").get_text()


@pytest.mark.sphinx("html", testroot="meetings", confoverrides={"meetings_as_of": "2022-01-25"})
def test_a_later_as_of_date_moves_meetings_to_the_past(app):
    app.build()
    assert listed(app.outdir, "past") == ["4.1. 21 Jan 2022 - Alpha paper"]
    assert listed(app.outdir, "upcoming")[0] == "2.1. 28 Jan 2022 - Guest: Ada Guest - Beta talk"


def test_the_environment_variable_and_source_date_epoch_set_the_as_of_date(project, tmp_path):
    result = build(project, tmp_path / "a", env={"MEETINGS_AS_OF": "2022-01-29"})
    assert result.returncode == 0, result.stderr
    assert "as of 2022-01-29 (from MEETINGS_AS_OF)" in result.stdout
    assert len(listed(tmp_path / "a", "past")) == 2
    epoch = str(int(dt.datetime(2022, 3, 1, tzinfo=dt.timezone.utc).timestamp()))
    result = build(project, tmp_path / "b", env={"SOURCE_DATE_EPOCH": epoch, "MEETINGS_AS_OF": ""})
    assert "as of 2022-03-01 (from SOURCE_DATE_EPOCH)" in result.stdout


@pytest.mark.sphinx("html", testroot="meetings")
def test_unannounced_slots_are_in_the_schedule_only(app):
    app.build()
    assert app.env.metadata["meetings/2022-03-11-slot"]["orphan"] is True
    everywhere = "".join(p.read_text() for p in app.outdir.glob("*.html"))
    assert "2022-03-11-slot" not in everywhere
    assert "11 Mar 2022" in soup(app.outdir / "schedule.html").get_text()


@pytest.mark.sphinx("html", testroot="meetings")
def test_the_calendar_has_one_stable_event_per_meeting(app):
    app.build()
    calendar = icalendar.Calendar.from_ical((app.outdir / "meetings.ics").read_bytes())
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    utc = dt.timezone.utc
    assert [e.decoded("dtstart").astimezone(utc) for e in events] == [
        dt.datetime(2022, 1, 21, 17, 0, tzinfo=utc),
        dt.datetime(2022, 1, 28, 17, 15, tzinfo=utc),
        dt.datetime(2022, 3, 11, 17, 0, tzinfo=utc),
        dt.datetime(2022, 3, 18, 16, 0, tzinfo=utc),  # PDT
    ]
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(hours=1) for e in events)
    assert str(events[0]["dtstart"].params["TZID"]) == "America/Vancouver"
    assert str(events[0]["url"]) == "https://example.org/book/meetings/2022-01-21-alpha.html"
    assert str(events[2]["url"]) == "https://example.org/book/index.html"
    assert str(events[1]["summary"]) == "Test group: Beta talk"
    assert [str(e["uid"]) for e in events] == [
        "2022-01-21-alpha@online-cryoem-study-group",
        "2022-01-28-beta@online-cryoem-study-group",
        "2022-03-11-slot@online-cryoem-study-group",
        "2022-03-18-gamma@online-cryoem-study-group",
    ]
    assert calendar.walk("VTIMEZONE")


def test_incremental_builds_follow_edits_additions_and_deletions(project, tmp_path):
    out = tmp_path / "html"
    assert build(project, out).returncode == 0
    meetings = project / MEETINGS

    # Edit: a new title and a new time.
    alpha = meetings / "2022-01-21-alpha.md"
    alpha.write_text(
        alpha.read_text().replace("# Alpha paper", "# Alpha revisited").replace('"9:00"', '"10:30"')
    )
    edited(alpha)
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert schedule_rows(out)[0] == ["Fri 21 Jan 2022", "10:30 AM PST", "mathy"]
    assert listed(out, "upcoming")[0] == "2.1. 21 Jan 2022 - Alpha revisited"
    assert "Alpha revisited" in (out / "meetings.ics").read_text()
    # The next meeting's page links back to it under its new title.
    beta = soup(out / "meetings" / "2022-01-28-beta.html")
    assert "Alpha revisited" in beta.select_one('link[rel="prev"]')["title"]

    # Add a meeting.
    new = meetings / "2022-02-04-delta.md"
    new.write_text('---\ndate: 2022-02-04\ntime: "9:00"\nstream: mathy\n---\n\n# Delta\n')
    edited(new)
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert [row[0] for row in schedule_rows(out)][2] == "Fri 4 Feb 2022"
    assert "2.3. 4 Feb 2022 - Delta" in listed(out, "upcoming")
    assert "Delta" in (out / "meetings.ics").read_text()

    # Delete one.
    (meetings / "2022-01-28-beta.md").unlink()
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert "Fri 28 Jan 2022" not in [row[0] for row in schedule_rows(out)]
    assert not any("Beta" in title for title in listed(out, "upcoming"))
    assert "Beta talk" not in (out / "meetings.ics").read_text()

    # Nothing changed: nothing is read again.
    result = build(project, out)
    assert "0 added, 0 changed, 0 removed" in result.stdout


def test_a_parallel_build_gives_the_same_pages(project, tmp_path):
    assert build(project, tmp_path / "serial").returncode == 0
    result = build(project, tmp_path / "parallel", "-j", "2")
    assert result.returncode == 0, result.stderr
    for name in [
        "schedule.html",
        "upcoming.html",
        "past.html",
        "meetings/2022-01-21-alpha.html",
        "meetings.ics",
    ]:
        serial = (tmp_path / "serial" / name).read_text()
        parallel = (tmp_path / "parallel" / name).read_text()
        assert serial == parallel, name


@pytest.mark.parametrize("strict", [True, False], ids=["-W", "without -W"])
def test_a_parallel_build_gives_a_broken_meeting_s_error_once_and_fails(project, tmp_path, strict):
    beta = project / MEETINGS / "2022-01-28-beta.md"
    beta.write_text(beta.read_text().replace('time: "9:15"', 'time: "25:00"'))
    options = STRICT if strict else []
    result = sphinx_build("-b", "html", project, tmp_path / "out", *options, "-j", "2")
    assert result.returncode != 0
    assert "meetings/2022-01-28-beta.md:3: field 'time'" in result.stderr
    # Every reading process meets it (the schedule and the sections check every file).
    assert result.stderr.count("field 'time'") == 1, result.stderr


ALPHA = "meetings/2022-01-21-alpha.md"
GOOD_FRONT = 'date: 2022-01-21\ntime: "9:00"\nstream: mathy\npre-reading: [second2021, first2020]'


@pytest.mark.parametrize(
    ("front", "name", "field", "words"),
    [
        ('time: "9:00"\nstream: mathy', ALPHA, "date", "is missing"),
        (
            'date: 2022-01-32\ntime: "9:00"\nstream: mathy',
            "meetings/2022-01-32-alpha.md",
            "date",
            "not a date on the calendar",
        ),
        (GOOD_FRONT, "meetings/2022-01-20-alpha.md", "date", "the file name says 2022-01-20"),
        ("date: 2022-01-21\ntime: 9:00\nstream: mathy", ALPHA, "time", "YAML reads an unquoted 9:00"),
        ('date: 2022-01-21\ntime: "nine"\nstream: mathy', ALPHA, "time", "does not match"),
        (
            'date: 2022-01-21\ntime: "9:00"\ntimezone: Pacific/Atlantis\nstream: mathy',
            ALPHA,
            "timezone",
            "not an IANA time zone",
        ),
        ('date: 2022-01-21\ntime: "9:00"\nstream: cookery', ALPHA, "stream", "not one of the streams"),
        ('date: 2022-01-21\ntime: "9:00"\nstream: guest', ALPHA, "speaker", "names its speaker"),
        (
            'date: 2022-01-21\ntime: "9:00"\nstream: mathy\npre-reading: [nosuchkey]',
            ALPHA,
            "pre-reading",
            "'nosuchkey' is not a key in references.bib",
        ),
        (
            'date: 2022-01-28\ntime: "9:15"\nstream: mathy',
            "meetings/2022-01-28-clash.md",
            "time",
            "booked at the same date and time",
        ),
    ],
)
def test_bad_meeting_input_fails_with_one_clear_error(project, tmp_path, front, name, field, words):
    (project / ALPHA).unlink()
    (project / name).write_text(f"---\n{front}\n---\n\n# Alpha paper\n")
    result = build(project, tmp_path / "out")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if "Meeting error" in line or ".md" in line]
    message = "\n".join(errors)
    assert name in message, result.stderr
    assert f"field '{field}'" in message, result.stderr
    assert words in message, result.stderr
    assert result.stderr.count(words) == 1, result.stderr  # one message, not one per page
    assert "Traceback" not in result.stderr and "report this error" not in result.stderr  # not a crash
    # Nothing that follows from it elsewhere (MyST may add its own word on the same file's YAML).
    assert [line for line in result.stderr.splitlines() if "WARNING" in line and name not in line] == []


def test_an_unknown_key_in_a_reading_list_names_the_page(project, tmp_path):
    readings = project / "readings.md"
    readings.write_text(readings.read_text().replace("first2020", "nobody1999"))
    result = build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "readings.md" in result.stderr and "'nobody1999' is not a key in references.bib" in result.stderr


def rebuilt(output: str, step: str) -> list[str]:
    """The pages a build's output says it read ("reading sources") or wrote ("writing output")."""
    return sorted(re.findall(rf"^{step}\.\.\. \[[ \d]+%\] (\S+)$", output, re.MULTILINE))


def test_one_changed_meeting_rebuilds_only_the_pages_that_show_it(project, tmp_path):
    out = tmp_path / "html"
    assert build(project, out).returncode == 0
    meetings = project / MEETINGS
    index_links = [a.get_text(" ", strip=True) for a in soup(out / "index.html").select("a")]
    assert any("Alpha paper" in text for text in index_links)  # the front page lists upcoming meetings

    # Edit a title: its page, the schedule and its section are read again;
    # its neighbours (previous/next links) and the section's parent are written too.
    alpha = meetings / "2022-01-21-alpha.md"
    alpha.write_text(alpha.read_text().replace("# Alpha paper", "# Alpha revisited"))
    edited(alpha)
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert rebuilt(result.stdout, "reading sources") == ["meetings/2022-01-21-alpha", "schedule", "upcoming"]
    assert rebuilt(result.stdout, "writing output") == [
        "index",
        "meetings/2022-01-21-alpha",
        "meetings/2022-01-28-beta",
        "schedule",
        "upcoming",
    ]
    assert "past" not in rebuilt(result.stdout, "writing output")

    # Delete the last meeting: the one before it loses its "next" link.
    gamma = soup(out / "meetings" / "2022-01-28-beta.html").select_one('link[rel="next"]')
    assert "gamma" in gamma["href"]
    (meetings / "2022-03-18-gamma.md").unlink()
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert rebuilt(result.stdout, "reading sources") == ["schedule", "upcoming"]
    following = soup(out / "meetings" / "2022-01-28-beta.html").select_one('link[rel="next"]')
    assert "gamma" not in following["href"]


def test_earlier_years_are_left_to_the_archive_and_do_not_touch_the_schedule(project, tmp_path):
    out = tmp_path / "html"
    meetings = project / MEETINGS
    old = meetings / "2021-12-10-old.md"
    old.write_text('---\ndate: 2021-12-10\ntime: "9:00"\nstream: mathy\n---\n\n# Last year\n')
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert [row[0] for row in schedule_rows(out)] == [
        "Fri 21 Jan 2022",
        "Fri 28 Jan 2022",
        "Fri 11 Mar 2022",
        "Fri 18 Mar 2022",
    ]
    note = soup(out / "schedule.html").select_one("p.meetings-archive")
    assert note.get_text(" ", strip=True) == "Meetings before 2022 are listed under Past ."
    assert note.select_one("a")["href"] == "past.html"
    assert listed(out, "past") == ["4.1. 10 Dec 2021 - Last year"]
    assert "Last year" in (out / "meetings.ics").read_text()  # the calendar keeps every meeting

    # An edit to last year's meeting re-reads its section, not the schedule.
    old.write_text(old.read_text().replace("# Last year", "# Last year, revised"))
    edited(old)
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert rebuilt(result.stdout, "reading sources") == ["meetings/2021-12-10-old", "past"]
    assert "schedule" not in rebuilt(result.stdout, "writing output")

    # Moved into this year (a new date is a new file name), it joins the table.
    moved = meetings / "2022-01-07-old.md"
    moved.write_text(old.read_text().replace("2021-12-10", "2022-01-07"))
    old.unlink()
    result = build(project, out)
    assert result.returncode == 0, result.stderr
    assert "schedule" in rebuilt(result.stdout, "reading sources")
    assert schedule_rows(out)[0][0] == "Fri 7 Jan 2022"
    assert soup(out / "schedule.html").select_one("p.meetings-archive") is None


def test_nothing_changed_rewrites_no_page_and_not_the_calendar(project, tmp_path):
    out = tmp_path / "html"
    assert build(project, out).returncode == 0
    calendar = out / "meetings.ics"
    before = calendar.stat().st_mtime_ns
    result = build(project, out)
    # Sphinx's own summary first, so that the empty lists below are real.
    assert "0 added, 0 changed, 0 removed" in result.stdout
    assert rebuilt(result.stdout, "reading sources") == []
    assert rebuilt(result.stdout, "writing output") == []
    assert calendar.stat().st_mtime_ns == before

    # A setting that goes into the calendar's links changes it, though no page is read.
    result = build(project, out, "-D", "html_baseurl=https://example.net/elsewhere/")
    assert result.returncode == 0, result.stderr
    assert "https://example.net/elsewhere/meetings/2022-01-21-alpha.html" in calendar.read_text()

    # And with nothing changed again, neither is made again.
    before = calendar.stat().st_mtime_ns
    result = build(project, out, "-D", "html_baseurl=https://example.net/elsewhere/")
    assert calendar.stat().st_mtime_ns == before
