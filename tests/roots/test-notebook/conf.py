# A one-notebook book whose notebook checks its own maths (the tests break it).
project = "Notebook test"
extensions = ["myst_nb"]
exclude_patterns = ["_build"]
nb_execution_mode = "force"
nb_execution_raise_on_error = False
nb_execution_timeout = 20
