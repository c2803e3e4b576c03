"""The downloadable .ipynb has the outputs its page shows, once each, on every build."""

from __future__ import annotations

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import STRICT, copy_root, sphinx_build


@pytest.mark.parametrize("mode", ["force", "cache"])
def test_the_notebook_prints_each_line_once_with_numbered_cells(mode, tmp_path):
    project = copy_root("downloads", tmp_path)
    options = ["-D", f"nb_execution_mode={mode}", "-D", f"nb_execution_cache_path={tmp_path / 'cache'}"]
    # In "cache" mode the second build takes the outputs from the cache: MyST-NB's own copy of the
    # executed notebook then has none.
    for _ in range(2 if mode == "cache" else 1):
        result = sphinx_build("-b", "html", project, tmp_path / "html", "-E", *STRICT, *options)
        assert result.returncode == 0, result.stderr
    html = tmp_path / "html"
    page = BeautifulSoup((html / "printing.html").read_text(encoding="utf-8"), "html.parser")
    shown = [block.get_text() for block in page.select(".output.stream pre")]
    assert shown == ["line 0\nline 1\nline 2\n"]
    notebook = nbformat.read(html / "_notebooks" / "printing.ipynb", as_version=4)
    streams = [out.text for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert streams == ["line 0\nline 1\nline 2\n"]
    assert [cell.id for cell in notebook.cells] == [f"cell-{n}" for n in range(1, len(notebook.cells) + 1)]
