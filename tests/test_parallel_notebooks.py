"""With -j, the notebooks are spread over Sphinx's reading batches, their cache made first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import REPO, STRICT, copy_root, sphinx_build
from parallel_notebooks import create_cache_database, is_executed, spread
from sphinx.util.parallel import make_chunks


@pytest.mark.parametrize("pages", [30, 1020])
def test_each_reading_batch_gets_its_share_of_the_notebooks(pages):
    docnames = [f"page-{i:04d}" for i in range(pages - 8)] + [f"zz-notebook-{i}" for i in range(8)]
    notebooks = {d for d in docnames if "notebook" in d}
    order = spread(docnames, notebooks)
    assert sorted(order) == sorted(docnames)  # the same pages, each once
    assert [d for d in order if d in notebooks] == sorted(notebooks)  # each group keeps its order
    chunks = make_chunks(order, 2)  # how Sphinx cuts the list for -j 2
    per_chunk = [sum(d in notebooks for d in chunk) for chunk in chunks]
    assert max(per_chunk) <= max(1, 8 // len(chunks) + 1)
    # Sphinx's own order would give one batch every notebook.
    assert max(sum(d in notebooks for d in chunk) for chunk in make_chunks(docnames, 2)) >= 4


def test_nothing_to_spread_keeps_the_order():
    assert spread(["a", "b"], set()) == ["a", "b"]
    assert spread(["a", "b"], {"a", "b"}) == ["a", "b"]


def test_the_book_s_notebooks_are_recognised():
    assert is_executed(REPO / "notebooks" / "map-alignment.md")
    assert not is_executed(REPO / "notebooks" / "index.md")
    assert not is_executed(REPO / "meetings" / "2022-01-21-vesper.md")


def test_the_cache_database_is_made_whole_once(tmp_path):
    cache = tmp_path / "cache"
    create_cache_database(cache)
    create_cache_database(cache)  # there already: left alone
    assert {"settings", "nbcache"} <= tables(cache)


def tables(cache: Path) -> set[str]:
    with sqlite3.connect(cache / "global.db") as db:
        return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


PROBE = """
from pathlib import Path


def setup(app):
    def record(app, env, docnames):
        there = Path(env.mystnb_config.execution_cache_path).exists()
        Path(app.outdir, "cache-before-reading.txt").write_text(str(there))

    app.connect("env-before-read-docs", record, priority=900)  # after parallel_notebooks
    return {"parallel_read_safe": True, "parallel_write_safe": True}
"""


def cache_before_reading(tmp_path: Path, *jobs: str) -> bool:
    """Build the notebook book with an empty cache; was the cache there when reading began?"""
    project = copy_root("notebook", tmp_path)
    (project / "probe.py").write_text(PROBE)
    with (project / "conf.py").open("a") as conf:
        conf.write('\nimport sys\nsys.path.insert(0, ".")\nextensions += ["parallel_notebooks", "probe"]\n')
    cache, out = tmp_path / "cache", tmp_path / "out"
    options = ["-D", "nb_execution_mode=cache", "-D", f"nb_execution_cache_path={cache}"]
    result = sphinx_build("-b", "html", project, out, *STRICT, *options, *jobs, cwd=project)
    assert result.returncode == 0, result.stderr
    assert {"settings", "nbcache"} <= tables(cache)
    return (out / "cache-before-reading.txt").read_text() == "True"


def test_a_parallel_build_makes_the_cache_database_before_reading(tmp_path):
    """Two reading processes must not both find the database missing and create it."""
    assert cache_before_reading(tmp_path, "-j", "2")


def test_a_serial_build_leaves_the_cache_to_myst_nb(tmp_path):
    assert not cache_before_reading(tmp_path)
