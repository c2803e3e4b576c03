"""_ext/bibcheck.py: each broken .bib gives exactly its problem, on its line; a build stops on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import bibcheck
import pytest
from conftest import REPO, STRICT, sphinx_build
from pybtex.plugin import find_plugin

GOOD_ARTICLE = """\
@article{doe2020first,
  author = {Doe, Jane},
  title = {The first paper},
  journal = {Journal of Tests},
  year = {2020},
  doi = {10.1000/first}
}
"""
GOOD_MISC = """\
@misc{roe2021second,
  author = {Roe, Richard},
  title = {The second paper},
  year = {2021},
  eprint = {2101.00001},
  archiveprefix = {arXiv}
}
"""
# The valid file every case starts from: a comment, then two entries
# (lines 3-9 and 11-17).
VALID = "% references for the tests\n\n" + GOOD_ARTICLE + "\n" + GOOD_MISC


def broken(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


CASES = [
    # (what, .bib text, [(line, key, field, words in the message)])
    (
        "syntax error",
        broken("  journal = {Journal of Tests},\n", "  journal = {Journal of Tests}\n"),
        [(7, "doe2020first", None, "syntax error")],
    ),
    (
        "duplicate key, other case",
        VALID
        + "\n"
        + GOOD_MISC.replace("roe2021second", "ROE2021second").replace("2101.00001", "2101.00002"),
        [(19, "ROE2021second", None, "duplicate key: already defined as 'roe2021second'")],
    ),
    (
        "duplicate DOI, in other case",
        VALID
        + "\n"
        + GOOD_ARTICLE.replace("doe2020first", "doe2020again").replace("10.1000/first", "10.1000/FIRST"),
        [(24, "doe2020again", "doi", "duplicate DOI 10.1000/FIRST: also the DOI of 'doe2020first'")],
    ),
    (
        "missing author",
        broken("  author = {Doe, Jane},\n", ""),
        [(3, "doe2020first", "author", "is missing: @article entries need author")],
    ),
    (
        "missing year",
        broken("  year = {2021},\n", ""),
        [(11, "roe2021second", "year", "is missing: @misc entries need year")],
    ),
    (
        "misc without a link",
        broken("  eprint = {2101.00001},\n  archiveprefix = {arXiv}\n", ""),
        [(11, "roe2021second", "url", "need url or doi or eprint")],
    ),
    (
        "book with an editor only",
        VALID + "\n@book{ed2019,\n  editor = {Ed, Itor},\n  title = {A book},\n  year = {2019}\n}\n",
        [(19, "ed2019", "publisher", "is missing: @book entries need publisher")],
    ),
    (
        "bad DOI",
        broken("10.1000/first", "10.10/first"),
        [(8, "doe2020first", "doi", "'10.10/first' is not a DOI")],
    ),
    (
        "DOI written as a link",
        broken("{10.1000/first}", "{https://doi.org/10.1000/first}"),
        [(8, "doe2020first", "doi", "write the bare DOI (10.1000/first)")],
    ),
    (
        "bad arXiv id",
        broken("2101.00001", "2113.00001"),
        [(15, "roe2021second", "eprint", "'2113.00001' is not an arXiv id")],
    ),
    (
        "arXiv id with its prefix",
        broken("2101.00001", "arXiv:2101.00001"),
        [(15, "roe2021second", "eprint", "write the bare arXiv id (2101.00001)")],
    ),
    (
        "unescaped percent",
        broken("The first paper", "The first paper, 50% better"),
        [(5, "doe2020first", "title", "unescaped '%'")],
    ),
    (
        "unknown entry type",
        broken("@misc{", "@webpage{"),
        [(11, "roe2021second", None, "not an entry type this book uses")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_broken_file_gives_exactly_its_problem(text, expected):
    problems = bibcheck.check_bibtext(text, "references.bib")
    got = [(p.line, p.key, p.field) for p in problems]
    assert got == [e[:3] for e in expected], "\n".join(map(str, problems))
    for problem, (_, _, _, words) in zip(problems, expected, strict=True):
        assert words in problem.message
        assert str(problem).startswith(f"references.bib:{problem.line}: {problem.key}: ")


@pytest.mark.parametrize(
    "text",
    [
        VALID,
        broken("The first paper", r"The first paper, 50\% better"),  # escaped
        broken("@misc{roe2021second,\n", "@misc{roe2021second,\n  url = {https://example.org/a%20b},\n"),
        broken("2101.00001", "math/0601001v2"),  # an old-style arXiv id
        broken("{10.1000/first}", "{10.1016/S0076-6879(10)82003-8}"),
    ],
)
def test_valid_files_pass(text):
    assert bibcheck.check_bibtext(text, "references.bib") == []


def test_the_real_references_pass():
    assert bibcheck.check_bibfile(REPO / "references.bib") == []


def test_problems_read_file_line_key_field_message():
    problem = bibcheck.Problem("references.bib", 12, "key", "doi", "is wrong")
    assert str(problem) == "references.bib:12: key: doi: is wrong"
    assert str(bibcheck.Problem("x.bib", None, None, None, "unreadable")) == "x.bib: unreadable"


def test_every_entry_type_in_the_table_can_be_printed():
    style = find_plugin("pybtex.style.formatting", "unsrt")
    for entry_type in bibcheck.REQUIRED_FIELDS:
        assert hasattr(style, f"get_{entry_type}_template"), entry_type


@pytest.mark.parametrize(
    ("doi", "normal"),
    [
        ("10.1000/ABC", "10.1000/abc"),
        ("https://doi.org/10.1000/abc", "10.1000/abc"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"),
        ("doi:10.1000/abc", "10.1000/abc"),
    ],
)
def test_dois_are_compared_without_prefix_or_case(doi, normal):
    assert bibcheck.normalise_doi(doi) == normal


# -- In a build ------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="bibcheck")
def test_a_valid_file_builds_without_warnings(app):
    app.build()
    assert app.warning.getvalue() == ""
    assert "bibcheck: references.bib checked" in app.status.getvalue()


def test_a_broken_file_fails_the_build_with_every_problem(make_app, rootdir, tmp_path):
    src = tmp_path / "bibcheck"
    shutil.copytree(rootdir / "test-bibcheck", src)
    bib = src / "references.bib"
    bib.write_text(bib.read_text().replace("  year = {2020},\n", "").replace("50\\%", "50%"))
    app = make_app("html", srcdir=src)
    app.build()
    errors = [line for line in app.warning.getvalue().splitlines() if "ERROR: references.bib:" in line]
    assert len(errors) == 2, app.warning.getvalue()
    assert "references.bib:3: doe2020first: year: is missing: @article entries need year" in errors[0]
    assert "references.bib:5: doe2020first: title: unescaped '%'" in errors[1]
    assert app.statuscode == 1  # even without -W


def test_sphinx_build_exits_non_zero_naming_file_and_line(tmp_path: Path):
    src = tmp_path / "bibcheck"
    shutil.copytree(REPO / "tests" / "roots" / "test-bibcheck", src)
    bib = src / "references.bib"
    bib.write_text(bib.read_text() + "\n" + GOOD_ARTICLE)
    result = sphinx_build("-b", "html", src, tmp_path / "out", *STRICT)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "report this error" not in result.stderr
    assert "references.bib:11: doe2020first: duplicate key: already defined on line 3" in result.stderr
