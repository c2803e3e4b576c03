"""No build, good or bad, writes into the sources; this module runs after every other test."""

from __future__ import annotations

import pytest
from conftest import source_status


@pytest.mark.sphinx("html", testroot="meetings")
def test_no_build_or_test_writes_into_the_sources(book, app, sources_at_start):
    """The whole book (HTML and PDF), a tiny project, and every build of the tests before
    this one: none left a file in the repository outside _build/. On a fresh clone
    (CI) the status is empty."""
    app.build()
    assert source_status() == sources_at_start
