# The README's commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WHETSTONE_HOST ?= 127.0.0.1
WHETSTONE_PORT ?= 8000

.PHONY: install run test lint format openapi client docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list or the torch pin changes.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,ray]'
	$(BIN)/pip install --quiet --no-deps -e clients/python
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/whetstone serve --host $(WHETSTONE_HOST) --port $(WHETSTONE_PORT)

# Two workers (pytest-xdist), each test file whole on one of them so that a module's server
# and trained models are made once: most of the suite waits on server processes and jobs.
# The schemathesis run goes alone afterwards: its cases share one node id, which xdist counts
# as one test and runs once.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile --ignore=tests/fuzz
	$(BIN)/pytest tests/fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The committed spec: what `whetstone openapi` prints. tests/test_openapi.py fails when they differ.
openapi: install
	$(BIN)/whetstone openapi > openapi/openapi.json.tmp
	mv openapi/openapi.json.tmp openapi/openapi.json

# The generated client, from the committed spec, by the generator pinned in pyproject.toml. Its
# post-hooks run the venv's ruff, hence the PATH. tests/clients/ fails when regenerating changes it.
client: install
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/openapi-python-client generate \
	  --path openapi/openapi.json --config clients/openapi-python-client.yaml \
	  --custom-template-path clients/templates --meta setup \
	  --output-path clients/python --overwrite

# The reference site, offline: the generated hyperparameter table first, then mkdocs (material),
# which fails on any warning (a broken link or anchor, a page left out of the nav).
docs: install
	$(BIN)/python -m service.training.hyperparameters > docs/hyperparameters.md.tmp
	mv docs/hyperparameters.md.tmp docs/hyperparameters.md
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
