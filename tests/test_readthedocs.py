"""Publishing on Read the Docs: .readthedocs.yaml builds what the Makefile builds; Edit on GitHub."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO

CONFIG = yaml.safe_load((REPO / ".readthedocs.yaml").read_text(encoding="utf-8"))
# Stand-ins for the variables Read the Docs sets in its build jobs.
RTD_ENV = {"$READTHEDOCS_VIRTUALENV_PATH": "/rtd/venv", "$READTHEDOCS_OUTPUT": "/rtd/output"}


def make_variable(name: str) -> str:
    """A variable of the Makefile, as make itself expands it."""
    result = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "--eval",
            f"show-variable: ; @echo $({name})",
            "show-variable",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def dry_run(*args: str) -> list[str]:
    """The commands `make ARGS` would run (make -n runs none of them)."""
    result = subprocess.run(["make", "-n", *args], cwd=REPO, capture_output=True, text=True, check=True)
    return [line.strip() for line in result.stdout.splitlines()]


def builds(lines: list[str]) -> list[str]:
    return [line for line in lines if "sphinx-build" in line]


def job(name: str) -> list[list[str]]:
    """The commands of one of the config's build jobs, split as the shell splits them."""
    commands = []
    for command in CONFIG["build"]["jobs"]["build"][name]:
        for variable, value in RTD_ENV.items():
            command = command.replace(variable, value)
        commands.append(shlex.split(command))
    return commands


def conf() -> dict:
    from sphinx.config import eval_config_file
    from sphinx.util.tags import Tags

    return eval_config_file(REPO / "conf.py", Tags())


def test_the_config_has_what_read_the_docs_requires():
    assert CONFIG["version"] == 2
    assert CONFIG["build"]["os"].startswith("ubuntu-")
    assert CONFIG["build"]["tools"]["python"] == "3.11"
    assert CONFIG["python"]["install"] == [{"requirements": "requirements.txt"}]
    assert (REPO / CONFIG["sphinx"]["configuration"]).resolve() == REPO / "conf.py"
    assert "pdf" in CONFIG["formats"]
    assert set(CONFIG["build"]["jobs"]["build"]) == {"html", "pdf"}


def test_the_apt_packages_are_the_makefiles_tex_packages():
    assert CONFIG["build"]["apt_packages"] == make_variable("TEX_PACKAGES").split()


def test_every_apt_package_is_a_debian_package():
    if shutil.which("apt-cache") is None:
        pytest.fail(
            "apt-cache is missing: this test checks the package names against Debian's "
            "package lists and must run on Debian or Ubuntu"
        )

    def known(package: str) -> bool:
        result = subprocess.run(
            ["apt-cache", "show", "--no-all-versions", package], capture_output=True, text=True, check=False
        )
        return result.returncode == 0 and f"Package: {package}\n" in result.stdout

    assert not known("texlive-no-such-package")  # the check can tell
    unknown = [package for package in CONFIG["build"]["apt_packages"] if not known(package)]
    assert unknown == []


@pytest.mark.parametrize(
    ("name", "target", "builders"),
    [
        ("html", "html", ["-M latexpdf", "-b html"]),
        ("pdf", "pdf", ["-M latexpdf"]),
    ],
)
def test_read_the_docs_runs_the_makefiles_builds(name, target, builders):
    commands = job(name)
    makes = [command for command in commands if command[0] == "make"]
    assert [command[1] for command in makes] == [target]
    assert makes[0][2:] == [f"VENV={RTD_ENV['$READTHEDOCS_VIRTUALENV_PATH']}"]
    assert not [c for c in commands if "sphinx-build" in c[0] or c[:3] == ["python", "-m", "sphinx"]]
    on_rtd = builds(dry_run(*makes[0][1:]))
    here = builds(dry_run(target))
    assert on_rtd == [line.replace(".venv/bin/", "/rtd/venv/bin/", 1) for line in here]
    assert [next(b for b in builders if b in line) for line in on_rtd] == builders
    assert all(line.endswith("-W --keep-going -n") for line in on_rtd)


def test_read_the_docs_publishes_the_site_with_its_pdf_and_offers_the_pdf():
    builddir, pdf = make_variable("BUILDDIR"), make_variable("PDFNAME")
    # `make html` puts the PDF into the site, where the header's PDF button points ...
    assert f"cp {builddir}/latex/{pdf} {builddir}/html/{pdf}" in dry_run("html")
    assert conf()["html_context"]["pdf_name"] == pdf
    # ... and the HTML job publishes that site, the PDF job the PDF as the download.
    assert ["cp", "--recursive", f"{builddir}/html/.", "/rtd/output/html/"] in job("html")
    assert ["cp", f"{builddir}/latex/{pdf}", "/rtd/output/pdf/"] in job("pdf")


# -- Edit on GitHub ------------------------------------------------------------------------


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def edit_prefix() -> str:
    namespace = conf()
    return f"{namespace['GITHUB_URL']}/edit/{namespace['GITHUB_BRANCH']}/"


def test_the_repository_is_stated_once_in_conf_py():
    namespace = conf()
    assert namespace["GITHUB_URL"] == "https://github.com/online-cryoem-study-group/book"
    assert namespace["GITHUB_BRANCH"] == "main"
    text = "".join(
        path.read_text(encoding="utf-8")
        for path in [REPO / "conf.py", *REPO.glob("_ext/**/*.py"), *REPO.glob("_templates/*.html")]
    )
    assert text.count("online-cryoem-study-group/book") == 1


@pytest.mark.parametrize(
    ("page", "source"),
    [
        ("index.html", "index.md"),
        ("meetings/2022-01-21-vesper.html", "meetings/2022-01-21-vesper.md"),
        ("meetings/2022-02-04-advanced-rotations.html", "meetings/2022-02-04-advanced-rotations.md"),
        ("notebooks/map-alignment.html", "notebooks/map-alignment.md"),  # the MyST source, not .ipynb
        ("readings/rotations.html", "readings/rotations.md"),
    ],
)
def test_edit_on_github_opens_the_pages_own_source(book, page, source):
    links = soup(book.html / page).select(".editthispage a")
    assert [a["href"] for a in links] == [edit_prefix() + source]
    assert "Edit on GitHub" in links[0].get_text()


def test_every_page_has_an_edit_link_to_its_source(book):
    prefix = edit_prefix()
    pages = [
        p
        for p in book.html.rglob("*.html")
        if not p.relative_to(book.html).parts[0].startswith("_")
        and p.name not in {"genindex.html", "search.html"}
    ]
    assert len(pages) > 20
    for page in pages:
        name = page.relative_to(book.html).with_suffix("")
        hrefs = [a["href"] for a in soup(page).select(".editthispage a")]
        assert hrefs == [f"{prefix}{name}.md"], name
        assert (REPO / f"{name}.md").is_file(), name


def test_the_header_links_to_the_repository(book):
    icons = soup(book.html / "index.html").select(".bd-header .navbar-icon-links a")
    assert [a["href"] for a in icons] == [conf()["GITHUB_URL"]]
