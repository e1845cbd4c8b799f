#!/usr/bin/env bash
# `make cluster-test`: the `test` profile run twice from two temporary copies of this checkout,
# once locally and once through a real one-node SLURM cluster (tools/cluster/slurm.sh) with
# `snakemake --executor slurm`; then every output of the two runs is compared byte for byte
# (tools/cluster/compare.py: all but the files that report wall-clock time) and the SLURM run's
# report is assembled into a site whose links are checked (tools/site/assemble.py).
# The cluster is stopped and an existing /etc/slurm/slurm.conf restored on every exit (trap).
#
# Environment: VENV (default .venv), CLUSTER_TIMEOUT (seconds per Snakemake run, default 1800),
# KEEP=1 keeps the temporary copies (they are also kept when the test fails),
# CLUSTER_TEST_KEEP_LOCAL=DIR copies the local run's results/test there (`make jax-test` compares
# its JAX run with it instead of running the TensorFlow profile again: .ci/run does).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/${VENV:-.venv}/bin
PROFILE=test
TIMEOUT=${CLUSTER_TIMEOUT:-1800}
export CLUSTER_DIR=${CLUSTER_DIR:-/tmp/mnist-fooling-slurm}
[ -x "$BIN/snakemake" ] || {
    echo "cluster-test: no $BIN/snakemake (run make venv)" >&2
    exit 2
}
export PATH=$BIN:$PATH
unset PYTHONPATH
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mnist-fooling-cluster-test.XXXXXX")
started=$(date +%s)

finish() {
    local rc=$?
    trap - EXIT INT TERM
    "$ROOT/tools/cluster/slurm.sh" stop || true
    if [ "$rc" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$WORK"
    else
        echo "cluster-test: the two runs are kept in $WORK"
    fi
    if [ "$rc" -eq 0 ]; then
        echo "cluster-test: passed in $(($(date +%s) - started)) s"
    else
        echo "cluster-test: FAILED (exit $rc) after $(($(date +%s) - started)) s" >&2
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

copy_checkout() { # a copy of the checkout without outputs, caches or the venv
    mkdir -p "$1"
    tar -C "$ROOT" --exclude=./.git --exclude=./.venv --exclude=./results --exclude=./resources \
        --exclude=./logs --exclude=./.snakemake --exclude=./site --exclude=__pycache__ \
        --exclude='*.egg-info' --exclude=.pytest_cache --exclude=.ruff_cache -cf - . |
        tar -C "$1" -xf -
}

step() { echo "cluster-test: [$(($(date +%s) - started)) s] $*"; }

step "copies of the checkout in $WORK"
copy_checkout "$WORK/local"
copy_checkout "$WORK/slurm"
# MNIST is fetched once (compute nodes often have no internet) and shared by both runs.
mkdir -p "$WORK/local/resources" "$WORK/slurm/resources"
if [ -f "$ROOT/resources/mnist.npz" ]; then
    cp "$ROOT/resources/mnist.npz" "$WORK/local/resources/"
else
    (cd "$WORK/local" && timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE resources/mnist.npz >"$WORK/fetch.log" 2>&1) || {
        tail -n 30 "$WORK/fetch.log" >&2
        echo "cluster-test: fetching MNIST failed (log: $WORK/fetch.log)" >&2
        exit 1
    }
fi
cp "$WORK/local/resources/mnist.npz" "$WORK/slurm/resources/"

step "local run of the $PROFILE profile"
t0=$(date +%s)
(cd "$WORK/local" && timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE >"$WORK/local.log" 2>&1) || {
    tail -n 40 "$WORK/local.log" >&2
    echo "cluster-test: the local run failed (log: $WORK/local.log)" >&2
    exit 1
}
local_s=$(($(date +%s) - t0))
step "local run done in $local_s s"
if [ -n "${CLUSTER_TEST_KEEP_LOCAL:-}" ]; then
    rm -rf "$CLUSTER_TEST_KEEP_LOCAL" && mkdir -p "$(dirname "$CLUSTER_TEST_KEEP_LOCAL")"
    cp -a "$WORK/local/results/$PROFILE" "$CLUSTER_TEST_KEEP_LOCAL"
    step "local run's results/$PROFILE copied to $CLUSTER_TEST_KEEP_LOCAL"
fi

"$ROOT/tools/cluster/slurm.sh" start
step "SLURM run of the $PROFILE profile (snakemake --executor slurm, status by squeue)"
t0=$(date +%s)
# timeout -k: should the plugin ever wait on a status it cannot get, the run ends instead.
(cd "$WORK/slurm" && timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE \
    --workflow-profile tools/cluster/test-profile >"$WORK/slurm.log" 2>&1) || {
    rc=$?
    tail -n 60 "$WORK/slurm.log" >&2
    [ "$rc" -eq 124 ] && echo "cluster-test: the SLURM run did not finish within $TIMEOUT s" >&2
    echo "cluster-test: the SLURM run failed (log: $WORK/slurm.log)" >&2
    exit 1
}
slurm_s=$(($(date +%s) - t0))
submitted=$(grep -c "has been submitted with SLURM jobid" "$WORK/slurm.log" || true)
local_jobs=$(grep -Eo "^localrule [a-z_]+" "$WORK/slurm.log" | awk '{print $2}' | sort -u | tr '\n' ' ')
step "SLURM run done in $slurm_s s ($submitted SLURM jobs; run by Snakemake itself: ${local_jobs:-none})"
# Every submitted job must have run in SLURM and exited 0 (slurmctld's own log says so).
python "$ROOT/tools/cluster/jobs.py" "$CLUSTER_DIR/log/slurmctld.log" \
    "$WORK/slurm.log" "$WORK/slurm/logs/$PROFILE/benchmarks"
"$ROOT/tools/cluster/slurm.sh" stop

step "comparing results/$PROFILE of the two runs"
python "$ROOT/tools/cluster/compare.py" "$WORK/local/results/$PROFILE" "$WORK/slurm/results/$PROFILE"

step "the SLURM run's report as a site"
python "$ROOT/tools/site/assemble.py" "$WORK/slurm/results/$PROFILE/report" "$WORK/site"

step "wall clock: local run ${local_s} s, SLURM run ${slurm_s} s ($submitted jobs)"
echo "cluster-test: the SLURM run matched the local run"
