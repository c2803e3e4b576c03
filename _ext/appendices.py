"""In the PDF, the book's last part is lettered: its appendices.

Sphinx's ``latex_appendices`` does nothing for ``howto`` documents (our
article-like PDF), and a toctree in the root document is inlined as more
numbered sections. This starts the appendices, with ``\\appendix``, right
before the document named by ``appendices_start`` once the LaTeX builder has
assembled the book: that page becomes appendix A and the pages under it A.1, A.2, ...
The website is unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


# A new page, then the appendices; their own headings stay out of the contents and the bookmarks
# below A.1, so that both list the syllabus first and stay equal.
APPENDIX = r"""\clearpage
\appendix
\addtocontents{toc}{\protect\setcounter{tocdepth}{2}}
\hypersetup{bookmarksdepth=2}
"""


class StartAppendices(SphinxPostTransform):
    """Put ``\\appendix`` before the inlined ``appendices_start`` document."""

    builders = ("latex",)
    default_priority = 1

    def run(self, **kwargs: Any) -> None:
        start = self.config.appendices_start
        if not start:
            return
        for node in self.document.findall(addnodes.start_of_file):
            if node.get("docname") == start:
                node.parent.insert(node.parent.index(node), nodes.raw("", APPENDIX, format="latex"))
                return
        raise ExtensionError(f"appendices_start: {start!r} is not in the PDF's toctree")


def setup(app: Sphinx) -> ExtensionMetadata:
    app.add_config_value("appendices_start", None, "env", types=frozenset({str, type(None)}))
    app.add_post_transform(StartAppendices)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
