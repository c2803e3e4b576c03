"""The coding notebooks: they run, check themselves, and show up in both outputs."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbclient
import pytest
from bs4 import BeautifulSoup
from conftest import REPO, STRICT, copy_root, edited, sphinx_build
from pypdf import PdfReader


def is_notebook(path: Path) -> bool:
    """A jupytext notebook: its front matter names a kernel."""
    text = path.read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec:" in text.split("---", 2)[1]


NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("*.md") if is_notebook(p))


def test_there_are_eight_notebooks_or_more():
    assert len(NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_runs_cleanly_and_quickly(path, tmp_path):
    """Run from scratch (no cache): no error, no failed assertion, nothing on stderr."""
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(
        notebook, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    started = time.perf_counter()
    client.execute()  # raises CellExecutionError on any error or failed assert
    elapsed = time.perf_counter() - started
    stderr = [
        out.get("text", "")
        for cell in notebook.cells
        for out in cell.get("outputs", [])
        if out.get("name") == "stderr"
    ]
    assert stderr == []
    assert elapsed < 60, f"{path.name} took {elapsed:.1f} s"
    assert sum("assert " in cell.source for cell in notebook.cells if cell.cell_type == "code") >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_page_shows_its_figures_with_alt_text(book, path):
    page = BeautifulSoup((book.html / "notebooks" / f"{path.stem}.html").read_text(), "html.parser")
    images = page.select(".cell_output img")
    assert images, f"{path.stem} has no figure"
    for image in images:
        assert image.get("alt", "").strip(), f"{path.stem}: a figure has no alt text"
        assert (book.html / "notebooks" / image["src"]).resolve().is_file()
        assert image["src"].endswith(".png")
    downloads = [a["href"] for a in page.select(".notebook-downloads a")]
    assert [Path(h).name for h in downloads] == [f"{path.stem}.ipynb", f"{path.stem}.md"]
    for href in downloads:
        assert (book.html / "notebooks" / href).resolve().is_file()


def test_the_pdf_has_the_notebooks_as_appendices_with_their_figures(book):
    reader = PdfReader(book.pdf)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[-1] == "A Coding notebooks"
    start = next(
        i for i, page in enumerate(reader.pages) if "Coding notebooks" in page.extract_text() and i > 2
    )
    figures = sum(len(page.images) for page in reader.pages[start:])
    expected = sum(
        len(
            BeautifulSoup((book.html / "notebooks" / f"{p.stem}.html").read_text(), "html.parser").select(
                ".cell_output img"
            )
        )
        for p in NOTEBOOKS
    )
    assert figures >= expected


def test_the_execution_statistics_page_lists_every_notebook(book):
    page = BeautifulSoup((book.html / "notebooks" / "execution-statistics.html").read_text(), "html.parser")
    rows = page.select("table tbody tr")
    listed = {row.find("td").get_text(strip=True) for row in rows}
    assert {f"notebooks/{p.stem}" for p in NOTEBOOKS} <= listed
    assert "❌" not in page.get_text()


@pytest.mark.parametrize(
    ("breakage", "words"),
    [
        ("assert total == 46, total", "AssertionError"),
        ("import no_such_module_anywhere", "ModuleNotFoundError"),
    ],
)
def test_a_failing_cell_fails_the_build_and_names_the_notebook(tmp_path, breakage, words):
    project = copy_root("notebook", tmp_path)
    checks = project / "checks.md"
    checks.write_text(checks.read_text().replace("assert total == 45, total", breakage))
    result = sphinx_build("-b", "html", project, tmp_path / "out", *STRICT, cwd=project)
    assert result.returncode != 0
    assert "checks.md" in result.stderr
    assert "Executing notebook failed" in result.stderr or "failed" in result.stderr.lower()
    report = next((tmp_path / "out" / "reports").rglob("*.log"))
    assert words in report.read_text()


def test_the_unbroken_notebook_root_builds(tmp_path):
    project = copy_root("notebook", tmp_path)
    result = sphinx_build("-b", "html", project, tmp_path / "out", *STRICT, cwd=project)
    assert result.returncode == 0, result.stderr


def test_a_notebook_can_be_made_to_run_again_without_editing_it(tmp_path):
    """The cache skips an unchanged notebook; tools/rerun_notebook.py makes it run once more."""
    project = copy_root("notebook", tmp_path)
    cache = tmp_path / "cache"
    options = [*STRICT, "-D", "nb_execution_mode=cache", "-D", f"nb_execution_cache_path={cache}"]

    def build():
        result = sphinx_build(
            "-b", "html", project, tmp_path / "out", "-d", tmp_path / "doctrees", *options, cwd=project
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "Executing notebook" in build()
    edited(project / "checks.md")
    assert "Using cached notebook" in build()

    said = subprocess.run(
        [sys.executable, REPO / "tools" / "rerun_notebook.py", "--cache", cache, project / "checks.md"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "cached outputs dropped" in said.stdout
    assert "Executing notebook" in build()
