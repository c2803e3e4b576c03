"""Run a Sphinx build in this process and record which pages Sphinx read and wrote.

Usage (run.py does this)::

    BENCH_COUNTS=out.json python bench/measure.py sphinx -b html SRC OUT ...
    BENCH_COUNTS=out.json python bench/measure.py jupyter-book build SRC ...

The counts are Sphinx's own: *read* is the list of documents Sphinx hands to
its readers (the ``env-before-read-docs`` event, after every extension's
``env-get-outdated``); *written* is every document the builder writes
(``Builder.write_doc_serialized``, called in the main process for each page,
serial or parallel), or for LaTeX every document put into the .tex file.
Nothing in the book is changed: the hooks are attached to the application
object when its build starts.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from typing import Any

from sphinx import addnodes
from sphinx.application import Sphinx

record: dict[str, list[str]] = {"read": [], "written": []}


def _count_reads(app: Sphinx, env: Any, docnames: list[str]) -> None:
    record["read"].extend(docnames)


def _attach(app: Sphinx) -> None:
    app.connect("env-before-read-docs", _count_reads)
    builder = app.builder
    write_doc_serialized = builder.write_doc_serialized

    def counted_write(docname: str, doctree: Any) -> None:
        record["written"].append(docname)
        write_doc_serialized(docname, doctree)

    builder.write_doc_serialized = counted_write  # type: ignore[method-assign]
    assemble = getattr(builder, "assemble_doctree", None)
    if assemble is not None:  # LaTeX: one .tex file made of many documents

        def counted_assemble(indexfile: str, *args: Any, **kwargs: Any) -> Any:
            tree = assemble(indexfile, *args, **kwargs)
            record["written"].append(indexfile)
            record["written"] += [n["docname"] for n in tree.findall(addnodes.start_of_file)]
            return tree

        builder.assemble_doctree = counted_assemble  # type: ignore[method-assign]


def _dump() -> None:
    path = os.environ.get("BENCH_COUNTS")
    if path:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(record, f)


_original_build = Sphinx.build


def _build(self: Sphinx, *args: Any, **kwargs: Any) -> None:
    _attach(self)
    _original_build(self, *args, **kwargs)


def main() -> None:
    Sphinx.build = _build  # type: ignore[method-assign]
    atexit.register(_dump)
    tool, args = sys.argv[1], sys.argv[2:]
    sys.argv = [tool, *args]
    if tool == "sphinx":
        from sphinx.cmd.build import main as sphinx_main

        sys.exit(sphinx_main(args))
    if tool == "jupyter-book":
        from jupyter_book.cli.main import main as jb_main

        jb_main()
    raise SystemExit(f"measure.py: unknown tool {tool!r} (sphinx or jupyter-book)")


if __name__ == "__main__":
    main()
