# Build rules for the Online CryoEM Study Group book.
#
#   make html      the website in _build/html, with the PDF syllabus inside it
#   make test      every test (installs what it needs first)
#
# Every target that needs Python first creates .venv/ and installs
# requirements.txt into it; the targets that need TeX first make sure Debian's
# TeX packages are there. Run `make help` for the rest.

SPHINXBUILD   = $(VENV)/bin/sphinx-build
# Warnings are errors, all of them are reported before failing, and every
# cross-reference must resolve.
SPHINXOPTS   ?= -W --keep-going -n
SOURCEDIR     = .
BUILDDIR      = _build
VENV          = .venv
PYTHON       ?= python3
PDFNAME       = online-cryoem-study-group.pdf
# Never stop at a TeX prompt: a TeX error ends the run with its message.
export LATEXOPTS = -interaction=nonstopmode -halt-on-error

# Debian's packages for the PDF: latexmk drives xelatex (a Unicode engine);
# latex-extra has fncychap and wrapfig, which Sphinx's LaTeX needs;
# fonts-recommended has the symbol fonts; freefont is Sphinx's default xelatex font.
TEX_PACKAGES  = latexmk texlive-latex-recommended texlive-latex-extra \
                texlive-fonts-recommended texlive-xetex fonts-freefont-otf

.PHONY: help venv tex chromium html html-only pdf livehtml rerun-notebook test check linkcheck new-meeting bench clean Makefile

help:
	@echo "make html       website in $(BUILDDIR)/html, with the PDF syllabus"
	@echo "make html-only  website without building the PDF (faster previews)"
	@echo "make pdf        PDF syllabus in $(BUILDDIR)/latex/$(PDFNAME)"
	@echo "make livehtml   preview that rebuilds as you edit (sphinx-autobuild)"
	@echo "make rerun-notebook NOTEBOOK=notebooks/NAME.md"
	@echo "                run that notebook again at the next build (its cache entry is dropped)"
	@echo "make test       the whole test suite"
	@echo "make new-meeting DATE=YYYY-MM-DD [TITLE=\"...\"] [TIME=H:MM] [STREAM=\"...\"] [SPEAKER=\"...\"] [PRE_READING=\"key ...\"]"
	@echo "                a new meeting file (no TITLE: an unannounced slot); see CONTRIBUTING.md"
	@echo "make check      the quick checks of pre-commit: meetings, references.bib, ruff, codespell"
	@echo "make linkcheck  check every external link on the live web (optional; needs network)"
	@echo "make bench      time every kind of build at 10, 200 and 1,000 meetings (about 2 hours, see bench/README.md;"
	@echo "                smaller: make bench RUNS=1 SIZES=\"10 200\" ROWS=\"no change,edit\" PEER=no)"
	@echo "make clean      remove $(BUILDDIR) (and with it the notebook cache)"
	@echo "Any other Sphinx builder works too: make latex, make epub, ..."

# --- Set-up -----------------------------------------------------------------

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian: apt-get install python3-venv"; exit 1; }
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt
	@touch $@

tex:
	@if command -v latexmk >/dev/null 2>&1 && command -v xelatex >/dev/null 2>&1 \
	    && kpsewhich fncychap.sty >/dev/null 2>&1 && fc-list 2>/dev/null | grep -q FreeSerif; then \
	  : ; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing TeX from Debian's packages: $(TEX_PACKAGES)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $(TEX_PACKAGES) >/dev/null; \
	else \
	  echo "TeX is missing. Install these Debian packages, then run make again:"; \
	  echo "  sudo apt-get install --no-install-recommends $(TEX_PACKAGES)"; \
	  exit 1; \
	fi

# The browser tests drive Debian's Chromium through Playwright (never
# `playwright install`, which downloads a browser of its own).
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
	  : ; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends chromium >/dev/null; \
	else \
	  echo "Chromium is missing. Install this Debian package, then run make again:"; \
	  echo "  sudo apt-get install --no-install-recommends chromium"; \
	  exit 1; \
	fi

# --- Books ------------------------------------------------------------------

html: pdf html-only
	cp $(BUILDDIR)/latex/$(PDFNAME) $(BUILDDIR)/html/$(PDFNAME)

html-only: venv
	$(SPHINXBUILD) -b html "$(SOURCEDIR)" "$(BUILDDIR)/html" $(SPHINXOPTS) $(O)

pdf: venv tex
	$(SPHINXBUILD) -M latexpdf "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)

livehtml: venv
	$(VENV)/bin/sphinx-autobuild "$(SOURCEDIR)" "$(BUILDDIR)/html" $(SPHINXOPTS) $(O) \
	  --watch _ext --watch references.bib --ignore "$(BUILDDIR)/*" --ignore "$(VENV)/*"

# The notebook cache reuses a notebook's outputs while its code is unchanged;
# this makes the next build execute NOTEBOOK again.
rerun-notebook: venv
	@test -n "$(NOTEBOOK)" || { echo "Usage: make rerun-notebook NOTEBOOK=notebooks/NAME.md"; exit 2; }
	$(VENV)/bin/python tools/rerun_notebook.py $(NOTEBOOK)

# --- Contributing -------------------------------------------------------------

# tools/new_meeting.py does the work (`.venv/bin/python tools/new_meeting.py --help`).
# The variables reach it through the environment, so quotes in a title survive.
new-meeting: venv
	@test -n "$$DATE" || { echo 'Usage: make new-meeting DATE=YYYY-MM-DD [TITLE="..."] [TIME=H:MM]' \
	  '[STREAM="..."] [SPEAKER="..."] [PRE_READING="key1 key2"]'; exit 2; }
	@$(VENV)/bin/python tools/new_meeting.py --date "$$DATE" $${TITLE:+--title "$$TITLE"} \
	  $${TIME:+--time "$$TIME"} $${STREAM:+--stream "$$STREAM"} $${SPEAKER:+--speaker "$$SPEAKER"} \
	  $${PRE_READING:+--pre-reading $$PRE_READING}

# --- Checks -----------------------------------------------------------------

test: venv tex chromium
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

# What the pre-commit hooks check, in seconds and without building the book.
check: venv
	$(VENV)/bin/python tools/check_content.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	git ls-files -z | xargs -0 $(VENV)/bin/codespell

# Optional, and the one target that needs the network: every external link,
# asked on the live web (conf.py's linkcheck_* settings). Report:
# $(BUILDDIR)/linkcheck/output.txt. `make test` checks links offline.
linkcheck: venv
	$(SPHINXBUILD) -b linkcheck "$(SOURCEDIR)" "$(BUILDDIR)/linkcheck" $(SPHINXOPTS) $(O)
# The benchmark (bench/README.md): the table goes to stdout and to
# $(BUILDDIR)/bench/results.md. Jupyter Book 1, the peer, gets its own virtual
# environment in $(BUILDDIR)/bench/peer-venv from bench/requirements-peer.txt.
RUNS         ?= 5
WARMUP       ?= 1
SIZES        ?= 10 200 1000
ROWS         ?= clean,clean -j,cold,cold -j,no change,edit,add,delete,pdf
PEER         ?= yes
PEER_RUNS    ?= $(RUNS)
PEER_VENV     = $(BUILDDIR)/bench/peer-venv

bench: venv tex $(if $(filter yes,$(PEER)),$(PEER_VENV)/.installed)
	$(VENV)/bin/python bench/run.py --runs $(RUNS) --warmup $(WARMUP) --sizes "$(SIZES)" \
	  --rows "$(ROWS)" $(if $(filter yes,$(PEER)),--peer-python $(PEER_VENV)/bin/python --peer-runs $(PEER_RUNS))

$(PEER_VENV)/.installed: bench/requirements-peer.txt
	@test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/python -m pip install --quiet -r bench/requirements-peer.txt
	@touch $@

clean:
	rm -rf $(BUILDDIR)

# Files that are never made: without these empty rules the catch-all below
# would try to "build" them.
requirements.txt bench/requirements-peer.txt Makefile: ;

# Sphinx's "make mode" for every other builder (linkcheck, latex, ...).
%: Makefile venv
	$(SPHINXBUILD) -M $@ "$(SOURCEDIR)" "$(BUILDDIR)" $(SPHINXOPTS) $(O)
