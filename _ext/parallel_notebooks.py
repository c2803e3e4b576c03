"""With ``-j``, the notebooks run side by side: they are spread over the reading batches.

Sphinx reads in parallel by cutting the sorted list of pages into contiguous
batches, one process per batch. The notebooks sit together in that list
(``notebooks/...``), so with a cold cache one process would execute all of
them in turn while the others read plain pages. On ``env-before-read-docs``
(which may reorder the list) this places the pages MyST-NB executes at even
intervals through it, so that every batch gets its share. A serial build keeps
Sphinx's order. The notebooks write nothing but temporary files, and
jupyter-cache's database takes one writer at a time, so they are safe to run
at once, once the database exists: jupyter-cache creates it on first use
after checking that the file is missing, and two processes doing that at once
fail with "table settings already exists". So a parallel build creates it in
the main process before reading starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata


def spread(docnames: list[str], heavy: Collection[str]) -> list[str]:
    """*docnames* with those in *heavy* moved to even intervals, each group in its own order."""
    slow = [d for d in docnames if d in heavy]
    fast = iter(d for d in docnames if d not in heavy)
    if not slow or len(slow) == len(docnames):
        return list(docnames)
    step = len(docnames) / len(slow)
    places = {int((i + 0.5) * step): docname for i, docname in enumerate(slow)}
    return [places[i] if i in places else next(fast) for i in range(len(docnames))]


def is_executed(path: Path) -> bool:
    """A page MyST-NB runs: an .ipynb, or a MyST file whose front matter names a kernel."""
    if path.suffix == ".ipynb":
        return True
    with path.open(encoding="utf-8", errors="replace") as f:
        head = f.read(4096)
    front = head.split("\n---", 1)[0] if head.startswith("---") else ""
    return "kernelspec:" in front


def create_cache_database(path: str | Path) -> None:
    """Create jupyter-cache's database in *path*, if it is not there yet."""
    from jupyter_cache import get_cache  # noqa: PLC0415 (only parallel builds need it)

    get_cache(path).db  # noqa: B018 (the property creates the database)


def spread_notebooks(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if app.parallel <= 1 or len(docnames) < 2:
        return
    heavy = {d for d in docnames if is_executed(Path(env.doc2path(d)))}
    if heavy and env.mystnb_config.execution_mode == "cache":  # type: ignore[attr-defined]
        create_cache_database(env.mystnb_config.execution_cache_path)  # type: ignore[attr-defined]
    docnames[:] = spread(docnames, heavy)


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("env-before-read-docs", spread_notebooks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
