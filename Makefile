# Two entry points: `make run` and `make test`; each sets itself up from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench screenshots clean

$(STAMP): setup.cfg setup.py
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n auto

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

# every dialog and tab as a PNG at 1366x768 and 1920x1080 at 150 % (build/screenshots)
screenshots: $(STAMP)
	$(PY) scripts/screenshots.py --out build/screenshots

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
