# A one-notebook book for the downloadable .ipynb (tests/test_notebook_downloads.py).
project = "Downloads test"
extensions = ["myst_nb", "notebook_downloads"]
exclude_patterns = ["_build"]
nb_execution_mode = "force"  # the tests also build it with "cache"
nb_merge_streams = True
nb_execution_timeout = 30
