"""Each notebook page offers its executed ``.ipynb`` and its MyST ``.md`` source.

When a notebook's page is written, both files are put beside the site
(``_notebooks/``) and the page's context gets ``notebook_downloads``, which
the theme component ``_templates/notebook-downloads.html`` shows as links.

The ``.ipynb`` is the notebook with the outputs its page shows. With
``nb_execution_mode = "cache"`` they come from the jupyter-cache, not from
MyST-NB's own copy (``_build/jupyter_execute/<docname>.ipynb``): MyST-NB 1.4
saves that copy without outputs whenever the cache had them, i.e. on every
build after the first. It is made reproducible on the way: its cells get
numbered ids (jupytext's are random) and, where MyST-NB merges a cell's
streams for the page (``nb_merge_streams``), one stream per name (how a
cell's printed lines are split up depends on when the kernel flushed them).
So two builds of one commit offer the same file.
"""

from __future__ import annotations

import copy
import shutil
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from jupyter_cache import get_cache
from myst_nb.core.read import create_nb_reader
from myst_nb.core.utils import coalesce_streams

if TYPE_CHECKING:
    from collections.abc import Callable

    from myst_nb.core.config import NbParserConfig
    from nbformat import NotebookNode
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata

FOLDER = "_notebooks"


def reproducible_notebook(notebook: NotebookNode, merged: Callable[[dict[str, Any]], bool]) -> str:
    """*notebook* (executed, outputs as the kernel sent them) with numbered cell ids and,
    where *merged* says so from a cell's metadata, one stream output per name."""
    notebook = copy.deepcopy(notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        cell["id"] = f"cell-{number}"
        if cell.cell_type == "code" and merged(cell.metadata):
            cell.outputs = coalesce_streams(cell.outputs)
    return nbformat.writes(notebook)


def executed_notebook(env: BuildEnvironment, docname: str) -> NotebookNode | None:
    """*docname*'s notebook with its outputs as the kernel sent them, or None."""
    config = env.mystnb_config
    if config.execution_mode == "cache":
        source = Path(env.doc2path(docname))
        text = source.read_text(encoding="utf-8")
        reader = create_nb_reader(str(source), env.myst_config, config, text)
        if reader is None:
            return None
        with suppress(KeyError):  # not in the cache: its execution failed
            return get_cache(config.execution_cache_path).merge_match_into_notebook(reader.read(text))[1]
        return None
    # Executed in this build: MyST-NB's copy has the outputs, but for the page it
    # has merged each cell's streams into the first one in place and kept the
    # others. Emptied, the others drop out again in reproducible_notebook().
    executed = Path(config.output_folder, docname + ".ipynb")
    if not executed.is_file():
        return None
    notebook = nbformat.read(executed, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and merges_streams(config)(cell.metadata):
            seen = set()
            for output in cell.outputs:
                if output.output_type == "stream":
                    if output.name in seen:
                        output.text = ""
                    seen.add(output.name)
    return notebook


def merges_streams(config: NbParserConfig) -> Callable[[dict[str, Any]], bool]:
    """Whether MyST-NB merges the streams of a cell, given the cell's metadata."""

    def merged(metadata: dict[str, Any]) -> bool:
        return bool(config.get_cell_level_config("merge_streams", metadata, lambda *args: None))

    return merged


def add_notebook_downloads(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Put a notebook page's two files into the site and link them from the page."""
    if doctree is None or not Path(app.env.mystnb_config.output_folder, pagename + ".ipynb").is_file():
        return  # not a notebook
    notebook = executed_notebook(app.env, pagename)
    if notebook is None:
        return
    merged = merges_streams(app.env.mystnb_config)
    target = Path(app.outdir, FOLDER, pagename)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.with_suffix(".ipynb").write_text(reproducible_notebook(notebook, merged), encoding="utf-8")
    shutil.copyfile(app.env.doc2path(pagename), target.with_suffix(".md"))
    root = context["pathto"]("", 1).rstrip("/")
    prefix = f"{root}/" if root and root != "#" else ""
    context["notebook_downloads"] = [
        ("Notebook with outputs (.ipynb)", f"{prefix}{FOLDER}/{pagename}.ipynb"),
        ("MyST source (.md)", f"{prefix}{FOLDER}/{pagename}.md"),
    ]


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", add_notebook_downloads)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
