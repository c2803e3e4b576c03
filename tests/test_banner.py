"""The "next meeting" banner: its data, its script, and its placeholder on every page."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import STRICT, copy_root, edited, sphinx_build
from meetings import banner, model
from pypdf import PdfReader

STREAMS = ["mathy", "rotations", "guest"]


def meeting(name: str, front: str, title: str | None = None) -> model.Meeting:
    body = f"\n# {title}\n" if title else ""
    return model.parse_meeting(
        f"---\n{front}\n---\n{body}",
        f"meetings/{name}.md",
        streams=STREAMS,
        default_timezone="America/Vancouver",
    )


MEETINGS = [
    meeting("2022-01-21-alpha", 'date: 2022-01-21\ntime: "9:00"\nstream: mathy', "Alpha paper"),
    meeting(
        "2022-01-28-beta", 'date: 2022-01-28\ntime: "9:15"\nstream: guest\nspeaker: Ada Guest', "Beta talk"
    ),
    meeting("2022-03-11-slot", 'date: 2022-03-11\ntime: "9:00"\nstream: rotations'),
    meeting("2022-03-18-guest", 'date: 2022-03-18\ntime: "9:00"\nstream: guest\nspeaker: Bo Guest'),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2022-01-18", ("Fri 21 Jan 2022, 9 AM PST", "Alpha paper", "page:alpha")),
        # On the day itself the meeting is still the next one.
        ("2022-01-21", ("Fri 21 Jan 2022, 9 AM PST", "Alpha paper", "page:alpha")),
        ("2022-01-22", ("Fri 28 Jan 2022, 9:15 AM PST", "Guest: Ada Guest - Beta talk", "page:beta")),
        # A slot with no paper yet names its stream and links to the schedule.
        ("2022-01-29", ("Fri 11 Mar 2022, 9 AM PST", "rotations (to be announced)", "schedule")),
        # After the clocks change: PDT.
        ("2022-03-12", ("Fri 18 Mar 2022, 9 AM PDT", "Guest: Bo Guest", "schedule")),
        ("2022-03-19", None),
    ],
)
def test_the_next_meeting_on_or_after_the_as_of_date(as_of, expected):
    data = banner.next_meeting_data(
        reversed(MEETINGS),
        dt.date.fromisoformat(as_of),
        page_of=lambda m: f"page:{m.slug}",
        schedule="schedule",
    )
    if expected is None:
        assert data is None
    else:
        assert (data["when"], data["what"], data["href"]) == expected


def script_data(path: Path) -> dict[str, str] | None:
    match = re.search(r"^  const next = (.*);$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, path.read_text()
    return json.loads(match.group(1))


def test_the_script_is_the_same_for_the_same_data_and_carries_it_as_json(tmp_path):
    data = {
        "date": "2022-01-21",
        "when": "Fri 21 Jan 2022, 9 AM PST",
        "what": "Ångström — «x»",
        "href": "a.html",
    }
    first = banner.render_script(data)
    assert first == banner.render_script(dict(reversed(list(data.items()))))
    path = tmp_path / "next-meeting.js"
    path.write_text(first, encoding="utf-8")
    assert script_data(path) == data
    path.write_text(banner.render_script(None), encoding="utf-8")
    assert script_data(path) is None


def test_an_unchanged_script_is_not_rewritten(tmp_path):
    path = tmp_path / "_static" / "next-meeting.js"
    banner.write_if_changed(path, "a")
    os.utime(path, (1, 1))
    banner.write_if_changed(path, "a")
    assert path.stat().st_mtime == 1
    banner.write_if_changed(path, "b")
    assert path.read_text() == "b"


# -- In a tiny book ----------------------------------------------------------------------


# Each build gets its own copy of the tiny book (srcdir=...): sharing one
# output folder with other tests' configurations would leave stale pages.


@pytest.mark.sphinx("html", testroot="meetings", srcdir="banner-default")
def test_the_tiny_book_announces_its_first_meeting(app):
    app.build()
    assert app.warning.getvalue() == ""
    assert script_data(app.outdir / "_static" / "next-meeting.js") == {
        "date": "2022-01-21",
        "when": "Fri 21 Jan 2022, 9 AM PST",
        "what": "Alpha paper",
        "href": "meetings/2022-01-21-alpha.html",
    }


@pytest.mark.sphinx(
    "html", testroot="meetings", srcdir="banner-march", confoverrides={"meetings_as_of": "2022-03-01"}
)
def test_a_later_as_of_date_announces_the_slot_and_links_the_schedule(app):
    app.build()
    data = script_data(app.outdir / "_static" / "next-meeting.js")
    assert (data["what"], data["href"]) == ("rotations (to be announced)", "schedule.html")


@pytest.mark.sphinx(
    "html", testroot="meetings", srcdir="banner-april", confoverrides={"meetings_as_of": "2022-04-01"}
)
def test_nothing_upcoming_leaves_the_banner_empty(app):
    app.build()
    assert script_data(app.outdir / "_static" / "next-meeting.js") is None


@pytest.mark.sphinx("latex", testroot="meetings", srcdir="banner-latex")
def test_the_pdf_gets_no_script(app):
    app.build()
    assert not list(app.outdir.rglob("next-meeting.js"))


def test_editing_the_next_meeting_rewrites_the_script_not_every_page(tmp_path):
    src = copy_root("meetings", tmp_path)
    out = tmp_path / "html"
    assert sphinx_build("-b", "html", src, out, *STRICT).returncode == 0
    script = out / "_static" / "next-meeting.js"
    unrelated = out / "readings.html"
    before = {p: p.stat().st_mtime_ns for p in (script, unrelated)}

    page = src / "meetings" / "2022-01-21-alpha.md"
    page.write_text(page.read_text().replace("# Alpha paper", "# Alpha paper, revised"))
    edited(page)
    result = sphinx_build("-b", "html", src, out, *STRICT)
    assert result.returncode == 0, result.stderr
    assert script_data(script)["what"] == "Alpha paper, revised"
    assert unrelated.stat().st_mtime_ns == before[unrelated]

    # A rebuild with nothing changed leaves the script alone.
    stamp = script.stat().st_mtime_ns
    assert sphinx_build("-b", "html", src, out, *STRICT).returncode == 0
    assert script.stat().st_mtime_ns == stamp


# -- In the real book ---------------------------------------------------------------------


def test_every_page_of_the_book_has_the_hidden_banner_and_its_script(book):
    pages = sorted(p for p in book.html.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) > 20
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        aside = soup.select_one("aside#next-meeting")
        assert aside is not None, path
        assert aside.has_attr("hidden") and aside.get("aria-label") == "Next meeting", path
        assert not aside.get_text(strip=True), path  # the words live in the script only
        scripts = [s["src"] for s in soup.select("script[src]") if "next-meeting.js" in s["src"]]
        assert len(scripts) == 1, path
        assert (path.parent / scripts[0]).resolve() == (
            book.html / "_static" / "next-meeting.js"
        ).resolve(), path
        # The script's links start from the page's data-content_root: the site's root.
        assert (path.parent / soup.html["data-content_root"]).resolve() == book.html.resolve(), path


def test_the_book_announces_the_first_meeting_of_the_edition(book):
    data = script_data(book.html / "_static" / "next-meeting.js")
    assert data["when"] == "Fri 21 Jan 2022, 9 AM PST"
    assert data["what"].startswith("VESPER")
    assert (book.html / data["href"]).is_file()


def test_the_pdf_has_no_banner(book):
    text = "".join(page.extract_text() for page in PdfReader(book.pdf).pages)
    assert "Next meeting" not in text
