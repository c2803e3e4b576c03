# A one-page book whose references.bib is checked by _ext/bibcheck.py.
# The tests put the book's _ext/ on the Python path.

project = "Bibcheck test"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "bibcheck"]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "unsrt"
