"""Adding a meeting: tools/new_meeting.py, `make new-meeting` and meetings/_template.md."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import REPO, STRICT, copy_root, sphinx_build
from meetings import model

sys.path.insert(0, str(REPO / "tools"))
import new_meeting  # noqa: E402

TOOL = REPO / "tools" / "new_meeting.py"
TEMPLATE = (REPO / "meetings" / "_template.md").read_text(encoding="utf-8")
# The tiny book's settings (tests/roots/test-meetings/conf.py plus what the
# `project` fixture adds), for the pure functions.
SETTINGS = new_meeting.Settings(
    streams=("mathy", "rotations", "guest"),
    timezone="America/Vancouver",
    duration=60,
    default_time="9:15",
    default_stream="rotations",
    bibfiles=("refs.bib",),
)


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def parse(text: str, path: str, settings: new_meeting.Settings = SETTINGS) -> model.Meeting:
    return model.parse_meeting(text, path, streams=settings.streams, default_timezone=settings.timezone)


# -- Pure pieces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        (
            "VESPER: global and local cryo-EM map alignment using local density vectors.",
            "vesper-global-local-cryo",
        ),
        ("A smooth representation of belief over SO(3)", "smooth-representation-belief-over"),
        ("Forré's Ångström über alles", "forres-angstrom-uber-alles"),
        ("The of and", "the-of-and"),  # nothing but small words: keep them
        (
            "Pneumonoultramicroscopicsilicovolcanoconiosis explained",
            "pneumonoultramicroscopicsilicovolcanocon",
        ),
        ("αβγ", ""),
    ],
)
def test_slugify_is_short_lower_case_ascii(text, slug):
    assert new_meeting.slugify(text) == slug
    assert len(slug) <= 40


@pytest.mark.parametrize(
    ("title", "stream", "speaker", "slug"),
    [
        (
            "Weakly Supervised Learning for Denoising",
            "guest",
            "Qinwen (Wendy) Huang",
            "huang-weakly-supervised-learning",
        ),
        ("VESPER", "mathy cryoem paper", None, "vesper"),
        (None, "advanced rotations", None, "advanced-rotations"),  # like the slots in meetings/
        (None, "guest", "Ada Guest", "ada-guest"),
    ],
)
def test_meeting_slug_follows_the_existing_file_names(title, stream, speaker, slug):
    assert new_meeting.meeting_slug(title, stream, speaker) == slug


@pytest.mark.parametrize(
    "value",
    [
        "advanced rotations",
        "Qinwen (Wendy) Huang",
        "Forré",
        "yes",
        "null",
        "9:00",
        "2022-01-21",
        "a: b",
        "# not a comment",
        " padded ",
        "[list]",
        'say "hi"',
        "it's",
    ],
)
def test_yaml_scalar_reads_back_as_the_same_string(value):
    assert yaml.safe_load(f"key: {new_meeting.yaml_scalar(value)}\n")["key"] == value


def test_render_leaves_out_notes_and_lines_without_a_value():
    template = "---\n# a note\na: ${a}\nb: ${b}\n---\n\n# ${title}\n\nbody\n"
    assert new_meeting.render(template, {"a": "1", "b": None, "title": None}) == "---\na: 1\n---\n\nbody\n"
    with pytest.raises(new_meeting.NewMeetingError, match=r"_template.md:3: unknown placeholder \$\{a\}"):
        new_meeting.render(template, {"b": "2", "title": "T"})


def test_the_template_uses_exactly_the_tools_fields():
    assert sorted(set(new_meeting.PLACEHOLDER_RE.findall(TEMPLATE))) == sorted(new_meeting.FIELDS)


EXAMPLES = {
    "announced": new_meeting.Request(date="2022-04-01", title="Alpha again", pre_reading=("first2020",)),
    "slot": new_meeting.Request(date="2022-04-08", stream="mathy"),
    "guest": new_meeting.Request(
        date="2022-04-15",
        speaker="Ada: Guest",
        title="Beta again",
        time="14:30",
        pre_reading=("second2021", "first2020"),
    ),
    "guest slot": new_meeting.Request(date="2022-04-22", speaker="Ada Guest"),
}


@pytest.mark.parametrize("kind", EXAMPLES)
def test_the_template_stays_valid_against_the_schema(kind):
    """The template, filled in with example values, is a meeting the build accepts."""
    name, text = new_meeting.plan(EXAMPLES[kind], SETTINGS, TEMPLATE)
    data = front_matter(text)
    data["date"] = str(data["date"])  # the schema sees the date as written (a string)
    jsonschema.Draft202012Validator(model.load_schema()).validate(data)
    meeting = parse(text, name)
    request = EXAMPLES[kind]
    assert meeting.announced == (request.title is not None)
    assert meeting.pre_reading == request.pre_reading
    assert meeting.speaker == request.speaker
    assert data["timezone"] == SETTINGS.timezone
    assert "${" not in text


def test_the_template_is_not_a_page_of_the_book(book):
    from sphinx.config import Config
    from sphinx.project import Project
    from sphinx.util.tags import Tags

    config = Config.read(REPO, overrides={}, tags=Tags())
    found = Project(REPO, {".md": "markdown"}).discover(config.exclude_patterns, config.include_patterns)
    assert "meetings/2022-01-21-vesper" in found
    assert not [docname for docname in found if docname.startswith("meetings/_")]
    assert not (book.html / "meetings" / "_template.html").exists()


def test_the_books_defaults_are_read_from_conf_py():
    settings = new_meeting.read_settings(REPO)
    assert settings.default_stream in settings.streams
    assert settings.timezone == "America/Vancouver"
    assert settings.bibfiles == ("references.bib",)
    name, text = new_meeting.plan(new_meeting.Request(date="2030-01-04"), settings, TEMPLATE)
    meeting = parse(text, name, settings)
    assert (meeting.start.hour, meeting.start.minute) == tuple(
        int(part) for part in settings.default_time.split(":")
    )


# -- The tool on a copy of the tiny book ------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """tests/roots/test-meetings with the template and the group's defaults in its conf.py."""
    root = copy_root("meetings", tmp_path)
    shutil.copy(REPO / "meetings" / "_template.md", root / "meetings" / "_template.md")
    with (root / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(
            'exclude_patterns = ["_build", "meetings/_*.md"]\n'
            'meetings_default_time = "9:15"\nmeetings_default_stream = "rotations"\n'
        )
    return root


def run_tool(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), "--root", str(project), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize(
    ("args", "name", "expected", "listed"),
    [
        pytest.param(
            ["--date", "2022-04-01", "--title", 'Alpha "again": $x^2$', "--pre-reading", "first2020"],
            "2022-04-01-alpha-again-x-2.md",
            {
                "time": "9:15",
                "timezone": "America/Vancouver",
                "stream": "rotations",
                "pre-reading": ["first2020"],
            },
            "1 Apr 2022 - Alpha “again”: $x^2$",
            id="announced",
        ),  # smart quotes in HTML
        pytest.param(
            ["--date", "2022-04-08"],
            "2022-04-08-rotations.md",
            {"time": "9:15", "timezone": "America/Vancouver", "stream": "rotations"},
            None,
            id="slot",
        ),
        pytest.param(
            [
                "--date",
                "2022-04-15",
                "--speaker",
                "Ada Guest",
                "--title",
                "Beta again",
                "--time",
                "14:30",
                "--pre-reading",
                "second2021",
                "first2020",
            ],
            "2022-04-15-guest-beta-again.md",
            {
                "time": "14:30",
                "timezone": "America/Vancouver",
                "stream": "guest",
                "speaker": "Ada Guest",
                "pre-reading": ["second2021", "first2020"],
            },
            "15 Apr 2022 - Guest: Ada Guest - Beta again",
            id="guest",
        ),
    ],
)
def test_the_tool_writes_a_meeting_that_parses_and_builds(project, tmp_path, args, name, expected, listed):
    before = set((project / "meetings").iterdir())
    result = run_tool(project, *args)
    assert result.returncode == 0, result.stderr
    path = project / "meetings" / name
    assert set((project / "meetings").iterdir()) - before == {path}
    assert f"Wrote meetings/{name}" in result.stdout
    text = path.read_text(encoding="utf-8")
    data = front_matter(text)
    assert {key: value for key, value in data.items() if key != "date"} == expected
    parse(text, f"meetings/{name}")

    build = sphinx_build("-b", "html", project, tmp_path / "html", *STRICT)
    assert build.returncode == 0, build.stderr
    day = name[:10]
    rows = [
        row.get_text(" ", strip=True)
        for row in soup(tmp_path / "html" / "schedule.html").select("table.meeting-schedule tbody tr")
    ]
    assert any(row.startswith(f"Fri {int(day[8:])} Apr 2022") for row in rows)
    upcoming = [
        a.get_text(" ", strip=True)
        for a in soup(tmp_path / "html" / "upcoming.html").select(".meeting-list a")
    ]
    if listed:
        assert any(listed in entry for entry in upcoming), upcoming
    else:  # a slot is in the schedule only
        assert not any("Apr 2022" in entry for entry in upcoming)
    assert not (tmp_path / "html" / "meetings" / "_template.html").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        pytest.param(
            ["--date", "2022-01-21", "--title", "Alpha paper"],
            "meetings/2022-01-21-alpha-paper.md exists already",
            id="existing file",
        ),
        pytest.param(
            ["--date", "2022-01-28", "--title", "Another talk"],
            "meetings/2022-01-28-beta.md is already booked at that date and time "
            "(Fri 28 Jan 2022, 9:15 AM PST)",
            id="booked date",
        ),
        pytest.param(
            ["--date", "2022-03-11", "--time", "9:00", "--title", "Finally"],
            "It is an unannounced slot: to announce it, edit meetings/2022-03-11-slot.md",
            id="booked slot",
        ),
        pytest.param(
            ["--date", "2022-02-30"], "--date 2022-02-30: not a date on the calendar", id="bad date"
        ),
        pytest.param(["--date", "4 Feb 2022"], "write the date as YYYY-MM-DD", id="date format"),
        pytest.param(["--date", "2022-04-01", "--time", "9"], "field 'time'", id="bad time"),
        pytest.param(
            ["--date", "2022-04-01", "--stream", "cookery"],
            "'cookery' is not one of the streams",
            id="unknown stream",
        ),
        pytest.param(
            ["--date", "2022-04-01", "--title", "X", "--pre-reading", "nobody1999"],
            "'nobody1999' is not a key in references.bib",
            id="unknown key",
        ),
        pytest.param(
            ["--date", "2022-04-01", "--pre-reading", "first2020"],
            "the page has no '# Title' heading",
            id="pre-reading without a title",
        ),
    ],
)
def test_the_tool_refuses_with_one_message_and_writes_nothing(project, args, words):
    (project / "meetings" / "2022-01-21-alpha.md").rename(project / "meetings" / "2022-01-21-alpha-paper.md")
    before = {path: path.read_bytes() for path in (project / "meetings").iterdir()}
    result = run_tool(project, *args)
    assert result.returncode == 1
    assert words in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("new-meeting: ")
    assert result.stdout == ""
    assert {path: path.read_bytes() for path in (project / "meetings").iterdir()} == before


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """What `make new-meeting` needs of the repository, copied: nothing is written here."""
    copy = tmp_path / "book"
    copy.mkdir()
    for name in ["Makefile", "conf.py", "references.bib", "requirements.txt"]:
        shutil.copy2(REPO / name, copy / name)  # copy2: requirements.txt keeps its age
    for folder in ["_ext", "meetings", "tools"]:
        shutil.copytree(REPO / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def run_make(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """make in *copy*, with this test's own virtual environment (-o venv: never reinstall it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATE", "TITLE", "TIME", "STREAM", "SPEAKER", "PRE_READING"}
    }
    return subprocess.run(
        ["make", "-s", "-o", "venv", f"VENV={Path(sys.prefix)}", *args],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_make_new_meeting_passes_quotes_through_and_needs_a_date(repo_copy):
    result = run_make(
        repo_copy,
        "new-meeting",
        "DATE=2030-01-04",
        'TITLE=Cryo-EM "in situ" (part 1)',
        "PRE_READING=han2021vesper kabsch1976solution",
    )
    assert result.returncode == 0, result.stderr
    text = (repo_copy / "meetings" / "2030-01-04-cryo-em-situ-part.md").read_text(encoding="utf-8")
    assert '# Cryo-EM "in situ" (part 1)\n' in text
    assert front_matter(text)["pre-reading"] == ["han2021vesper", "kabsch1976solution"]

    result = run_make(repo_copy, "new-meeting", "TITLE=No date")
    assert result.returncode != 0
    assert "Usage: make new-meeting DATE=YYYY-MM-DD" in result.stdout + result.stderr


# -- CONTRIBUTING.md says what works ------------------------------------------------------

GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")


def guide_blocks() -> list[str]:
    """The guide's fenced blocks (``` or ````), without their fences."""
    return [m.group(2) for m in re.finditer(r"^(`{3,4})[^\n`]*\n(.*?)^\1$", GUIDE, re.M | re.S)]


def test_the_guides_new_meeting_commands_work(repo_copy):
    lines = [line.split("  #")[0].strip() for block in guide_blocks() for line in block.splitlines()]
    commands = [
        shlex.split(line)
        for line in lines
        if line.startswith(("make new-meeting", ".venv/bin/python tools/new_meeting.py --date"))
    ]
    assert len(commands) >= 5
    for command in commands:
        if command[0] == "make":
            result = run_make(repo_copy, *command[1:])
        else:
            result = subprocess.run(
                [sys.executable, *command[1:]], cwd=repo_copy, capture_output=True, text=True, check=False
            )
        assert result.returncode == 0, f"{shlex.join(command)}: {result.stderr}"
    written = sorted(p.name for p in (repo_copy / "meetings").glob("2022-04-*.md"))
    assert len(written) == len(commands)


def test_the_guides_meeting_file_and_reference_are_valid():
    settings = new_meeting.read_settings(REPO)
    meeting_text = next(block for block in guide_blocks() if block.startswith("---\ndate:"))
    meeting = parse(meeting_text, "meetings/2022-02-04-advanced-rotations.md", settings)
    assert meeting.announced and meeting.pre_reading
    model.check_collection([meeting], new_meeting.bib_keys(REPO, settings.bibfiles))

    from pybtex.database import parse_string

    bib = next(block for block in guide_blocks() if "@article{" in block)
    entry = parse_string(bib, "bibtex").entries["zhong2021cryodrgn"]
    assert f"https://doi.org/{entry.fields['doi']}" in GUIDE
    assert f"https://api.crossref.org/works/{entry.fields['doi']}" in GUIDE


def test_the_guides_notebook_header_is_the_one_the_notebooks_use():
    import jupytext

    block = next(block for block in guide_blocks() if block.startswith("---\njupytext:"))
    notebook = jupytext.reads(block, fmt="md:myst")
    assert [cell.cell_type for cell in notebook.cells][-1] == "code"
    assert "default_rng(" in notebook.cells[-1].source
    existing = (REPO / "notebooks" / "map-alignment.md").read_text(encoding="utf-8")
    assert block.split("---\n")[1] == existing.split("---\n")[1]


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("meetings_default_stream=cookery", "meetings_default_stream: 'cookery' is not one of"),
        ("meetings_default_time=9", "meetings_default_time: '9' is not a time"),
    ],
)
def test_the_build_rejects_defaults_that_make_no_valid_meeting(tmp_path, override, words):
    project = copy_root("meetings", tmp_path)
    result = sphinx_build("-b", "html", project, tmp_path / "html", *STRICT, "-D", override)
    assert result.returncode != 0
    assert words in result.stderr
