"""The website in headless Chromium, as a reader gets it: served on localhost, with no other network."""

from __future__ import annotations

import io

import icalendar
import pytest
from conftest import REPO
from PIL import Image
from pypdf import PdfReader

# The front page and one page of each kind.
PAGES = {
    "index": "index.html",
    "section": "general-information.html",
    "meeting": "meetings/2022-01-21-vesper.html",
    "reading list": "readings/rotations.html",
    "notebook": "notebooks/map-alignment.html",
}
# TeX that MathJax should have turned into formulas.
RAW_TEX = ["\\(", "\\)", "\\[", "\\]", "$$", "\\begin{", "\\frac"]


def visible(page, selector: str):
    """The one element matching *selector* that a reader can see (the theme repeats some)."""
    return page.locator(selector).locator("visible=true").first


def luminance(rgb: str) -> float:
    """Relative luminance (0 black .. 1 white) of a CSS "rgb(r, g, b)" colour."""
    r, g, b = (int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def shades(image: Image.Image) -> tuple[float, float]:
    """A greyscale figure's ground (its commonest shade) and its ink (darkest 1 %), 0..1."""
    histogram = image.histogram()
    ground = max(range(256), key=histogram.__getitem__)
    total, seen, ink = sum(histogram), 0, 0
    while seen + histogram[ink] < total / 100:
        seen += histogram[ink]
        ink += 1
    return ground / 255, ink / 255


def contrast(light: float, dark: float) -> float:
    """WCAG contrast ratio of two sRGB grey levels (0..1)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (linear(light) + 0.05) / (linear(dark) + 0.05)


def test_the_network_outside_this_machine_is_blocked_and_noticed(open_tab):
    """Without this, "no outside request" below could pass by accident."""
    tab = open_tab()
    page = tab.open("index.html")
    page.evaluate("() => fetch('https://example.org/x.js').catch(() => null)")
    assert tab.outside == ["https://example.org/x.js"]


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_each_kind_of_page_loads_cleanly_with_its_math_typeset(open_tab, path):
    tab = open_tab()
    page = tab.open(path)
    assert tab.problems == []
    assert tab.outside == []
    # Every formula is typeset: each math element holds MathJax's output.
    math = page.evaluate(
        "() => [...document.querySelectorAll('.math')].map(m => m.querySelector('mjx-container') !== null)"
    )
    assert all(math), f"{math.count(False)} of {len(math)} formulas not typeset"
    if path.startswith("notebooks/"):
        assert len(math) > 10
    # And no TeX is left in the text a reader sees (code cells aside).
    text = page.evaluate(
        "() => { const a = document.querySelector('article').cloneNode(true);"
        " a.querySelectorAll('pre, code, mjx-container').forEach(e => e.remove());"
        " return a.innerText; }"
    )
    left = [tex for tex in RAW_TEX if tex in text]
    assert left == []


def test_search_finds_vesper_and_the_result_opens_the_meeting(open_tab):
    tab = open_tab()
    page = tab.open("index.html")
    visible(page, "button.search-button__button").click()
    field = visible(page, "#pst-search-dialog input[name=q]")
    field.fill("VESPER")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=VESPER*")
    result = page.locator("#search-results ul.search li a", has_text="VESPER").first
    result.wait_for()
    assert "meetings/2022-01-21-vesper.html" in result.get_attribute("href")
    result.click()
    page.wait_for_url("**/meetings/2022-01-21-vesper.html*")
    assert "VESPER" in page.locator("article h1").inner_text()
    assert tab.problems == [] and tab.outside == []


def test_the_dark_mode_switch_works_and_figures_stay_legible(open_tab):
    tab = open_tab("light")
    page = tab.open(PAGES["notebook"])
    html = page.locator("html")
    assert html.get_attribute("data-theme") == "light"
    visible(page, "button.theme-switch-button").click()
    visible(page, "button.theme-change-button[data-mode=dark]").click()
    assert html.get_attribute("data-theme") == "dark"
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert luminance(background) < 0.2, background
    # The choice survives a reload (the theme keeps it in localStorage).
    page.reload(wait_until="networkidle")
    assert html.get_attribute("data-theme") == "dark"
    # Figures are drawn dark on white: on the dark page they must keep a light
    # ground, with their lines and labels standing out from it.
    figures = page.locator(".cell_output img")
    assert figures.count() > 0
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        shot = Image.open(io.BytesIO(figure.screenshot())).convert("L")
        ground, ink = shades(shot)
        assert ground > 0.5, f"figure {index}: its ground is dark ({ground:.2f})"
        assert contrast(ground, ink) >= 7, f"figure {index}: contrast {contrast(ground, ink):.1f}:1"
    assert tab.problems == []


def test_the_pdf_link_downloads_the_syllabus(open_tab, book):
    tab = open_tab()
    page = tab.open("index.html")
    with page.expect_download() as download:
        visible(page, "a.pdf-link").click()
    data = open(download.value.path(), "rb").read()
    assert data[:5] == b"%PDF-"
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == len(PdfReader(book.pdf).pages)
    assert reader.metadata.title == "Online CryoEM Study Group"
    assert tab.problems == []


def test_the_calendar_link_serves_a_calendar_of_every_meeting(open_tab):
    tab = open_tab()
    page = tab.open("dates-and-topics.html")
    url = page.evaluate("() => document.querySelector('a.meetings-calendar').href")
    response = page.request.get(url)
    assert response.ok
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    meetings = [p for p in (REPO / "meetings").glob("*.md") if not p.name.startswith("_")]
    assert len(calendar.walk("VEVENT")) == len(meetings)
