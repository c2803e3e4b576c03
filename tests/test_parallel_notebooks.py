"""With -j, the notebooks are spread over Sphinx's reading batches (plain functions, no build)."""

from __future__ import annotations

import pytest
from conftest import REPO
from parallel_notebooks import is_executed, spread
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
