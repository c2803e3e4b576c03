"""The pre-commit checks, run by `make test` too: ruff, codespell, YAML/JSON, whitespace.

pre-commit itself is not run here: it would download its hook environments.
The tools run from the pinned requirements instead, and a test keeps the
revs of .pre-commit-config.yaml equal to those pins.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import yaml
from conftest import REPO, repository_files


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_would_change_nothing():
    result = run("ruff", "format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_codespell_finds_no_typos():
    result = run("codespell_lib", *repository_files())
    assert result.returncode == 0, result.stdout + result.stderr


def test_codespell_would_find_one():
    """The ignore list is not so broad that codespell sees nothing."""
    typo = "rec" + "ieved"  # spelt out here, it would fail the test above
    result = subprocess.run(
        [sys.executable, "-m", "codespell_lib", "-"],
        cwd=REPO,
        input=f"The {typo} map.\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"{typo} ==> received" in result.stdout


@pytest.mark.parametrize("name", [n for n in repository_files() if n.endswith((".yaml", ".yml"))])
def test_yaml_files_parse(name):
    yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [n for n in repository_files() if n.endswith(".json")])
def test_json_files_parse(name):
    json.loads((REPO / name).read_text(encoding="utf-8"))


def text_files() -> list[str]:
    binary = (".png", ".pdf", ".ipynb", ".mrc", ".svg", ".woff2")
    return [n for n in repository_files() if not n.endswith(binary)]


def test_text_files_end_with_one_newline_and_no_trailing_whitespace():
    problems = []
    for name in text_files():
        text = (REPO / name).read_text(encoding="utf-8")
        if text and (not text.endswith("\n") or text.endswith("\n\n")):
            problems.append(f"{name}: must end with exactly one newline")
        for number, line in enumerate(text.splitlines(), start=1):
            trailing = line != line.rstrip()
            markdown_break = name.endswith(".md") and line.endswith("  ") and not line.endswith("   ")
            if trailing and not markdown_break:
                problems.append(f"{name}:{number}: trailing whitespace")
    assert problems == []


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            pins[match[1].lower()] = match[2]
    return pins


def test_pre_commit_runs_the_pinned_versions_and_the_book_checks():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    repos = {repo["repo"].rsplit("/", 1)[-1]: repo for repo in config["repos"]}
    pins = requirement_pins()
    assert repos["ruff-pre-commit"]["rev"] == f"v{pins['ruff']}"
    assert repos["codespell"]["rev"] == f"v{pins['codespell']}"
    assert re.fullmatch(r"v\d+\.\d+\.\d+", repos["pre-commit-hooks"]["rev"])  # a release, not a branch
    ids = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "codespell", "check-yaml", "check-json"} <= ids
    [local] = repos["local"]["hooks"]
    assert local["entry"].endswith("tools/check_content.py")
    pattern = re.compile(local["files"])
    for name in ["meetings/2022-01-21-vesper.md", "references.bib", "meetings/meeting.schema.json"]:
        assert pattern.search(name), name
    assert not pattern.search("readings/rotations.md")
