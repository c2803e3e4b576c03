"""The benchmark's plain parts: generated meetings are valid, counters count. (No build here.)"""

from __future__ import annotations

import datetime as dt

import generate  # bench/, on the path from conftest
import pytest
import run
from conftest import REPO
from meetings import model

BIB = (REPO / "references.bib").read_text(encoding="utf-8")
STREAMS = ["mathy cryoem paper", "advanced rotations", "guest"]


def test_generated_meetings_pass_the_schema_and_the_collection_checks():
    keys = generate.bib_keys(BIB)
    generated = generate.generate_meetings(60, dt.date(2022, 3, 25), keys)
    meetings = [
        model.parse_meeting(m.text, m.path, streams=STREAMS, default_timezone="America/Vancouver")
        for m in generated
    ]
    model.check_collection(meetings, keys)  # no clash, every pre-reading key exists
    assert [m.date for m in meetings] == [dt.date(2022, 4, 1) + dt.timedelta(weeks=i) for i in range(60)]
    assert all(m.date.weekday() == 4 for m in meetings)  # Fridays
    assert len({m.slug for m in meetings}) == 60
    streams = [m.stream for m in meetings]
    assert {"mathy cryoem paper", "advanced rotations", "guest"} <= set(streams)
    assert all(
        a != b for a, b in zip(streams, streams[1:], strict=False) if "guest" not in (a, b)
    )  # they take turns
    assert all(m.speaker for m in meetings if m.stream == "guest")
    announced = [m for m in meetings if m.announced]
    assert 0 < len(announced) < 60 and all(m.pre_reading for m in announced)
    assert [m.announced for m in meetings] == [g.announced for g in generated]


def test_a_copy_gets_meetings_up_to_its_size_and_skips_what_is_not_the_book(tmp_path):
    assert generate.book_files(
        ["conf.py", "tests/conftest.py", "bench/run.py", ".ci/run", "meetings/a.md"]
    ) == ["conf.py", "meetings/a.md"]
    generated = generate.make_copy(REPO, tmp_path / "copy", 25)
    files = [p.name for p in (tmp_path / "copy" / "meetings").glob("[0-9]*.md")]
    assert len(files) == 25 and len(generated) == 25 - 10
    assert not (tmp_path / "copy" / "tests").exists()
    assert generate.make_copy(REPO, tmp_path / "real", 10) == []


def test_bib_keys_and_the_next_friday():
    assert generate.bib_keys("@article{a2020x,\n title={T}}\n@book{ b1999 ,\n}") == ["a2020x", "b1999"]
    assert generate.bib_keys(BIB)[0] == "han2021vesper"
    assert generate.next_friday(dt.date(2022, 3, 25)) == dt.date(2022, 4, 1)  # a Friday: the next one
    assert generate.next_friday(dt.date(2022, 3, 23)) == dt.date(2022, 3, 25)


LATEXMK = """Latexmk: applying rule 'pdflatex'...
Run number 1 of rule 'pdflatex'
Latexmk: applying rule 'makeindex online.idx'...
Run number 1 of rule 'makeindex online.idx'
Latexmk: applying rule 'pdflatex'...
Run number 2 of rule 'pdflatex'
Latexmk: All targets () are up-to-date
"""


@pytest.mark.parametrize(
    ("log", "passes"),
    [
        (LATEXMK, {"pdflatex": 2, "makeindex": 1}),
        ("Latexmk: All targets (x.pdf) are up-to-date\n", {}),
    ],
)
def test_latex_passes_are_counted_from_latexmk_output(log, passes):
    assert run.latex_passes(log) == passes


def test_notebooks_executed_counts_runs_not_cache_hits():
    log = (
        "a.md: Executing notebook using local CWD [mystnb]\na.md: Executed notebook in 1.2 seconds\n"
        "b.md: Using cached notebook: ID=2 [mystnb]\n"
    )
    assert run.notebooks_executed(log) == 1


def test_edit_title_changes_only_the_heading_and_each_run_differs():
    text = "---\ndate: 2022-01-21\n---\n\n# VESPER: maps\n\nBody # not a heading\n"
    first, second = run.edit_title(text, 1), run.edit_title(run.edit_title(text, 1), 2)
    assert first == text.replace("# VESPER: maps", "# VESPER: maps (edit 1)")
    assert second == text.replace("# VESPER: maps", "# VESPER: maps (edit 2)")
    with pytest.raises(ValueError, match="no '# Title'"):
        run.edit_title("---\n---\n", 1)


def test_summary_takes_the_median_and_reports_counts_that_vary():
    builds = [
        run.Build(seconds=s, read=r, written=3, executed=0, peak_mb=m, latex={"xelatex": 2})
        for s, r, m in [(3.0, 1, 100), (1.0, 1, 120), (2.0, 2, 110)]
    ]
    summary = run.summarise(builds)
    assert summary["median"] == 2.0 and (summary["low"], summary["high"]) == (1.0, 3.0)
    assert (summary["read"], summary["written"], summary["peak_mb"]) == ("1-2", "3", 120)
    assert summary["latex"] == "xelatex x2"
    table = run.markdown_table(["a", "b"], [["1", "2"]])
    assert table.splitlines() == ["| a | b |", "| --- | --- |", "| 1 | 2 |"]


def test_the_archive_is_weekly_fridays_ending_before_the_first_meeting():
    archive = generate.generate_archive(5, dt.date(2022, 1, 21), ["k"])
    assert [m.date for m in archive] == [
        dt.date(2021, 12, 17),
        dt.date(2021, 12, 24),
        dt.date(2021, 12, 31),
        dt.date(2022, 1, 7),
        dt.date(2022, 1, 14),
    ]
    assert [m.date for m in generate.generate_archive(1, dt.date(2022, 1, 19), ["k"])] == [
        dt.date(2022, 1, 14)
    ]
