"""The header lists the book's top-level sections with their numbers ("1. Dates and Topics").

pydata-sphinx-theme's header shows top-level titles without the numbers that
the sidebars, the contents and the headings carry. This gives each page a
``book_sections`` context value, shown by ``_templates/navbar-sections.html``
in place of the theme's ``navbar-nav``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata


def top_level_ancestor(env: BuildEnvironment, docname: str) -> str | None:
    """The root document's child that contains *docname* (or is it)."""
    parents = {child: parent for parent, children in env.toctree_includes.items() for child in children}
    seen = set()
    while docname in parents and docname not in seen:
        seen.add(docname)
        if parents[docname] == env.config.root_doc:
            return docname
        docname = parents[docname]
    return None


def add_book_sections(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    env = app.env
    current = top_level_ancestor(env, pagename)
    sections = []
    for docname in env.toctree_includes.get(app.config.root_doc, []):
        number = env.toc_secnumbers.get(docname, {}).get("")
        sections.append(
            {
                "number": ".".join(map(str, number)) if number else "",
                "title": env.titles[docname].astext(),
                "href": context["pathto"](docname),
                "current": docname == current,
                "current_page": docname == pagename,
            }
        )
    context["book_sections"] = sections


def setup(app: Sphinx) -> ExtensionMetadata:
    app.connect("html-page-context", add_book_sections)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
