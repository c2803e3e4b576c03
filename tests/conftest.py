"""Shared fixtures: Sphinx's test fixtures for tiny projects, and one build of the whole book."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))
sys.path.insert(0, str(REPO / "bench"))

# Tests that edit a page and rebuild stamp it the way the benchmark does.
from run import stamp_edited as edited  # noqa: E402, F401

pytest_plugins = ("sphinx.testing.fixtures",)

# Sphinx runs with the same strictness as `make`.
STRICT = ["-W", "--keep-going", "-n"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the tiny projects (tests/roots/test-NAME)."""
    return REPO / "tests" / "roots"


def sphinx_build(
    *args: str | os.PathLike[str], env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build as `make` does, in a fresh process; never raises."""
    path = os.pathsep.join(filter(None, [str(REPO / "_ext"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *map(str, args)],
        cwd=cwd,
        # Plain text to parse: CI=true would otherwise turn Sphinx's colours on.
        env={**os.environ, "PYTHONPATH": path, "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )


def repository_files() -> list[str]:
    """Tracked files and new files not ignored by .gitignore (what pre-commit and CI see)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted(name for name in set(listed.split("\0")) if name and (REPO / name).is_file())


def copy_root(name: str, dest: Path) -> Path:
    """A private, editable copy of tests/roots/test-NAME."""
    target = dest / name
    shutil.copytree(REPO / "tests" / "roots" / f"test-{name}", target)
    return target


@dataclass
class Book:
    html: Path
    pdf: Path
    latex_log: Path


@pytest.fixture(scope="session")
def book(tmp_path_factory: pytest.TempPathFactory) -> Book:
    """The real book, built once per test session, as `make html` and `make pdf` build it."""
    out = tmp_path_factory.mktemp("book")
    html = sphinx_build("-b", "html", ".", out / "html", "-d", out / "doctrees", *STRICT)
    assert html.returncode == 0, html.stdout[-3000:] + html.stderr[-3000:]
    pdf = sphinx_build(
        "-M",
        "latexpdf",
        ".",
        out,
        "-d",
        out / "doctrees",
        *STRICT,
        env={"LATEXOPTS": "-interaction=nonstopmode -halt-on-error"},
    )
    assert pdf.returncode == 0, pdf.stdout[-3000:] + pdf.stderr[-3000:]
    name = "online-cryoem-study-group"
    shutil.copy(out / "latex" / f"{name}.pdf", out / "html" / f"{name}.pdf")
    return Book(html=out / "html", pdf=out / "latex" / f"{name}.pdf", latex_log=out / "latex" / f"{name}.log")


# -- The built site in a real browser -------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, quiet: no sandbox (tests may run as root), no GPU, and none of
# the background traffic (updates, sync, QUIC probes) that would leave the machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site with the types a web host gives the calendar and the PDF."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".ics": "text/calendar",
        ".pdf": "application/pdf",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="session")
def site(book: Book) -> Iterator[str]:
    """The book's website served on localhost; yields its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(SiteHandler, directory=str(book.html))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Headless Chromium from Debian, driven by Playwright."""
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is missing: `make chromium` (as root) or "
            "`sudo apt-get install --no-install-recommends chromium`"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    """A browser page that records everything that went wrong while it was used."""

    page: Page
    base: str
    problems: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path, wait_until="networkidle")
        # Pages with math wait until MathJax has typeset it.
        self.page.evaluate("() => window.MathJax?.startup?.promise")
        return self.page


@pytest.fixture
def open_tab(chromium: Browser, site: str) -> Iterator[Callable[..., Tab]]:
    """Open a fresh tab (own context) on the site: only 127.0.0.1 is reachable, and every
    console error, uncaught exception, failed request and error status is recorded."""
    contexts = []

    def open_tab(color_scheme: str = "light") -> Tab:
        context = chromium.new_context(color_scheme=color_scheme, accept_downloads=True)
        contexts.append(context)
        tab = Tab(context.new_page(), site)

        def only_this_machine(route: Route) -> None:
            if route.request.url.startswith(site):
                route.continue_()
            else:
                tab.outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_machine)
        page = tab.page
        page.on("console", lambda m: m.type == "error" and tab.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: tab.problems.append(f"exception: {e}"))
        page.on("requestfailed", lambda r: tab.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and tab.problems.append(f"{r.status}: {r.url}"))
        return tab

    yield open_tab
    for context in contexts:
        context.close()


# -- The sources stay as they were --------------------------------------------------------

# What builds and tests may leave in the repository, all ignored by git: the
# build output, the virtual environment, and the caches of Python and ruff.
MAY_APPEAR = ("_build/", ".venv/", ".ruff_cache/")


def source_status() -> list[str]:
    """`git status` of the repository, ignored files too, less what builds may leave."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    paths = [(line, line[3:].strip('"')) for line in status]  # git quotes unusual names
    return [line for line, path in paths if not path.startswith(MAY_APPEAR) and "__pycache__/" not in path]


@pytest.fixture(scope="session", autouse=True)
def sources_at_start() -> list[str]:
    """The repository's status before the first test (and so before any build)."""
    return source_status()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The check that no build wrote into the sources runs last, after every other build."""
    last = [item for item in items if item.module.__name__ == "test_sources_untouched"]
    items[:] = [item for item in items if item not in last] + last
