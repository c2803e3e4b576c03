"""Make the next build run a notebook again, even though its code has not changed.

    python tools/rerun_notebook.py notebooks/fourier-shell-correlation.md [...]
    make rerun-notebook NOTEBOOK=notebooks/fourier-shell-correlation.md

myst-nb keeps each executed notebook in jupyter-cache (conf.py's
nb_execution_cache_path) and reuses it while the notebook's code cells are
unchanged. This drops the notebook's cached outputs and marks its source as
changed, so the next `make html` (or `make pdf`) executes it again. Nothing in
the source changes but its modification time.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cache_path_from_conf() -> Path:
    """The notebook cache that conf.py configures."""
    conf = runpy.run_path(str(ROOT / "conf.py"))
    return Path(conf["nb_execution_cache_path"])


def forget(notebook: Path, cache_dir: Path) -> str:
    """Drop `notebook`'s cached execution and touch it; return what was done."""
    from jupyter_cache import get_cache

    if not notebook.is_file():
        raise SystemExit(f"{notebook}: no such notebook")
    said = f"{notebook}: not in the cache yet; the next build runs it"
    if cache_dir.is_dir():
        cache = get_cache(str(cache_dir))
        try:
            record = cache.get_cached_project_nb(str(notebook.resolve()))
        except KeyError:  # never executed through this cache
            record = None
        if record is not None:
            cache.remove_cache(record.pk)
            said = f"{notebook}: cached outputs dropped; the next build runs it again"
    os.utime(notebook)  # Sphinx re-reads a page whose source is newer than its doctree
    return said


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks/NAME.md files")
    parser.add_argument("--cache", type=Path, help="jupyter-cache folder (default: conf.py's)")
    args = parser.parse_args(argv)
    cache_dir = args.cache or cache_path_from_conf()
    for notebook in args.notebooks:
        print(forget(notebook, cache_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
