"""Each notebook page offers its executed ``.ipynb`` and its MyST ``.md`` source.

MyST-NB writes every executed notebook to its output folder
(``_build/jupyter_execute/<docname>.ipynb``). When a notebook's page is
written, both files are copied beside the site (``_notebooks/``) and the
page's context gets ``notebook_downloads``, which the theme component
``_templates/notebook-downloads.html`` shows as links.

The executed notebook is made reproducible on the way: jupytext gives its
cells random ids, and a cell's printed lines arrive as one or several stream
outputs depending on when the kernel flushed them. The copy numbers its cells
and gives each cell the merged streams that its page shows, so two builds of
one commit offer the same file. (With ``nb_merge_streams``, MyST-NB 1.4 merges
a cell's streams into the first one in place, for the page, but still saves
the later ones: saved as they are, the downloaded notebook would print those
lines twice.)
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import nbformat
from myst_nb.core.utils import coalesce_streams

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

FOLDER = "_notebooks"


def reproducible_notebook(text: str, merged: Callable[[dict[str, Any]], bool]) -> str:
    """*text*, an executed notebook, with numbered cell ids and its pages' streams.

    *merged* tells, from a cell's metadata, whether MyST-NB merged its streams.
    """
    notebook = nbformat.reads(text, as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number}"
        if cell.cell_type == "code" and merged(cell.metadata):
            # The first stream of each name already holds the merged text;
            # emptied, the others drop out, and the order matches the page.
            seen = set()
            for output in cell.outputs:
                if output.output_type == "stream":
                    if output.name in seen:
                        output.text = ""
                    seen.add(output.name)
            cell.outputs = coalesce_streams(cell.outputs)
    return nbformat.writes(notebook)


def add_notebook_downloads(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    """Copy a notebook page's two files into the site and link them from the page."""
    executed = Path(app.env.mystnb_config.output_folder, pagename + ".ipynb")
    if doctree is None or not executed.is_file():
        return
    source = Path(app.env.doc2path(pagename))
    target = Path(app.outdir, FOLDER, pagename)
    target.parent.mkdir(parents=True, exist_ok=True)
    config = app.env.mystnb_config

    def merged(metadata: dict[str, Any]) -> bool:
        return bool(config.get_cell_level_config("merge_streams", metadata, lambda *args: None))

    target.with_suffix(".ipynb").write_text(
        reproducible_notebook(executed.read_text(encoding="utf-8"), merged), encoding="utf-8")
    shutil.copyfile(source, target.with_suffix(".md"))
    root = context["pathto"]("", 1).rstrip("/")
    prefix = f"{root}/" if root and root != "#" else ""
    context["notebook_downloads"] = [
        ("Notebook with outputs (.ipynb)", f"{prefix}{FOLDER}/{pagename}.ipynb"),
        ("MyST source (.md)", f"{prefix}{FOLDER}/{pagename}.md"),
    ]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", add_notebook_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
