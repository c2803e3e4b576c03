"""Two clean builds of one commit with one SOURCE_DATE_EPOCH give the same book, byte for byte.

Each build starts from nothing: its own output folder, its own doctrees and its
own notebook cache (conf.py reads BOOK_JUPYTER_CACHE), so every notebook runs
twice. One decision is made here, in the open: the execution-statistics page
reports when each notebook ran and how long it took. Those two columns are
clock readings and differ between any two runs; the page is compared with
exactly those two columns blanked, and every other byte of it must match.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest
from bs4 import BeautifulSoup
from conftest import STRICT, sphinx_build
from pypdf import PdfReader

# 1 March 2023, 00:00 UTC: a year after the edition, so that the copyright's
# "%Y" and the "last updated" stamp visibly come from here and not from the clock
# or from conf.py.
EPOCH = 1677628800
NAME = "online-cryoem-study-group"
STATISTICS = "notebooks/execution-statistics.html"
CLOCK_COLUMNS = {"Modified", "Run Time (s)"}


def build_book(out: Path) -> tuple[Path, Path]:
    """The HTML site and the PDF, from clean, as `make html` builds them."""
    env = {
        "SOURCE_DATE_EPOCH": str(EPOCH),
        "MEETINGS_AS_OF": "",
        "BOOK_JUPYTER_CACHE": str(out / "jupyter_cache"),
        "LATEXOPTS": "-interaction=nonstopmode -halt-on-error",
    }
    html = sphinx_build("-b", "html", ".", out / "html", "-d", out / "doctrees", *STRICT, env=env)
    assert html.returncode == 0, html.stderr[-3000:]
    pdf = sphinx_build("-M", "latexpdf", ".", out, "-d", out / "doctrees", *STRICT, env=env)
    assert pdf.returncode == 0, pdf.stdout[-3000:] + pdf.stderr[-3000:]
    return out / "html", out / "latex" / f"{NAME}.pdf"


def without_clock_columns(page: bytes) -> str:
    """The execution-statistics page with its "Modified" and "Run Time" cells emptied."""
    soup = BeautifulSoup(page.decode("utf-8"), "html.parser")
    tables = soup.select("article table")
    assert len(tables) == 1
    headers = [th.get_text(strip=True) for th in tables[0].select("thead th")]
    assert CLOCK_COLUMNS <= set(headers), headers
    blanked = [headers.index(name) for name in CLOCK_COLUMNS]
    for row in tables[0].select("tbody tr"):
        cells = row.find_all("td")
        for index in blanked:
            cells[index].string = ""
    return str(soup)


def files(root: Path) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for p in sorted(root.rglob("*")) if p.is_file()}


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page) of every bookmark."""
    found: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    return build_book(tmp_path_factory.mktemp("first")), build_book(tmp_path_factory.mktemp("second"))


def test_two_clean_builds_give_byte_identical_sites_calendars_and_pdfs(two_builds):
    (html_a, pdf_a), (html_b, pdf_b) = two_builds
    files_a, files_b = files(html_a), files(html_b)
    assert files_a.keys() == files_b.keys()
    assert len(files_a) > 100
    differ = []
    for name, path in files_a.items():
        a, b = path.read_bytes(), files_b[name].read_bytes()
        if name == STATISTICS:
            # Clock readings: see the module's docstring.
            same = without_clock_columns(a) == without_clock_columns(b)
        else:
            same = a == b
        if not same:
            differ.append(name)
    assert differ == [], f"these files differ between two builds: {differ}"

    calendar = files_a["meetings.ics"].read_bytes()
    assert calendar == files_b["meetings.ics"].read_bytes()
    stamps = {e.decoded("dtstamp") for e in icalendar.Calendar.from_ical(calendar).walk("VEVENT")}
    assert stamps == {dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc)}

    reader_a, reader_b = PdfReader(pdf_a), PdfReader(pdf_b)
    assert [p.extract_text() for p in reader_a.pages] == [p.extract_text() for p in reader_b.pages]
    assert outline(reader_a) == outline(reader_b)
    # xelatex and xdvipdfmx take the creation date and the file ID from
    # SOURCE_DATE_EPOCH (FORCE_SOURCE_DATE is not needed: conf.py sets the
    # title page's date): nothing else in the file varies.
    assert pdf_a.read_bytes() == pdf_b.read_bytes()


def test_dates_on_the_pages_and_in_the_pdf_follow_source_date_epoch(two_builds):
    (html, pdf), _ = two_builds
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    for page in pages:
        footer = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        copyright_ = footer.select_one(".copyright").get_text(" ", strip=True)
        assert "Copyright 2022-2023," in copyright_, page
        assert (
            footer.select_one(".last-updated").get_text(" ", strip=True) == "Last updated on 1 March 2023."
        ), page
    assert PdfReader(pdf).metadata.creation_date.date() == dt.date(2023, 3, 1)
