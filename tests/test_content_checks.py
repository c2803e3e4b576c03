"""tools/check_content.py: the pre-commit hook's content checks, and their exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, copy_root

TOOL = REPO / "tools" / "check_content.py"


def run(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, TOOL, *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A copy of the tiny meetings book (conf.py, four meetings, refs.bib) to break."""
    return copy_root("meetings", tmp_path)


def test_the_real_content_passes():
    result = run()
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_real_content_passes_file_by_file_as_pre_commit_passes_it():
    files = sorted(str(p.relative_to(REPO)) for p in (REPO / "meetings").glob("[!_]*.md"))
    result = run(*files, "references.bib")
    assert (result.returncode, result.stdout) == (0, ""), result.stderr


def test_a_clean_copy_passes(book):
    assert run("--root", book, cwd=book).returncode == 0


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("2022-01-21-alpha.md", 'time: "9:00"', "time: 9:00"),
            "meetings/2022-01-21-alpha.md:3: time: 540 is a number, not a time",
        ),
        (
            ("2022-01-21-alpha.md", "stream: mathy", "stream: maths"),
            "meetings/2022-01-21-alpha.md:4: stream: 'maths' is not one of the streams set in conf.py",
        ),
        (
            ("2022-01-28-beta.md", "[first2020]", "[third2022]"),
            "meetings/2022-01-28-beta.md: pre-reading: 'third2022' is not a key in references.bib",
        ),
        (
            ("2022-01-28-beta.md", '"9:15"', '"9:00"\ndate_typo: 1'),
            "meetings/2022-01-28-beta.md:4: date_typo: is not a meeting field",
        ),
    ],
)
def test_a_broken_meeting_is_reported_with_its_line_and_field(book, edit, expected):
    name, old, new = edit
    path = book / "meetings" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    result = run("--root", book, cwd=book)
    assert result.returncode == 1
    [line] = result.stdout.splitlines()
    assert line.startswith(expected)


def test_two_meetings_at_one_time_are_reported_even_when_one_file_is_checked(book):
    clash = book / "meetings" / "2022-03-18-delta.md"
    clash.write_text('---\ndate: 2022-03-18\ntime: "9:00"\nstream: rotations\n---\n\n# Delta\n')
    result = run("--root", book, "meetings/2022-03-18-delta.md", cwd=book)
    assert result.returncode == 1
    assert "is booked at the same date and time" in result.stdout


def test_a_broken_bib_is_reported_with_its_line(book):
    bib = book / "refs.bib"
    bib.write_text(bib.read_text().replace("  year = {2020},\n", ""))
    result = run("--root", book, "refs.bib", cwd=book)
    assert result.returncode == 1
    assert result.stdout == "refs.bib:1: first2020: year: is missing: @article entries need year\n"


def test_the_template_and_other_files_are_not_meetings(book):
    (book / "meetings" / "_template.md").write_text("---\ndate: YYYY-MM-DD\n---\n")
    result = run("--root", book, "meetings/_template.md", "index.md", cwd=book)
    assert (result.returncode, result.stdout) == (0, "")


def test_a_changed_bib_rechecks_the_meetings_that_cite_it(book):
    bib = book / "refs.bib"
    bib.write_text(bib.read_text().replace("@article{first2020,", "@article{first2020a,"))
    result = run("--root", book, "refs.bib", cwd=book)
    assert result.returncode == 1
    assert "pre-reading: 'first2020' is not a key in references.bib" in result.stdout
