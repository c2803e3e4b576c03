"""Each notebook page offers its executed ``.ipynb`` and its MyST ``.md`` source.

MyST-NB writes every executed notebook to its output folder
(``_build/jupyter_execute/<docname>.ipynb``). When a notebook's page is
written, both files are copied beside the site (``_notebooks/``) and the
page's context gets ``notebook_downloads``, which the theme component
``_templates/notebook-downloads.html`` shows as links.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata

FOLDER = "_notebooks"


def add_notebook_downloads(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    """Copy a notebook page's two files into the site and link them from the page."""
    executed = Path(app.env.mystnb_config.output_folder, pagename + ".ipynb")
    if doctree is None or not executed.is_file():
        return
    source = Path(app.env.doc2path(pagename))
    target = Path(app.outdir, FOLDER, pagename)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target.with_suffix(".ipynb"))
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
