"""The whole book, built once: structure, references in place, links, PDF title page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import icalendar
import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO, STRICT, sphinx_build
from pybtex.database import parse_file
from pypdf import PdfReader

# The original syllabus's structure: number and title, in order.
STRUCTURE = [
    ("1", "Dates and Topics"),
    ("2", "General Information"),
    ("2.1", "Archived material"),
    ("2.2", "Audience and Streams"),
    ("2.3", "Audience"),
    ("2.4", "Pre-requisites"),
    ("2.5", "Scope"),
    ("2.5.1", "Math / Computer science"),
    ("2.5.2", "Physics"),
    ("2.6", "Meeting Format"),
    ("2.7", "Slack"),
    ("2.8", "Testimonials"),
    ("3", "Learning Resources"),
    ("4", "Upcoming Meetings"),
    ("4.1", "21 Jan 2022 - VESPER: global and local cryo-EM map alignment using local density vectors."),
    (
        "4.2",
        "28 Jan 2022 - Guest: Qinwen (Wendy) Huang - Weakly Supervised Learning for Joint Image "
        "Denoising and Protein Localization in Cryo-EM",
    ),
    ("5", "Reading list"),
    ("5.1", "Advanced treatment of rotations"),
    ("5.2", "Assorted mathy cryoem papers"),
    ("5.3", "Advanced microscopy"),
    ("6", "Past Meetings"),
]

# Pages with a Pre-reading list, and where the PDF prints them (heading that opens and closes them).
READING_PAGES = {
    "meetings/2022-01-21-vesper": ("4.1", "4.2"),
    "meetings/2022-01-28-huang-weakly-supervised-denoising": ("4.2", "5"),
    "readings/rotations": ("5.1", "5.2"),
    "readings/mathy-cryoem-papers": ("5.2", "5.3"),
    "readings/advanced-microscopy": ("5.3", "6"),
}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def squash(text: str) -> str:
    """Letters and digits only, lower case: PDF text loses spaces and hyphenates lines."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def keys_of(docname: str) -> list[str]:
    """The BibTeX keys a page lists, in its own order, read from its source."""
    text = (REPO / f"{docname}.md").read_text(encoding="utf-8")
    if docname.startswith("meetings/"):
        return yaml.safe_load(text.split("---")[1])["pre-reading"]
    block = text.split("```{pre-reading}")[1].split("```")[0]
    return block.split()


@pytest.fixture(scope="module")
def bib():
    return parse_file(REPO / "references.bib").entries


@pytest.fixture(scope="module")
def pdf(book):
    return PdfReader(book.pdf)


def outline(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_html_contents_has_the_original_structure(book):
    contents = soup(book.html / "index.html").select(".toctree-wrapper")[0]
    entries = [a.get_text(" ", strip=True) for a in contents.select("a")]
    # As the original's contents: the upcoming meetings are 4.1 and 4.2. (Past
    # meetings, which only accumulate, are listed by section 6 alone.)
    assert entries == [f"{number}. {title}" for number, title in STRUCTURE]


def test_past_meetings_are_listed_on_their_section_only(book, tmp_path):
    """With a later as-of date the meetings move to section 6, which lists them; the front page does not."""
    out = tmp_path / "later"
    built = sphinx_build(
        "-b", "html", ".", out / "html", "-d", out / "doctrees", *STRICT, "-D", "meetings_as_of=2022-02-01"
    )
    assert built.returncode == 0, built.stderr[-3000:]
    contents = [
        a.get_text(" ", strip=True) for a in soup(out / "html" / "index.html").select(".toctree-wrapper a")
    ]
    assert "6. Past Meetings" in contents
    assert not [entry for entry in contents if re.match(r"[46]\.\d", entry)]
    past = [
        a.get_text(" ", strip=True) for a in soup(out / "html" / "past-meetings.html").select("article a")
    ]
    assert any("VESPER" in entry for entry in past) and any("Huang" in entry for entry in past)


def test_html_header_and_headings_carry_section_numbers(book):
    header = [
        a.get_text(" ", strip=True)
        for a in soup(book.html / "index.html").select(".bd-header .navbar-nav a.nav-link")
    ]
    assert header[:6] == [f"{n}. {t}" for n, t in STRUCTURE if "." not in n]
    general = soup(book.html / "general-information.html")
    headings = [
        h.get_text(" ", strip=True).rstrip(" #") for h in general.select("article h1, article h2, article h3")
    ]
    assert headings == [f"{n}. {t}" for n, t in STRUCTURE if n == "2" or n.startswith("2.")]
    meeting = soup(book.html / "meetings/2022-01-21-vesper.html")
    assert (
        meeting.select_one("article h1")
        .get_text(" ", strip=True)
        .startswith(" ".join([f"{STRUCTURE[14][0]}.", STRUCTURE[14][1]]))
    )


def test_pdf_outline_and_contents_have_the_original_structure(pdf):
    titles = outline(pdf)
    syllabus = titles[: titles.index("A Coding notebooks")]
    assert syllabus == [f"{number} {title}" for number, title in STRUCTURE]
    contents = squash(pdf.pages[0].extract_text() + pdf.pages[1].extract_text())
    for number, title in STRUCTURE:
        assert squash(number + title) in contents, title


def test_pdf_title_page(pdf, book):
    first = squash(pdf.pages[0].extract_text())
    for text in [
        "Online CryoEM Study Group",
        "Geoffrey Woollard, Vancouver, Canada",
        "January 18, 2022",
        "Contents",
    ]:
        assert squash(text) in first
    assert pdf.metadata.title == "Online CryoEM Study Group"
    assert pdf.pages[0].mediabox.width == 612 and pdf.pages[0].mediabox.height == 792  # US letter


@pytest.mark.parametrize("docname", READING_PAGES)
def test_every_pre_reading_list_is_complete_and_in_order_in_html(book, bib, docname):
    items = soup(book.html / f"{docname}.html").select("ol.pre-reading > li")
    keys = keys_of(docname)
    assert len(items) == len(keys)
    for item, key in zip(items, keys, strict=True):
        entry = bib[key]
        text = squash(item.get_text(" "))
        assert squash(entry.fields["title"])[:40] in text, key
        assert squash(entry.persons["author"][0].last_names[0]) in text, key
        links = [a["href"] for a in item.select("a")]
        if "doi" in entry.fields:
            assert f"https://doi.org/{entry.fields['doi']}" in links, key
        if "eprint" in entry.fields:
            assert f"https://arxiv.org/abs/{entry.fields['eprint']}" in links, key


@pytest.mark.parametrize("docname", READING_PAGES)
def test_every_pre_reading_list_is_in_place_in_the_pdf(pdf, bib, docname):
    text = squash("".join(page.extract_text() for page in pdf.pages[:20]))
    opening, closing = READING_PAGES[docname]
    titles = dict(STRUCTURE)
    # Skip the table of contents: search from the section's second appearance.
    start = text.index(squash(opening + titles[opening]), text.index(squash("6" + titles["6"])) + 1)
    end = text.index(squash(closing + titles[closing]), start)
    section = text[start:end]
    positions = [section.find(squash(bib[key].fields["title"])[:40]) for key in keys_of(docname)]
    assert -1 not in positions, docname
    assert positions == sorted(positions), "references out of order"


def test_huang_is_cited_on_two_pages_without_a_warning(book):
    for page in ["meetings/2022-01-28-huang-weakly-supervised-denoising", "readings/mathy-cryoem-papers"]:
        assert (
            "Weakly supervised learning for joint image denoising"
            in soup(book.html / f"{page}.html").get_text()
        )


def internal_targets(page: Path) -> list[str]:
    """Every URL *page* links to or loads that is not on another site."""
    targets = []
    for tag in soup(page).select("a[href], img[src], link[href], script[src], source[src], [srcset]"):
        for attr in ("href", "src"):
            if tag.get(attr):
                targets.append(tag[attr])
        if tag.get("srcset"):  # "a.png 1x, b.png 2x"
            targets += [candidate.split()[0] for candidate in tag["srcset"].split(",") if candidate.strip()]
    return [t for t in targets if not (urlsplit(t).scheme or t.startswith("//") or t.startswith("mailto:"))]


def test_every_internal_link_anchor_image_and_download_resolves(book):
    pages = sorted(p for p in book.html.rglob("*.html") if "_static" not in p.parts)
    ids: dict[Path, set[str]] = {}
    broken = []
    reached: set[Path] = set()
    for page in pages:
        for target in internal_targets(page):
            parts = urlsplit(target)
            path = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not path.is_file():
                broken.append(f"{page.relative_to(book.html)} -> {target}")
                continue
            reached.add(path)
            if parts.fragment and path.suffix == ".html":
                if path not in ids:
                    ids[path] = {tag["id"] for tag in soup(path).select("[id]")}
                if parts.fragment not in ids[path]:
                    broken.append(f"{page.relative_to(book.html)} -> {target}")
    assert broken == []
    # The check reached every kind of file a reader opens or downloads.
    suffixes = {path.suffix for path in reached}
    assert {".html", ".png", ".css", ".js", ".pdf", ".ics", ".ipynb", ".md"} <= suffixes, suffixes


def test_every_download_is_what_it_says(book):
    """The PDF, the calendar and each notebook's two files open as what they are."""
    assert PdfReader(book.html / "online-cryoem-study-group.pdf").pages
    assert icalendar.Calendar.from_ical((book.html / "meetings.ics").read_bytes()).walk("VEVENT")
    notebooks = sorted((book.html / "_notebooks" / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
        source = path.with_suffix(".md").read_text(encoding="utf-8")
        assert source == (REPO / "notebooks" / path.with_suffix(".md").name).read_text(encoding="utf-8")


def test_each_downloaded_notebook_prints_what_its_page_shows(book):
    """Each printed line once: the .ipynb's streams are the ones on the page."""
    for path in sorted((book.html / "_notebooks" / "notebooks").glob("*.ipynb")):
        notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        printed = "".join(
            output.text
            for cell in notebook.cells
            if cell.cell_type == "code"
            for output in cell.outputs
            if output.output_type == "stream"
        )
        page = soup(book.html / "notebooks" / f"{path.stem}.html")
        shown = "".join(block.get_text() for block in page.select(".output.stream pre"))
        assert printed.split() == shown.split(), path.name
        assert [cell.id for cell in notebook.cells] == [
            f"cell-{n}" for n in range(1, len(notebook.cells) + 1)
        ]


# An external link may only be https; DOIs and arXiv ids are links of one form each.
DOI_LINK = re.compile(r"https://doi\.org/10\.\d{4,9}/\S+")
ARXIV_LINK = re.compile(r"https://arxiv\.org/abs/\d{4}\.\d{4,5}(v\d+)?")


def test_external_links_have_the_right_form(book):
    wrong = []
    for page in sorted(p for p in book.html.rglob("*.html") if "_static" not in p.parts):
        for tag in soup(page).select("[href], [src]"):
            url = tag.get("href") or tag.get("src")
            parts = urlsplit(url)
            if not parts.scheme or parts.scheme == "mailto":
                continue
            name = page.relative_to(book.html)
            if parts.scheme != "https":
                wrong.append(f"{name}: not https: {url}")
            elif "doi.org" in parts.netloc and not DOI_LINK.fullmatch(url):
                wrong.append(f"{name}: not a DOI link: {url}")
            elif "arxiv.org" in parts.netloc and not ARXIV_LINK.fullmatch(url):
                wrong.append(f"{name}: not an arXiv abstract link: {url}")
    assert wrong == []
    for line in (book.html / "meetings.ics").read_text(encoding="utf-8").splitlines():
        assert "http:" not in line


def test_here_links_go_where_the_original_pointed(book):
    repo = "https://github.com/geoffwoollard/learn_cryoem_math"
    general = {
        a.get_text(strip=True): a["href"]
        for a in soup(book.html / "general-information.html").select("article a")
    }
    assert general["here"] == f"{repo}/blob/master/cryoem-group-study-meeting/meeting.pdf"
    assert general["annotated bibliography"] == f"{repo}#resources"
    resources = [a["href"] for a in soup(book.html / "learning-resources.html").select("article ol a")]
    assert resources == [f"{repo}#resources", f"{repo}/tree/master/nb", f"{repo}/tree/master/src"]


def test_the_site_needs_nothing_from_the_network(book):
    for page in book.html.rglob("*.html"):
        if "_static" in page.parts:
            continue
        page_soup = soup(page)
        for tag in page_soup.select("script[src], link[href], img[src]"):
            url = tag.get("src") or tag.get("href")
            if tag.name == "link" and tag.get("rel") in (["canonical"],):
                continue
            assert not urlsplit(url).scheme, f"{page.name} loads {url}"
    vesper = soup(book.html / "notebooks/fourier-slice-theorem.html")
    scripts = [s["src"] for s in vesper.select("script[src]")]
    assert any(urlsplit(s).path.endswith("_static/tex-svg-full.js") for s in scripts)
    assert (book.html / "_static" / "tex-svg-full.js").stat().st_size > 1_000_000


def test_the_pdf_link_is_on_every_page_and_downloads_the_pdf(book):
    for page in ["index.html", "meetings/2022-01-21-vesper.html", "notebooks/map-alignment.html"]:
        link = soup(book.html / page).select_one("a.pdf-link")
        target = (book.html / page).parent / link["href"]
        assert target.resolve() == (book.html / "online-cryoem-study-group.pdf").resolve()
        assert target.read_bytes()[:5] == b"%PDF-"


def test_every_character_survives_into_the_pdf(pdf):
    text = "".join(page.extract_text() for page in pdf.pages[:20])
    assert "Forré" in text  # Falorsi et al.
    assert "Practitioners → computational methods developers" in text


def test_the_schedule_is_a_real_table_in_the_pdf(book):
    tex = (book.pdf.with_suffix(".tex")).read_text(encoding="utf-8")
    schedule = tex[tex.index(r"\section{Dates and Topics}") : tex.index(r"\section{General Information}")]
    assert r"\begin{longtable}" in schedule
    assert schedule.count(r"\\") >= 11  # header and ten meetings


def test_the_pdf_log_has_no_missing_characters_or_lines_past_the_margin(book):
    log = book.latex_log.read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log
    assert "Overfull \\hbox" not in log
    for unresolved in [
        "LaTeX Warning: Reference",
        "LaTeX Warning: Hyper reference",
        "LaTeX Warning: Citation",
        "There were undefined references",
    ]:
        assert unresolved not in log


def test_the_pdf_has_no_blank_pages(pdf):
    blank = [
        number
        for number, page in enumerate(pdf.pages, start=1)
        if len(page.extract_text().split()) < 3 and not page.images
    ]
    assert blank == []


def test_the_pdf_breaks_pages_where_the_original_does(pdf):
    """Sections 1, 2, 4, 5 and 6 start a page; 3 follows on from 2.8."""
    starts = {}
    for number, page in enumerate(pdf.pages[:20]):
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        if number > 1 and lines:
            starts[squash(lines[0])] = number
    for section in ["1", "2", "4", "5", "6"]:
        title = dict(STRUCTURE)[section]
        assert squash(section + title) in starts, f"section {section} does not start a page"
    assert squash("3" + dict(STRUCTURE)["3"]) not in starts
