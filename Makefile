# Two set-up commands on a fresh machine:
#   make run    create .venv from requirements.txt and start the lab
#   make test   create .venv with the test packages too and run every test
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench venv dev-venv

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.app-installed $@

venv: $(VENV)/.app-installed
dev-venv: $(VENV)/.dev-installed

run: venv
	$(BIN)/streamlit run app.py

test: dev-venv
	$(BIN)/python -m pytest -q

bench: dev-venv
	for f in benchmarks/*.py; do case $$f in *real_voice_proxy.py|*proxy_misses.py|*proxy_table.py|*room_changes.py) continue;; esac; $(BIN)/python $$f; done  # the proxy trains, proxy_misses and proxy_table read its runs and reports, room_changes needs the word's takes: by hand
