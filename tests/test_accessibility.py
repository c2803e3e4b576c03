"""Accessibility: axe-core in Chromium on each kind of page, and every page's images and headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_FILE_PATH
from bs4 import BeautifulSoup
from test_browser import PAGES

# axe-core's own file, as shipped (pinned) by axe-playwright-python; we call axe.run ourselves.
AXE = AXE_FILE_PATH.read_text(encoding="utf-8")
# What a reader is stopped by; "moderate" and "minor" findings are left to review.
BLOCKING = {"serious", "critical"}
# The search results page too: it colours the words it found.
AXE_PAGES = {**PAGES, "search results": "search.html?q=VESPER"}


def pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", AXE_PAGES.values(), ids=AXE_PAGES.keys())
def test_axe_finds_nothing_serious(open_tab, path, scheme):
    tab = open_tab(scheme)
    page = tab.open(path)
    if "search.html" in path:
        page.locator("#search-results ul.search li").first.wait_for()
    assert page.locator("html").get_attribute("data-theme") == scheme
    page.evaluate(AXE)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert results["passes"], "axe ran no rule"
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]
    assert found == []


def test_every_image_has_alt_text(book):
    missing = []
    for page in pages(book.html):
        for image in BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find_all("img"):
            if not (image.get("alt") or "").strip():
                missing.append(f"{page.relative_to(book.html)}: {image.get('src')}")
    assert missing == []


def test_headings_never_skip_a_level(book):
    skips = []
    for page in pages(book.html):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        if levels and levels[0] != 1:
            skips.append(f"{page.relative_to(book.html)}: starts at h{levels[0]}")
        for before, after in zip(levels, levels[1:], strict=False):
            if after > before + 1:
                skips.append(f"{page.relative_to(book.html)}: h{before} then h{after}")
                break
    assert skips == []
