# A tiny book for the meetings extension's tests: four meetings, two streams
# and a guest slot, two references.
# The tests put the book's _ext/ on the Python path.

project = "Test group"
extensions = ["myst_parser", "sphinxcontrib.bibtex", "meetings"]
exclude_patterns = ["_build"]
nitpicky = True
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "unsrt"
meetings_streams = {"mathy": "readings", "rotations": None, "guest": None}
meetings_timezone = "America/Vancouver"
meetings_display_zones = [
    ("Pacific", "America/Vancouver"),
    ("Eastern", "America/Toronto"),
    ("Central European", "Europe/Berlin"),
]
meetings_edition = "2022-01-18"
html_baseurl = "https://example.org/book/"
