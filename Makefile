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

.PHONY: report test lint pytest venv clean help reliability cluster-test site

help:
	@echo "make report [PROFILE=test|quick|default|paper]  reproduce the report into results/<profile>/"
	@echo "make test                                        lint + unit and end-to-end tests"
	@echo "make reliability [TRIALS=10]                     kill-and-resume and bad-input checks"
	@echo "make cluster-test                                the test profile through a one-node SLURM cluster"
	@echo "make site [PROFILE=...]                          results/<profile>/site: the pages GitHub Pages serves"

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
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

pytest: $(STAMP)
	$(BIN)/python -m pytest -q --durations=15

test: lint pytest

# N interrupted runs of the test profile (default 10), resumed and compared byte for byte,
# plus every kind of bad input; writes results/reliability/{summary,bad_inputs}.csv.
TRIALS ?= 10
reliability: $(STAMP)
	$(BIN)/python tools/reliability.py --trials $(TRIALS) --out results/reliability

# A real one-node SLURM cluster on this machine (installs slurm + munge with apt when missing,
# needs root): the test profile locally and through `snakemake --executor slurm`, compared byte
# for byte; the cluster is stopped on every exit. See tools/cluster/.
cluster-test: $(STAMP)
	tools/cluster/cluster-test.sh

# The published site: the report (HTML, PDF), the explorer and every page or image they link,
# in results/<profile>/site/ (index.html opens the report); fails on any dead relative link.
site: report
	$(BIN)/python tools/site/assemble.py results/$(PROFILE)/report results/$(PROFILE)/site

clean:
	rm -rf results logs .snakemake
