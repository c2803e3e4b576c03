"""Check the book's BibTeX files before sphinxcontrib-bibtex reads them.

What flows where::

    conf.py's bibtex_bibfiles   each file, as raw text
      -> check_bibtext()        a list of Problem (file, line, key, field, message):
                                syntax, keys unique (BibTeX ignores case), DOIs
                                unique, required fields per entry type, DOI and
                                arXiv id forms, no unescaped '%'
      -> check_bibfiles()       at builder-inited, before sphinxcontrib-bibtex
                                parses the files: one error listing every
                                problem as ``references.bib:LINE: key: field: message``

The checks are plain functions (no Sphinx), used by the build, by
``tools/check_content.py`` and by the pre-commit hook alike. pybtex gives no
line numbers for entries, so they come from scanning the text for ``@type{key``.

The files are read on every build (a few milliseconds); pages that cite them
already depend on them through sphinxcontrib-bibtex, so no page is re-read
because of this check.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pybtex.errors
from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexSyntaxError
from sphinx.util import logging

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pybtex.database import Entry
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)

#: The fields each entry type must have. Each inner tuple is one requirement
#: that any of its fields meets ("author" or "editor"). Every type is one that
#: pybtex's unsrt style can print; a "year" is needed everywhere because
#: citations are author-year.
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("title",), ("journal",), ("year",)),
    "inproceedings": (("author",), ("title",), ("booktitle",), ("year",)),
    "incollection": (("author",), ("title",), ("booktitle",), ("publisher",), ("year",)),
    "inbook": (("author", "editor"), ("title",), ("chapter", "pages"), ("publisher",), ("year",)),
    "book": (("author", "editor"), ("title",), ("publisher",), ("year",)),
    "proceedings": (("title",), ("year",)),
    "phdthesis": (("author",), ("title",), ("school",), ("year",)),
    "mastersthesis": (("author",), ("title",), ("school",), ("year",)),
    "techreport": (("author",), ("title",), ("institution",), ("year",)),
    "manual": (("title",), ("year",)),
    "booklet": (("title",), ("year",)),
    "unpublished": (("author",), ("title",), ("note",), ("year",)),
    # Web resources must say where to find them.
    "misc": (("author",), ("title",), ("year",), ("url", "doi", "eprint")),
    "online": (("author",), ("title",), ("year",), ("url", "doi", "eprint")),
}
#: Fields that pybtex prints raw, as links: a '%' there is percent-encoding.
RAW_FIELDS = frozenset({"url", "doi", "eprint", "pubmed"})
PERSON_FIELDS = ("author", "editor")

# "@article{key," -- the entry's line; "@comment", "@string" and "@preamble" have no key.
_ENTRY_RE = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^\s,{}()=\"#%']+)")
_NON_ENTRIES = frozenset({"comment", "string", "preamble"})
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
# New-style arXiv ids (2007 on): YYMM.NNNN or YYMM.NNNNN; old style: archive/YYMMNNN.
_ARXIV_RE = re.compile(
    r"^(?:\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"
    r"|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})(?:v\d+)?$"
)
_UNESCAPED_PERCENT_RE = re.compile(r"(?<!\\)%")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a .bib file, with where it is."""

    file: str
    line: int | None
    key: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where, *(part for part in (self.key, self.field) if part), self.message]
        return ": ".join(parts)


def normalise_doi(doi: str) -> str:
    """The DOI as compared for uniqueness: no resolver prefix, lower case."""
    return _DOI_PREFIX_RE.sub("", doi.strip()).lower()


def entry_lines(text: str) -> list[tuple[str, int, int]]:
    """(key, line, offset) of every ``@type{key`` in the text, in order."""
    found = []
    for match in _ENTRY_RE.finditer(text):
        if match.group(1).lower() in _NON_ENTRIES:
            continue
        line = text.count("\n", 0, match.start()) + 1
        found.append((match.group(2), line, match.start()))
    return found


def _field_line(text: str, start: int, end: int, field: str, default: int) -> int:
    """The line where *field* is set inside the entry text[start:end]."""
    match = re.compile(rf"(?:^|[,{{(])\s*{re.escape(field)}\s*=", re.IGNORECASE | re.MULTILINE).search(
        text, start, end
    )
    if match is None:
        return default
    return text.count("\n", 0, match.end()) + 1


def check_bibtext(text: str, filename: str) -> list[Problem]:
    """Every problem in one .bib file's *text*, in line order."""
    problems: list[Problem] = []
    scanned = entry_lines(text)

    # -- Syntax: pybtex recovers after an error, so collect them all.
    parser = Parser()
    broken: set[tuple[str, int | None]] = set()  # (key, line): entries whose fields may be lost
    with pybtex.errors.capture() as errors:
        try:
            data = parser.parse_string(text)
        except PybtexSyntaxError as exc:  # not every syntax error is recoverable
            errors.append(exc)
            data = parser.data
    for error in errors:
        if isinstance(error, PybtexSyntaxError):
            line = error.lineno
            key, key_line = next(
                ((k, at_line) for k, at_line, _ in reversed(scanned) if line is None or at_line <= line),
                (None, None),
            )
            message = str(error).split(": ", 1)[-1] if ": " in str(error) else str(error)
            problems.append(Problem(filename, line, key, None, f"syntax error: {message}"))
            broken.add(((key or "").lower(), key_line))
        elif not str(error).startswith("repeated bibliography entry"):  # reported below, with lines
            problems.append(Problem(filename, None, None, None, str(error)))

    # -- Keys: BibTeX compares them ignoring case.
    first_seen: dict[str, tuple[str, int]] = {}
    for key, line, _ in scanned:
        earlier = first_seen.get(key.lower())
        if earlier is None:
            first_seen[key.lower()] = (key, line)
            continue
        same = "" if earlier[0] == key else f" as {earlier[0]!r} (BibTeX ignores case)"
        problems.append(
            Problem(filename, line, key, None, f"duplicate key: already defined{same} on line {earlier[1]}")
        )

    # -- Each entry, located by its first occurrence in the text.
    spans: dict[str, tuple[int, int, int]] = {}
    for index, (key, line, offset) in enumerate(scanned):
        end = scanned[index + 1][2] if index + 1 < len(scanned) else len(text)
        spans.setdefault(key.lower(), (line, offset, end))
    seen_dois: dict[str, tuple[str, int]] = {}
    for key, entry in data.entries.items():
        line, start, end = spans.get(key.lower(), (None, 0, len(text)))

        at = partial(_located, text, filename, key, line, start, end)
        if (key.lower(), line) not in broken:
            problems.extend(check_entry(entry, at))
        doi = entry.fields.get("doi")
        if doi:
            normal = normalise_doi(doi)
            if normal in seen_dois:
                other, other_line = seen_dois[normal]
                problems.append(
                    at("doi", f"duplicate DOI {doi}: also the DOI of {other!r} (line {other_line})")
                )
            else:
                seen_dois[normal] = (key, line or 0)
    return sorted(problems, key=lambda p: (p.line or 0, p.key or "", p.field or ""))


def _located(
    text: str,
    filename: str,
    key: str,
    line: int | None,
    start: int,
    end: int,
    field: str | None,
    message: str,
) -> Problem:
    """A Problem of the entry text[start:end] on *line*, on its *field*'s line if it has one."""
    where = line if line is None or field is None else _field_line(text, start, end, field, line)
    return Problem(filename, where, key, field, message)


def check_entry(entry: Entry, at: Callable[[str | None, str], Problem]) -> Iterator[Problem]:
    """The problems of one parsed entry; *at(field, message)* makes a located Problem."""
    present = {name.lower() for name, value in entry.fields.items() if value.strip()}
    present |= {role.lower() for role, people in entry.persons.items() if people}
    required = REQUIRED_FIELDS.get(entry.type.lower())
    if required is None:
        known = ", ".join(sorted(REQUIRED_FIELDS))
        yield at(None, f"@{entry.type} is not an entry type this book uses ({known})")
    else:
        for alternatives in required:
            if not present & set(alternatives):
                field = alternatives[0]
                either = " or ".join(alternatives)
                yield at(field, f"is missing: @{entry.type.lower()} entries need {either}")

    doi = entry.fields.get("doi")
    if doi is not None:
        if _DOI_PREFIX_RE.match(doi.strip()):
            yield at(
                "doi",
                f"{doi} is a link: write the bare DOI ({_DOI_PREFIX_RE.sub('', doi.strip())}); "
                "the book adds https://doi.org/ itself",
            )
        elif not _DOI_RE.match(doi.strip()):
            yield at("doi", f"{doi!r} is not a DOI (10.NNNN/suffix)")

    eprint = entry.fields.get("eprint")
    prefix = (entry.fields.get("archiveprefix") or entry.fields.get("eprinttype") or "arxiv").lower()
    if eprint is not None and prefix == "arxiv":
        value = eprint.strip()
        if value.lower().startswith("arxiv:"):
            yield at("eprint", f"{eprint} has a prefix: write the bare arXiv id ({value[6:]})")
        elif not _ARXIV_RE.match(value):
            yield at("eprint", f"{eprint!r} is not an arXiv id (YYMM.NNNNN, or archive/YYMMNNN before 2007)")

    for name, value in entry.fields.items():
        if name.lower() not in RAW_FIELDS and _UNESCAPED_PERCENT_RE.search(value):
            yield at(name.lower(), "unescaped '%' (it starts a comment in LaTeX): write \\%")
    for role, people in entry.persons.items():
        if any(_UNESCAPED_PERCENT_RE.search(str(person)) for person in people):
            yield at(role.lower(), "unescaped '%' (it starts a comment in LaTeX): write \\%")


def check_bibfile(
    path: str | os.PathLike[str], shown: str | None = None, encoding: str = "utf-8-sig"
) -> list[Problem]:
    """Every problem in the .bib file at *path*, named *shown* in messages."""
    text = Path(path).read_text(encoding=encoding)
    return check_bibtext(text, shown if shown is not None else str(path))


# -- Event handlers --------------------------------------------------------------


def bibfile_problems(app: Sphinx) -> list[Problem]:
    """Every problem of every file in bibtex_bibfiles."""
    problems: list[Problem] = []
    for name in app.config.bibtex_bibfiles or []:
        path = Path(app.confdir, name)
        if not path.is_file():
            continue  # sphinxcontrib-bibtex reports a missing file itself
        problems += check_bibfile(path, os.path.relpath(path, app.confdir), app.config.bibtex_encoding)
    return problems


def check_bibfiles(app: Sphinx) -> None:
    """Log every problem, one error a line, each naming its file, line, entry and field.

    Logged rather than raised: an exception ends a Sphinx build with a crash
    report that asks for a bug report, and a broken .bib entry is the writer's
    to fix. The errors fail the build under -W, and :func:`fail_on_problems`
    sets the exit status without it.
    """
    problems = bibfile_problems(app)
    app._bibcheck_failed = bool(problems)  # type: ignore[attr-defined]  # for fail_on_problems
    for problem in problems:
        logger.error(str(problem), type="bibcheck", subtype="bibtex")
    if not problems:
        logger.info("bibcheck: %s checked", ", ".join(app.config.bibtex_bibfiles or []) or "no .bib file")


def fail_on_problems(app: Sphinx, exception: Exception | None) -> None:
    """A build of a broken .bib file exits non-zero, with or without -W."""
    if exception is None and getattr(app, "_bibcheck_failed", False):
        app.statuscode = 1


def setup(app: Sphinx) -> ExtensionMetadata:
    app.setup_extension("sphinxcontrib.bibtex")  # its bibtex_bibfiles and bibtex_encoding
    # Before sphinxcontrib-bibtex parses the files (its builder-inited handler
    # runs at the default priority, 500), so a syntax error is reported here.
    app.connect("builder-inited", check_bibfiles, priority=400)
    app.connect("build-finished", fail_on_problems)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
