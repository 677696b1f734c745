# Otklik: `make run` to try it, `make test` to check it. Setup steps are incremental.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_JS := node_modules/.installed
STAMP_STATIC := static/vendor/.installed

export OPENBLAS_NUM_THREADS := 1
export OMP_THREAD_LIMIT := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-browser lint format bench setup lock clean help

help:
	@echo "make run    — настроить всё, загрузить демо-данные и запустить на http://127.0.0.1:8000"
	@echo "make test   — настроить всё и прогнать тесты"
	@echo "make lint   — ruff и mypy"
	@echo "make bench  — бенчмарки из bench/"

$(STAMP_PY): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Нужен Python 3.12 или новее: $(PYTHON) слишком старый")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(STAMP_JS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP_STATIC): $(STAMP_JS)
	rm -rf static/vendor
	mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
	cp -r node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	@touch $@

setup: $(STAMP_PY) $(STAMP_STATIC)

run: setup
	$(VENV)/bin/otklik run

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	@set -e; for f in bench/*.py; do echo "== $$f"; $(PY) $$f; done

# Re-pin dependencies after editing requirements.in or package.json: versions and hashes only
# (npm's lock also loses the packages' funding links, so no address is recorded).
lock: $(STAMP_PY)
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile requirements.in --generate-hashes --python-version 3.12 --no-header -o requirements.lock
	npm install --package-lock-only --no-audit --no-fund --loglevel=error
	$(PY) -c 'import json; p = "package-lock.json"; d = json.load(open(p)); [v.pop("funding", None) for v in d["packages"].values()]; open(p, "w").write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")'

clean:
	rm -rf $(VENV) node_modules static/vendor var/static
