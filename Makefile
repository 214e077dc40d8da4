# The commands behind the README. Every target sets up what it needs itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup test book book-smoke clean

# venv + exact pins (requirements.txt) under the full lock (constraints.txt) + the package
$(STAMP): requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q tests

clean:
	rm -rf _build book/_generated

# ---- the book: notebooks executed by `python -m ascnb run`, then Jupyter Book (execution off) ----
SHARED ?= ../shared
ESC10 ?= $(SHARED)/data/ESC-10
JUPYTER_BOOK := $(VENV)/bin/jupyter-book
WIDGETS := .widgets/_static/_widgets/.complete

.PHONY: widget-scripts

# the widget manager and require.js from the npm registry (pinned, checksummed), served by the book
$(WIDGETS): book/tools/fetch-widget-scripts.sh
	book/tools/fetch-widget-scripts.sh

widget-scripts: $(WIDGETS)

# quick profile on the synthetic scenes (plus any records in results/), then the book, warnings as errors
book: $(STAMP) $(WIDGETS)
	$(PY) book/tools/run_notebooks.py --profile quick
	$(JUPYTER_BOOK) build . -W
	@echo "book: _build/html/index.html"

# CI: every notebook in the smoke profile (ESC notebooks on real ESC-10 too), the book, the browser test
book-smoke: $(STAMP) $(WIDGETS)
	$(PY) book/tools/run_notebooks.py --profile smoke --esc10 $(ESC10)
	$(JUPYTER_BOOK) build . -W
	ASCNB_REQUIRE_BOOK=1 $(PY) -m pytest -q tests/book/test_browser.py
