"""Sphinx configuration of the Online CryoEM Study Group book.

Read top to bottom: paths, project facts, what Sphinx reads, one section per
extension, then the HTML site and the LaTeX/PDF syllabus.
"""

from __future__ import annotations

import datetime
import os
import sys
from importlib import resources
from pathlib import Path

from sphinx.util.i18n import format_date

# -- Path setup ---------------------------------------------------------------

ROOT = Path(__file__).parent.resolve()
# The book's own extension lives in _ext/ (meetings: the schedule, the upcoming
# and past sections, the pre-reading lists and the calendar).
sys.path.insert(0, str(ROOT / "_ext"))

# -- Project information --------------------------------------------------------

project = "Online CryoEM Study Group"
author = "Geoffrey Woollard"
# %Y is the build year, taken from SOURCE_DATE_EPOCH when that is set, so that
# two builds of one commit agree.
copyright = "2022-%Y, Geoffrey Woollard and the study group's contributors"
# The date printed on the 2022 syllabus. It dates the PDF's title page and is
# the default "as-of" date that splits upcoming from past meetings.
EDITION = datetime.date(2022, 1, 18)
today = format_date("%B %-d, %Y", date=EDITION, language="en")
# Where the sources live on GitHub, and the branch the site is built from.
# The repository is not created yet: this is its intended address. It is stated
# here only; "Edit on GitHub" on every page and the header's GitHub icon use it.
GITHUB_URL = "https://github.com/online-cryoem-study-group/book"
GITHUB_BRANCH = "main"

# -- General configuration ----------------------------------------------------

extensions = [
    "myst_nb",  # MyST pages and jupytext notebooks (brings myst_parser itself)
    "sphinxcontrib.bibtex",
    "bibcheck",  # _ext/bibcheck.py: references.bib checked (keys, DOIs, fields) before it is read
    "sphinx.ext.mathjax",
    "meetings",  # _ext/meetings: meeting pages -> schedule, sections 4 and 6, calendar
    "appendices",  # _ext/appendices.py: the notebooks are the PDF's appendices
    "notebook_downloads",  # _ext/notebook_downloads.py: .ipynb and .md links on notebook pages
    "notebook_checks",  # _ext/notebook_checks.py: a notebook names its kernel; a failed run, its cell
    "numbered_header",  # _ext/numbered_header.py: "1. Dates and Topics" in the header too
    "parallel_notebooks",  # _ext/parallel_notebooks.py: with -j, notebooks run side by side
]

root_doc = "index"
# conf.py sits at the repository root, so read only what is the book: an
# allowlist instead of a growing list of folders to keep out.
include_patterns = [
    "index.md",
    "*.md",
    "meetings/*.md",
    "readings/*.md",
    "notebooks/*.md",
]
exclude_patterns = [
    "README.md",  # for people browsing the repository, not a page
    "CONTRIBUTING.md",  # likewise
    "meetings/_*.md",  # the template a contributor copies is not a meeting
    "_build",
    ".venv",
]
# Every cross-reference must resolve (make passes -n too; this keeps a plain
# sphinx-build call just as strict).
nitpicky = True
# Pages are written in English; the search index stems English words.
language = "en"

# -- MyST and MyST-NB -------------------------------------------------------------

myst_enable_extensions = [
    "dollarmath",  # $...$ and $$...$$ in pages and notebooks
    "amsmath",  # \begin{align} ... without $$
    "colon_fence",  # ::: blocks
    "deflist",
]
# Headings down to ### get anchors, so #section links in pages resolve.
myst_heading_anchors = 3

# Notebooks run at build time; jupyter-cache keeps their outputs, so an
# unchanged notebook is not run again. The cache lives with the build output
# (`make clean` forgets it); `make rerun-notebook NOTEBOOK=notebooks/NAME.md`
# makes one notebook run again at the next build.
nb_execution_mode = "cache"
# BOOK_JUPYTER_CACHE moves it: the reproducibility test builds the book twice,
# each time from an empty cache of its own.
nb_execution_cache_path = os.environ.get("BOOK_JUPYTER_CACHE") or str(ROOT / "_build" / ".jupyter_cache")
# 60 s per cell: every cell runs in well under a second on two cores; the
# limit only stops a runaway loop before CI's hour does.
nb_execution_timeout = 60
# A failing cell is reported as a warning (fatal under -W) naming the notebook,
# and --keep-going lists every failing notebook before the build stops;
# tracebacks go to _build/html/reports/.
nb_execution_raise_on_error = False
nb_execution_show_tb = True
# A cell's printed lines arrive as one or several outputs depending on when the
# kernel flushed them; merged, two builds of one commit print the same page.
nb_merge_streams = True
# PNG figures work in both outputs (LaTeX cannot take SVG).
nb_mime_priority_overrides = [
    ("latex", "image/svg+xml", None),
]

# -- sphinxcontrib-bibtex -----------------------------------------------------------

bibtex_bibfiles = ["references.bib"]
# unsrt keeps entries in the order they are given and prints DOIs and arXiv
# ids as links.
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"
bibtex_foot_reference_style = "foot"

# -- The meetings extension (_ext/meetings) ----------------------------------------

# The group's streams. Each regular stream names the reading-list page that
# holds its papers; "guest" slots name a speaker instead.
meetings_streams = {
    "mathy cryoem paper": "readings/mathy-cryoem-papers",
    "advanced rotations": "readings/rotations",
    "guest": None,
}
meetings_timezone = "America/Vancouver"  # where the organiser is
meetings_duration = 60  # minutes, unless a meeting says otherwise
# Each meeting page gives its time in these zones too (label, IANA zone).
meetings_display_zones = [
    ("Pacific", "America/Vancouver"),
    ("Eastern", "America/Toronto"),
    ("Central European", "Europe/Berlin"),
]
# Upcoming and past meetings are split on this date unless -D meetings_as_of=,
# MEETINGS_AS_OF or SOURCE_DATE_EPOCH says otherwise; the build prints which.
meetings_edition = EDITION.isoformat()
# What `make new-meeting` (tools/new_meeting.py) writes unless told otherwise:
# the group meets at 9:00 in meetings_timezone, and most weeks read a paper
# from the main stream.
meetings_default_time = "9:00"
meetings_default_stream = "mathy cryoem paper"

# -- HTML output --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = project
# Absolute links (the calendar's event URLs, <link rel="canonical">) start here.
# Read the Docs says where it publishes this version; elsewhere, the main site.
html_baseurl = os.environ.get(
    "READTHEDOCS_CANONICAL_URL", "https://online-cryoem-study-group.readthedocs.io/en/latest/"
)
html_static_path = [
    "_static",
    # MathJax from the installed package, so math typesets with no network.
    str(resources.files("mathjax") / "static" / "mathjax" / "es5" / "tex-svg-full.js"),
]
html_css_files = ["book.css"]
# Sphinx adds MathJax only to pages with math, from _static/.
mathjax_path = "tex-svg-full.js"
html_theme_options = {
    # Short header: the six numbered sections and the notebooks, nothing else.
    "navbar_center": ["navbar-sections"],
    "navbar_end": ["pdf-link", "theme-switcher", "navbar-icon-links"],
    "icon_links": [
        {"name": "GitHub", "url": GITHUB_URL, "icon": "fa-brands fa-github", "type": "fontawesome"},
    ],
    "secondary_sidebar_items": ["page-toc", "edit-this-page", "notebook-downloads", "sourcelink"],
    # "Edit on GitHub" opens the page's own source (html_context says where).
    "use_edit_page_button": True,
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright", "last-updated"],
    "footer_end": ["sphinx-version"],
    # The theme renders each template twice, first to drop those that come out
    # empty. These never do, so they skip that check (a fifth of the time a
    # page takes to write); page-toc, notebook-downloads, breadcrumbs and
    # sourcelink stay checked, as does the theme's own list of two.
    "templates_skip_empty_check": [
        "sidebar-nav-bs.html",
        "navbar-nav.html",
        "navbar-logo.html",
        "navbar-sections.html",
        "search-button-field.html",
        "pdf-link.html",
        "theme-switcher.html",
        "navbar-icon-links.html",
        "edit-this-page.html",
        "copyright.html",
        "last-updated.html",
        "sphinx-version.html",
    ],
}
# A meeting page lists no sibling meetings: at hundreds of meetings the list
# would fill every page, and an edit to one meeting would rewrite them all.
# Sections 4 and 6 list their meetings in the page itself: a sidebar would
# repeat the list (and double the page's weight and writing time).
html_sidebars = {"meetings/*": [], "upcoming-meetings": [], "past-meetings": []}
templates_path = ["_templates"]
# Every page's footer says when the book was built: the date of
# SOURCE_DATE_EPOCH when that is set (reproducible builds), else today.
html_last_updated_fmt = "%-d %B %Y"
_github_user, _github_repo = GITHUB_URL.removeprefix("https://github.com/").split("/")
html_context = {
    # The PDF syllabus is copied into the site's root by `make html` (on Read
    # the Docs too: .readthedocs.yaml runs it).
    "pdf_name": "online-cryoem-study-group.pdf",
    # The edit button's target: GITHUB_URL/edit/GITHUB_BRANCH/<page's source>;
    # conf.py sits at the repository root, so doc_path is empty.
    "github_user": _github_user,
    "github_repo": _github_repo,
    "github_version": GITHUB_BRANCH,
    "doc_path": "",
    # Light or dark as the reader's system says, until they choose. (Without a
    # value the theme logs a console error on a reader's first visit.)
    "default_mode": "auto",
}

# -- Link checking (`make linkcheck`, optional, needs the network) -------------------

# The tests check every link's form offline; this asks the live web. Publishers
# behind doi.org are slow and rate-limit robots: wait, retry, and go gently.
linkcheck_timeout = 30
linkcheck_retries = 2
linkcheck_workers = 4
linkcheck_rate_limit_timeout = 120
# GitHub builds its #fragments with JavaScript, so the anchors cannot be seen.
linkcheck_anchors_ignore_for_url = [r"https://github\.com/.*"]
# The site's own address: it is this build, published only after it passes.
linkcheck_ignore = [r"https://online-cryoem-study-group\.readthedocs\.io/.*"]

# -- LaTeX / PDF output ------------------------------------------------------------

# xelatex reads Unicode (Forré, Å, Greek) directly; latexmk runs it as often as
# the book needs.
latex_engine = "xelatex"
# xindy fails on a book with no index entries; makeindex is enough.
latex_use_xindy = False
latex_documents = [
    (
        root_doc,
        "online-cryoem-study-group.tex",
        project,
        "Geoffrey Woollard, Vancouver, Canada",
        "howto",  # an article, as the original was
        True,  # only the toctree of index.md: its own heading is the title
    )
]
latex_elements = {
    # Bookmarks carry their section numbers, as the contents do.
    "passoptionstopackages": r"\PassOptionsToPackage{bookmarksnumbered}{hyperref}",
    "papersize": "letterpaper",
    "pointsize": "11pt",
    # The original's contents go down to 2.5.1.
    "tocdepth": r"\setcounter{tocdepth}{3}",
    "preamble": r"\setcounter{secnumdepth}{3}",
    # No index: the original has none (and without \makeindex latexmk runs
    # no makeindex pass for it).
    "makeindex": "",
    "printindex": "",
    # fncychap styles chapters, which an article has none of; its \appendix
    # would ask for a chapter counter.
    "fncychap": "",
}
latex_show_urls = "no"
latex_domain_indices = False
# After section 6, the notebooks are the PDF's appendices: "A Coding
# notebooks", then A.1, A.2, ... (see _ext/appendices.py).
appendices_start = "notebooks/index"
