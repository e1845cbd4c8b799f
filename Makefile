# Two entry points: `make report` (full reproduction) and `make test` (lint + tests).
# Both create .venv on first use; nothing depends on packages installed by hand.
PROFILE ?= default
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Workflow jobs run `python -m mnist_fooling`: put the venv first on PATH for them.
export PATH := $(BIN):$(PATH)

# The default profile is Snakemake's workflow profile (profiles/default), used when none is named.
ifeq ($(PROFILE),default)
SNAKEMAKE_PROFILE :=
else
SNAKEMAKE_PROFILE := --profile profiles/$(PROFILE)
endif

.PHONY: report test lint pytest venv clean help reliability

help:
	@echo "make report [PROFILE=test|quick|default|paper]  reproduce the report into results/<profile>/"
	@echo "make test                                        lint + unit and end-to-end tests"
	@echo "make reliability [TRIALS=10]                     kill-and-resume and bad-input checks"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	@touch $@

venv: $(STAMP)

report: $(STAMP)
	@test -f profiles/$(PROFILE)/config.yaml || { echo "make: no profile '$(PROFILE)' (see profiles/)" >&2; exit 2; }
	$(BIN)/snakemake $(SNAKEMAKE_PROFILE)
	@echo "report: results/$(PROFILE)/report/report.html and report.pdf"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint -n

pytest: $(STAMP)
	$(BIN)/python -m pytest -q --durations=15

test: lint pytest

# N interrupted runs of the test profile (default 10), resumed and compared byte for byte,
# plus every kind of bad input; writes results/reliability/{summary,bad_inputs}.csv.
TRIALS ?= 10
reliability: $(STAMP)
	$(BIN)/python tools/reliability.py --trials $(TRIALS) --out results/reliability

clean:
	rm -rf results logs .snakemake
