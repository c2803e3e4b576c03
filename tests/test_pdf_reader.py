"""The PDF as a reader gets it: fonts travel with the file, every reference resolved,
nothing past the margin, and bookmarks that are the table of contents."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader


def squash(text: str) -> str:
    """Letters and digits only, lower case: PDF text loses spaces between words."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


@pytest.fixture(scope="module")
def pdf(book) -> PdfReader:
    return PdfReader(book.pdf)


def fonts(reader: PdfReader) -> dict[str, object]:
    """Every font the pages use, by name, including those inside form XObjects."""
    found: dict[str, object] = {}

    def walk(resources, seen: set[int]) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            found[str(font.get("/BaseFont"))] = font
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                seen.add(id(xobject))
                walk(xobject.get("/Resources"), seen)

    for page in reader.pages:
        walk(page.get("/Resources"), set())
    return found


def is_embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":  # its glyphs are drawn in the file itself
        return True
    if font.get("/Subtype") == "/Type0":
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def test_every_font_is_embedded(pdf):
    used = fonts(pdf)
    assert len(used) >= 5  # text, bold, italic, monospace, math
    assert [name for name, font in used.items() if not is_embedded(font)] == []


def test_the_log_has_no_undefined_reference_or_citation_and_nothing_too_wide(book):
    """No line wider than the text block anywhere (an overfull \\hbox), so none in the
    schedule or the reference lists either; no reference or citation left unresolved."""
    log = book.latex_log.read_text(encoding="utf-8", errors="replace")
    problems = re.findall(
        r"^.*(?:undefined|Overfull \\hbox|Citation .* undefined|Label\(s\) may have changed).*$",
        log,
        re.MULTILINE,
    )
    assert problems == []


def contents_entries(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, printed page) of each line of the table of contents."""
    lines: list[str] = []
    for page in reader.pages:
        text = page.extract_text()
        if ". ." not in text:  # dot leaders: the contents go on
            break
        page_lines = [line.strip() for line in text.splitlines() if line.strip()]
        if page_lines and page_lines[-1].isdigit():
            page_lines.pop()  # the page's own number
        lines += page_lines
    start = next(i for i, line in enumerate(lines) if line == "Contents") + 1
    entries: list[str] = []
    for line in lines[start:]:
        if re.match(r"^(?:[A-Z]|\d+)(?:\.\d+)*\s", line):
            entries.append(line)
        else:  # a long title goes on on the next line
            entries[-1] += " " + line
    parsed = []
    for entry in entries:
        match = re.fullmatch(r"(.*?)[\s.]*(\d+)", entry)
        assert match, entry
        parsed.append((match.group(1), int(match.group(2))))
    return parsed


def bookmarks(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, page index) of every bookmark, in order."""
    found: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.append((item.title, reader.get_destination_page_number(item)))

    walk(reader.outline)
    return found


def test_bookmarks_are_the_table_of_contents(pdf):
    contents = contents_entries(pdf)
    marks = bookmarks(pdf)
    assert len(contents) > 20
    assert [squash(title) for title, _ in marks] == [squash(title) for title, _ in contents]
    # Each bookmark opens the page the contents give (printed page 1 is the first page).
    assert [page + 1 for _, page in marks] == [page for _, page in contents]
