# coi-audit: every install step lives here. A user runs `make demo` or `make test`.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
AVENV := .venv-assistant
PY := $(VENV)/bin/python
APY := $(AVENV)/bin/python
COI := $(VENV)/bin/coi-audit
RUN ?= $(shell ls -td runs/*/ 2>/dev/null | head -n 1)

.PHONY: help setup env env-assistant demo test lint format bench clean \
        assistant-train assistant-check system-deps report-screenshot lock

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

setup: env env-assistant  ## create or reuse both environments

env:  ## toolkit environment .venv (Python 3.11)
	@scripts/ensure-env.sh toolkit

env-assistant:  ## assistant environment .venv-assistant (Python 3.10, Rasa 3.6)
	@scripts/ensure-env.sh assistant

system-deps:  ## Debian packages the tests need (headless Chromium, pdftotext)
	@if ! command -v chromium >/dev/null || ! command -v pdftotext >/dev/null; then \
	  echo "installing Debian packages: chromium poppler-utils"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	fi

assistant-train: env-assistant  ## train the reference assistant (cached by a hash of its data)
	@$(APY) assistant/train.py --quiet

assistant-check: env-assistant assistant-train  ## rasa data validate, rasa test core/nlu, offer-engine unit tests
	@bash assistant/check.sh

lint: env  ## ruff lint and format check
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: env  ## apply ruff formatting
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

test: setup system-deps assistant-train lint  ## the whole suite, real assistant end to end included
	@$(PY) -m pytest
	@$(MAKE) --no-print-directory assistant-check

demo: setup assistant-train  ## train, start the assistant, run the default battery, write the report
	@$(COI) demo

bench: setup assistant-train  ## run every benchmark in bench/ and rewrite docs/benchmarks.md
	@for script in bench/*.py; do \
	  case $$script in bench/_*|bench/write_benchmarks.py) continue;; esac; \
	  echo "== $$script"; $(PY) $$script; \
	done
	@$(PY) bench/write_benchmarks.py

report-screenshot: env system-deps  ## screenshot of the report's first screen (RUN=runs/<id>)
	@test -n "$(RUN)" || { echo "error: no run found: pass RUN=runs/<id>" >&2; exit 1; }
	@$(PY) -m reports.screenshot "$(RUN)"

lock: env  ## refresh constraints.txt from the toolkit env (after changing pyproject.toml)
	@$(VENV)/bin/pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt

clean:  ## remove environments, trained models, runs and caches
	rm -rf $(VENV) $(AVENV) assistant/models assistant/.cache runs .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
