"""Shared fixtures: Sphinx's test fixtures for tiny projects, and one build of the whole book."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "_ext"))

pytest_plugins = ("sphinx.testing.fixtures",)

# Sphinx runs with the same strictness as `make`.
STRICT = ["-W", "--keep-going", "-n"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the tiny projects (tests/roots/test-NAME)."""
    return REPO / "tests" / "roots"


def sphinx_build(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
                 cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    """Run sphinx-build as `make` does, in a fresh process; never raises."""
    path = os.pathsep.join(filter(None, [str(REPO / "_ext"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "sphinx", *map(str, args)],
        cwd=cwd, env={**os.environ, "PYTHONPATH": path, **(env or {})},
        capture_output=True, text=True, check=False,
    )


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
    pdf = sphinx_build("-M", "latexpdf", ".", out, "-d", out / "doctrees", *STRICT,
                       env={"LATEXOPTS": "-interaction=nonstopmode -halt-on-error"})
    assert pdf.returncode == 0, pdf.stdout[-3000:] + pdf.stderr[-3000:]
    name = "online-cryoem-study-group"
    shutil.copy(out / "latex" / f"{name}.pdf", out / "html" / f"{name}.pdf")
    return Book(html=out / "html", pdf=out / "latex" / f"{name}.pdf",
                latex_log=out / "latex" / f"{name}.log")
