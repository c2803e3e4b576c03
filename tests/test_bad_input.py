"""Bad input, all of it: each broken input stops the build with a message naming the file and the line or field.

Each case breaks one thing in a copy of the real book (the repository's tracked
files) and builds it as `make html` does. To keep the suite quick, the copy's
notebooks are stubs (their labels and headings, no code; the pages that link to
them still resolve); a case about a notebook writes one of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import REPO, STRICT, sphinx_build

VESPER = "meetings/2022-01-21-vesper.md"
HUANG = "meetings/2022-01-28-huang-weakly-supervised-denoising.md"
NOTEBOOK = "notebooks/map-alignment.md"
JUPYTEXT_HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.split("\0") if name and not name.startswith("tests/")]


def is_notebook(text: str) -> bool:
    return text.startswith("---") and "kernelspec:" in text.split("---", 2)[1]


def stub(text: str) -> str:
    """A notebook reduced to its labels and headings: a page that others can still link to."""
    body = text.split("---", 2)[2]
    kept = [line for line in body.splitlines() if re.match(r"^\(.+\)=$", line) or re.match(r"^#{1,6} ", line)]
    return "\n\n".join(kept) + "\n"


def book_copy(dest: Path) -> Path:
    """The book's sources in *dest*, every notebook a stub."""
    for name in tracked_files():
        source, target = REPO / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        if name.startswith("notebooks/"):
            text = target.read_text(encoding="utf-8")
            if is_notebook(text):
                target.write_text(stub(text), encoding="utf-8")
    return dest


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


# -- Ways to break a copy -------------------------------------------------------------


def replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {path}"
        (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(path: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")

    return apply


def append(path: str, text: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as file:
            file.write(text)

    return apply


def remove(path: str) -> Callable[[Path], None]:
    return lambda root: (root / path).unlink()


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for change in changes:
            change(root)

    return apply


def add_entry_with_the_doi_of(key: str) -> Callable[[Path], None]:
    """Append an entry whose DOI is that of *key* (written another way: upper case)."""

    def apply(root: Path) -> None:
        bib = root / "references.bib"
        text = bib.read_text(encoding="utf-8")
        entry = text[text.index("{" + key + ",") :]
        doi = re.search(r"doi\s*=\s*[{\"]([^}\"]+)", entry[: entry.index("\n}")]).group(1)
        bib.write_text(text + BIB_ENTRY.replace("10.1000/extra", doi.upper()), encoding="utf-8")

    return apply


def notebook(*cells: str) -> str:
    """A jupytext notebook page with these code cells."""
    body = "\n".join(f"```{{code-cell}} ipython3\n{cell}\n```\n" for cell in cells)
    return f"{JUPYTEXT_HEADER}\n(nb-map-alignment)=\n# Map alignment\n\nText.\n\n{body}"


BIB_ENTRY = """
@article{extra2020,
  author = {Extra, Ann},
  title = {An extra paper},
  journal = {Journal of Tests},
  year = {2020},
  doi = {10.1000/extra}
}
"""


@dataclass
class Case:
    """One broken input: how to break the book, and what the message must name."""

    id: str
    breaks: Callable[[Path], None]
    file: str  #: the file the message must name
    where: list[str]  #: what must appear too: the field, or "{line}" for "FILE:LINE"
    at: str = ""  #: text on the line the message must name (its first line in the broken file)
    above: int = 0  #: ... or on the line this many lines below it (a cell's fence is above its code)
    options: list[str] = field(default_factory=list)


CASES = [
    # -- Meeting pages: the file, its line and the field ------------------------------------
    # A missing field is reported at the front matter's first line.
    Case(
        "meeting: no date",
        replace(VESPER, "date: 2022-01-21\n", ""),
        VESPER,
        ["{line}: field 'date'"],
        at='time: "9:00"',
    ),
    Case(
        "meeting: unquoted time",
        replace(VESPER, 'time: "9:00"', "time: 9:00"),
        VESPER,
        ["{line}: field 'time'"],
        at="time:",
    ),
    Case(
        "meeting: unknown stream",
        replace(VESPER, "stream: mathy cryoem paper", "stream: cookery"),
        VESPER,
        ["{line}: field 'stream'"],
        at="stream:",
    ),
    Case(
        "meeting: date and file name disagree",
        replace(VESPER, "date: 2022-01-21", "date: 2022-01-22"),
        VESPER,
        ["{line}: field 'date'"],
        at="date:",
    ),
    Case(
        "meeting: unknown pre-reading key",
        replace(VESPER, "han2021vesper", "nobody1999"),
        VESPER,
        ["field 'pre-reading'", "'nobody1999' is not a key"],
    ),
    Case(
        "meeting: front matter is not YAML",
        replace(VESPER, "stream: ", "stream: [unclosed "),
        VESPER,
        ["{line}: the front matter is not valid YAML"],
        at="pre-reading:",
    ),
    Case(
        "meeting: two at one time",
        write(
            "meetings/2022-01-21-clash.md",
            '---\ndate: 2022-01-21\ntime: "9:00"\nstream: guest\nspeaker: Ann Other\n---\n\n# A clash\n',
        ),
        "meetings/2022-01-21-clash.md",
        ["field 'time'", "booked at the same date and time"],
    ),
    # -- references.bib: its line, the entry's key and the field ----------------------------
    Case(
        "bib: syntax error",
        append("references.bib", "\n@article{broken2020,\n  title = {No end\n"),
        "references.bib",
        ["{line}: broken2020: syntax error"],
        at="title = {No end",
    ),
    Case(
        "bib: duplicate key",
        append("references.bib", BIB_ENTRY.replace("extra2020", "han2021vesper")),
        "references.bib",
        ["han2021vesper: duplicate key"],
    ),
    Case(
        "bib: duplicate DOI",
        add_entry_with_the_doi_of("han2021vesper"),
        "references.bib",
        ["{line}: extra2020: doi: duplicate DOI"],
        at="doi = {10.1038/S41467",
    ),
    Case(
        "bib: no author",
        append("references.bib", BIB_ENTRY.replace("  author = {Extra, Ann},\n", "")),
        "references.bib",
        ["{line}: extra2020: author: is missing"],
        at="@article{extra2020",
    ),
    Case(
        "bib: no year",
        append("references.bib", BIB_ENTRY.replace("  year = {2020},\n", "")),
        "references.bib",
        ["{line}: extra2020: year: is missing"],
        at="@article{extra2020",
    ),
    Case(
        "bib: unescaped percent",
        append("references.bib", BIB_ENTRY.replace("An extra paper", "A 50% paper")),
        "references.bib",
        ["{line}: extra2020: title: unescaped '%'"],
        at="A 50% paper",
    ),
    # -- Notebooks: the line of the cell that failed -----------------------------------------
    Case(
        "notebook: failing cell",
        write(NOTEBOOK, notebook("x = 1", "assert x == 2, 'x is not 2'")),
        NOTEBOOK,
        ["{line}: WARNING: this cell failed: AssertionError: x is not 2"],
        at="assert x == 2",
        above=1,
    ),
    Case(
        "notebook: timeout",
        write(NOTEBOOK, notebook("x = 1", "import time\ntime.sleep(60)")),
        NOTEBOOK,
        ["{line}: WARNING: this cell failed: it ran longer than nb_execution_timeout (2 s)"],
        at="import time",
        above=1,
        options=["-D", "nb_execution_timeout=2"],
    ),
    Case(
        "notebook: no kernel header",
        write(NOTEBOOK, "(nb-map-alignment)=\n# Map alignment\n\n```{code-cell} ipython3\nx = 1\n```\n"),
        NOTEBOOK,
        ["{line}: WARNING: Found an unexpected `code-cell`"],
        at="```{code-cell}",
    ),
    Case(
        "notebook: jupytext header without a kernelspec",
        write(
            NOTEBOOK,
            notebook("x = 1").replace(
                "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n", ""
            ),
        ),
        NOTEBOOK,
        ["{line}: WARNING: field 'kernelspec'"],
        at="---",
    ),
    Case(
        "notebook: kernel that does not exist",
        write(NOTEBOOK, notebook("x = 1").replace("name: python3", "name: no-such-kernel")),
        NOTEBOOK,
        ["no-such-kernel"],
    ),
    # -- Pages: the file and line ----------------------------------------------------------------
    Case(
        "page: broken cross-reference",
        append("learning-resources.md", "\nSee {doc}`no-such-page`.\n"),
        "learning-resources.md",
        ["{line}: WARNING: unknown document"],
        at="no-such-page",
    ),
    Case(
        "page: broken label reference",
        append("general-information.md", "\nSee {ref}`no-such-label`.\n"),
        "general-information.md",
        ["{line}: WARNING: undefined label"],
        at="no-such-label",
    ),
    Case(
        "page: missing image",
        append("learning-resources.md", "\n![A figure](figures/missing.png)\n"),
        "learning-resources.md",
        ["{line}: WARNING: image file not readable"],
        at="missing.png",
    ),
    Case(
        "page: heading skips a level",
        append("learning-resources.md", "\n#### Too deep\n\nText.\n"),
        "learning-resources.md",
        ["{line}: WARNING: Non-consecutive header level"],
        at="#### Too deep",
    ),
    Case(
        "page: unknown citation key",
        append("learning-resources.md", "\nAs shown {cite:p}`nobody1999`.\n"),
        "learning-resources.md",
        ["{line}: WARNING: could not find bibtex key"],
        at="nobody1999",
    ),
    Case(
        "page: toctree names a missing page",
        replace("readings/index.md", "rotations\n", "rotations\nno-such-list\n"),
        "readings/index.md",
        ["{line}: WARNING: toctree contains reference to nonexisting document"],
        at="```{toctree}",
    ),  # Sphinx names the directive's line
    Case(
        "page: unknown directive",
        append("general-information.md", "\n```{no-such-directive}\n```\n"),
        "general-information.md",
        ["{line}: WARNING: Unknown directive type"],
        at="no-such-directive",
    ),
    Case(
        "page: link to a missing file",
        append("learning-resources.md", "\n[The list](no-such-file.md)\n"),
        "learning-resources.md",
        ["{line}: WARNING: 'myst' cross-reference target not found"],
        at="no-such-file.md",
    ),
    Case(
        "page: a stray page in no toctree",
        write("readings/stray.md", "# A stray page\n\nText.\n"),
        "readings/stray.md",
        ["readings/stray.md: WARNING: document isn't included in any toctree"],
    ),
]


def test_there_are_twenty_cases_or_more():
    assert len(CASES) >= 20


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_stops_the_build_naming_file_and_line_or_field(case, tmp_path):
    root = book_copy(tmp_path / "book")
    case.breaks(root)
    result = sphinx_build(
        "-b", "html", root, tmp_path / "html", "-d", tmp_path / "doctrees", *STRICT, *case.options, cwd=root
    )
    assert result.returncode != 0, result.stdout[-3000:]
    assert case.file in result.stderr, result.stderr[-3000:]
    for where in case.where:
        if "{line}" in where:
            line = line_of((root / case.file).read_text(encoding="utf-8"), case.at) - case.above
            where = where.replace("{line}", f"{case.file}:{line}")
        assert where in result.stderr, result.stderr[-3000:]
