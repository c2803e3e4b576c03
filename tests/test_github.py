"""The GitHub side: the pull-request workflow, the meeting proposal form, the PR checklist."""

from __future__ import annotations

import re
import sys

import yaml
from conftest import REPO

GITHUB = REPO / ".github"
WORKFLOW_TEXT = (GITHUB / "workflows" / "book.yml").read_text(encoding="utf-8")
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)
STEPS = WORKFLOW["jobs"]["book"]["steps"]
# A full commit SHA, then the release it is: "@<40 hex>  # v4.2.2".
PINNED = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}\s+# v\d+\.\d+\.\d+$")

sys.path.insert(0, str(REPO / "tools"))


def step_using(action: str) -> list[dict]:
    return [step for step in STEPS if step.get("uses", "").startswith(action + "@")]


def runs() -> list[str]:
    return [step["run"].strip() for step in STEPS if "run" in step]


def test_the_workflow_runs_on_pull_requests_and_main_with_least_privilege():
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"]["branches"] == ["main"]
    assert WORKFLOW["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in WORKFLOW["jobs"].values())
    assert step_using("actions/checkout")[0]["with"]["persist-credentials"] is False
    assert WORKFLOW["concurrency"]["cancel-in-progress"]


def test_every_action_is_pinned_by_commit_with_its_version():
    lines = [line for line in WORKFLOW_TEXT.splitlines() if "uses:" in line]
    assert len(lines) >= 4
    assert [line for line in lines if not PINNED.match(line)] == []


def test_the_workflow_runs_the_makefiles_checks_and_builds():
    assert WORKFLOW["jobs"]["book"]["container"] == "debian:12"  # the README's platform
    assert runs()[1:] == ['make test PYTEST_ARGS="-ra"', "make html"]
    assert "python3-venv" in runs()[0] and "make" in runs()[0]
    build = next(step for step in STEPS if step.get("run") == "make html")
    assert build["if"] == "${{ !cancelled() }}"  # the reports are wanted most when tests fail


def test_the_workflow_keeps_the_pdf_and_the_execution_reports():
    from test_readthedocs import make_variable

    paths = {step["with"]["name"]: step["with"]["path"] for step in step_using("actions/upload-artifact")}
    assert paths["syllabus-pdf"] == f"{make_variable('BUILDDIR')}/latex/{make_variable('PDFNAME')}"
    assert paths["execution-reports"] == "_build/html/reports/"  # MyST-NB's reports, beside the site
    assert all(step["if"] == "${{ !cancelled() }}" for step in step_using("actions/upload-artifact"))


def test_the_caches_are_keyed_on_the_notebooks_and_the_pins():
    from test_readthedocs import conf

    pip = next(step["with"] for step in step_using("actions/cache") if "pip" in step["with"]["path"])
    assert pip["key"].endswith("${{ hashFiles('requirements.txt') }}")
    assert WORKFLOW["jobs"]["book"]["env"]["PIP_CACHE_DIR"] == pip["path"]
    cache = next(step["with"] for step in step_using("actions/cache") if "jupyter" in step["with"]["path"])
    assert REPO / cache["path"] == REPO / conf()["nb_execution_cache_path"]
    assert "hashFiles('notebooks/**', 'requirements.txt')" in cache["key"]
    cache_step = max(STEPS.index(step) for step in step_using("actions/cache"))
    assert cache_step < STEPS.index(next(s for s in STEPS if s.get("run", "").startswith("make test")))


def test_the_proposal_form_asks_what_a_meeting_needs():
    import new_meeting

    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "propose-meeting.yml").read_text(encoding="utf-8"))
    assert {"name", "description", "body"} <= set(form)
    fields = {item["id"]: item for item in form["body"] if "id" in item}
    assert {"date", "presenter", "pre-reading", "questions"} <= set(fields)
    assert all(fields[name]["validations"]["required"] for name in ["date", "presenter", "pre-reading"])
    assert "DOI" in fields["pre-reading"]["attributes"]["label"]
    streams = fields["stream"]["attributes"]["options"]
    assert tuple(streams) == new_meeting.read_settings(REPO).streams  # conf.py's, in its order
    config = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "config.yml").read_text(encoding="utf-8"))
    assert isinstance(config["blank_issues_enabled"], bool)


def test_the_pull_request_checklist_covers_adding_a_meeting():
    text = (GITHUB / "pull_request_template.md").read_text(encoding="utf-8")
    section = text.split("## Adding or announcing a meeting")[1].split("\n## ")[0]
    items = [line for line in section.splitlines() if line.startswith("- [ ] ")]
    assert len(items) >= 5
    for words in ["make new-meeting", "references.bib", "https://doi.org/", "make test", "e-mail"]:
        assert any(words in item for item in items), words
