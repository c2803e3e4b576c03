"""Notebooks that cannot run, or did not, are reported at the line to fix.

Two checks on the pages MyST-NB reads as notebooks:

* A notebook names its kernel. A MyST file with a ``jupytext:`` header but no
  ``kernelspec:`` would quietly run in whatever kernel is the default; it is
  reported at the header (``notebooks/x.md:1: WARNING: ... field 'kernelspec'``).
  (A file with code cells and no header at all is MyST-NB's own warning, at the
  first ``code-cell``.)
* A failed run names its cell. MyST-NB reports a failed run as
  ``notebooks/x.md: WARNING: Executing notebook failed: CellExecutionError``:
  the file, but not where in it. This finds the cell that was running when the
  run stopped (an error stops it there, and so does a timeout) in the executed
  notebook MyST-NB saved, and warns at that cell's line::

      notebooks/x.md:42: WARNING: this cell failed: AssertionError: x is not 2

  MyST-NB's own warning (with the traceback) and the report in
  ``_build/html/reports/`` stay as they are.

Both are warnings, fatal under ``-W``, so ``--keep-going`` lists every one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import yaml
from myst_nb.core.read import is_myst_markdown_notebook
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.util import logging

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

logger = logging.getLogger(__name__)


def check_kernelspec(app: Sphinx, docname: str, source: list[str]) -> None:
    """Warn when a jupytext MyST notebook's header names no kernel."""
    text = source[0]
    if not text.startswith("---") or not is_myst_markdown_notebook(text):
        return
    try:
        header = yaml.safe_load(text.split("---", 2)[1]) or {}
    except yaml.YAMLError:
        return  # MyST reports a broken header itself
    kernel = header.get("kernelspec") if isinstance(header, dict) else None
    if not isinstance(kernel, dict) or not kernel.get("name"):
        logger.warning(
            "field 'kernelspec': a notebook's header names its kernel "
            "(kernelspec: name: python3, display_name and language)",
            location=(docname, 1),
            type="notebook",
            subtype="kernelspec",
        )


def failed_cell(notebook: Any) -> tuple[int | None, str]:
    """The source line of the cell whose run stopped *notebook*'s, and what went wrong."""
    lines = notebook.metadata.get("source_map", [])
    stopped = None
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code" or cell.get("execution_count") is None:
            continue
        stopped = index
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        if errors:
            return (
                lines[index] if index < len(lines) else None,
                f"{errors[0].get('ename')}: {errors[0].get('evalue')}",
            )
    if stopped is None:
        return None, "the notebook did not start"
    return (
        lines[stopped] if stopped < len(lines) else None,
        "it did not finish (a timeout, or the kernel died)",
    )


def report_failed_cell(app: Sphinx, doctree: nodes.document) -> None:
    """Warn at the failed cell's line of a notebook page whose run failed."""
    env = app.env
    data = NbMetadataCollector.get_exec_data(env, env.docname)
    if not data or data.get("succeeded", True):
        return
    executed = Path(env.mystnb_config.output_folder, env.docname + ".ipynb")
    if not executed.is_file():
        return
    line, what = failed_cell(nbformat.read(executed, as_version=4))
    if data.get("error") == "CellTimeoutError":  # nbclient interrupted it: not the cell's own error
        what = f"it ran longer than nb_execution_timeout ({env.mystnb_config.execution_timeout} s)"
    logger.warning(
        "this cell failed: %s (traceback: %s)",
        what,
        f"reports/{env.docname}.err.log",
        location=(env.docname, line),
        type="notebook",
        subtype="failed_cell",
    )


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("source-read", check_kernelspec)
    app.connect("doctree-read", report_failed_cell)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
