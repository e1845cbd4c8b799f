#!/usr/bin/env bash
# `make jax-test`: the `test` profile run end to end from two temporary copies of this checkout,
# once on TensorFlow (the CPU default) and once with KERAS_BACKEND=jax and
# MNIST_FOOLING_SEARCH=device (the GPU path: Keras on JAX, the searches on the device path, here
# on the CPU), report included; then tools/jax/compare.py compares the two runs (what and why:
# its docstring and docs/gpu.md) and writes results/jax-test/summary.csv.
#
# Environment: VENV (default .venv), JAX_TEST_TIMEOUT (seconds per Snakemake run, default
# 1800), MNIST (an mnist.npz to use instead of resources/mnist.npz or a download),
# SERIAL=1 runs the two profiles one after the other instead of side by side, KEEP=1 keeps the
# temporary copies (they are also kept when the test fails), JAX_TEST_REFERENCE=DIR compares
# with the finished TensorFlow run's results/test in DIR instead of running it here (.ci/run
# passes the local run of `make cluster-test`, which is that run: the same checkout and profile).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$ROOT/${VENV:-.venv}/bin
PROFILE="test"
TIMEOUT=${JAX_TEST_TIMEOUT:-1800}
OUT=$ROOT/results/jax-test
[ -x "$BIN/snakemake" ] || {
    echo "jax-test: no $BIN/snakemake (run make dev-venv)" >&2
    exit 2
}
"$BIN/python" -c "import jax" 2>/dev/null || {
    echo "jax-test: JAX is not installed in $BIN (run make dev-venv)" >&2
    exit 2
}
REFERENCE=${JAX_TEST_REFERENCE:-}
if [ -n "$REFERENCE" ] && [ ! -f "$REFERENCE/report/report.html" ]; then
    echo "jax-test: JAX_TEST_REFERENCE=$REFERENCE is not a finished results/$PROFILE folder" >&2
    exit 2
fi
export PATH=$BIN:$PATH
unset PYTHONPATH MNIST_FOOLING_SEARCH
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mnist-fooling-jax-test.XXXXXX")
started=$(date +%s)

finish() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "$rc" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$WORK"
    else
        echo "jax-test: the two runs are kept in $WORK"
    fi
    if [ "$rc" -eq 0 ]; then
        echo "jax-test: passed in $(($(date +%s) - started)) s"
    else
        echo "jax-test: FAILED (exit $rc) after $(($(date +%s) - started)) s" >&2
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

step() { echo "jax-test: [$(($(date +%s) - started)) s] $*"; }

run_profile() { # NAME BACKEND: the test profile in $WORK/NAME, log in $WORK/NAME.log
    local name=$1 t0
    t0=$(date +%s)
    if [ "$2" = jax ]; then
        (cd "$WORK/$name" && KERAS_BACKEND=jax MNIST_FOOLING_SEARCH=device \
            timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE >"$WORK/$name.log" 2>&1)
    else
        (cd "$WORK/$name" && KERAS_BACKEND=tensorflow \
            timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE >"$WORK/$name.log" 2>&1)
    fi || {
        tail -n 40 "$WORK/$name.log" >&2
        echo "jax-test: the $name run failed (log: $WORK/$name.log)" >&2
        return 1
    }
    echo "$(($(date +%s) - t0))" >"$WORK/$name.seconds"
}

step "copies of the checkout in $WORK"
copy_checkout "$WORK/jax"
[ -n "$REFERENCE" ] || copy_checkout "$WORK/tensorflow"
mkdir -p "$WORK/jax/resources"
MNIST=${MNIST:-$ROOT/resources/mnist.npz}
if [ -f "$MNIST" ]; then
    cp "$MNIST" "$WORK/jax/resources/mnist.npz"
else
    step "fetching MNIST"
    (cd "$WORK/jax" && timeout -k 30 "$TIMEOUT" snakemake --profile profiles/$PROFILE \
        resources/mnist.npz >"$WORK/fetch.log" 2>&1) || {
        tail -n 30 "$WORK/fetch.log" >&2
        echo "jax-test: fetching MNIST failed (log: $WORK/fetch.log)" >&2
        exit 1
    }
fi

if [ -n "$REFERENCE" ]; then
    step "the $PROFILE profile on JAX's device path (TensorFlow's run: $REFERENCE)"
    run_profile jax jax
    TF_RESULTS=$REFERENCE
    step "JAX run done in $(cat "$WORK/jax.seconds") s"
else
    mkdir -p "$WORK/tensorflow/resources"
    cp "$WORK/jax/resources/mnist.npz" "$WORK/tensorflow/resources/"
    if [ "${SERIAL:-0}" = 1 ]; then
        step "the $PROFILE profile on TensorFlow, then on JAX's device path"
        run_profile tensorflow tensorflow
        run_profile jax jax
    else # side by side: each run leaves cores idle while its report renders
        step "the $PROFILE profile on TensorFlow and on JAX's device path, side by side"
        run_profile tensorflow tensorflow &
        tf_pid=$!
        run_profile jax jax || { wait "$tf_pid" || true; exit 1; }
        wait "$tf_pid"
    fi
    TF_RESULTS=$WORK/tensorflow/results/$PROFILE
    step "runs done: TensorFlow $(cat "$WORK/tensorflow.seconds") s, JAX $(cat "$WORK/jax.seconds") s"
fi

step "comparing results/$PROFILE of the two runs (summary: $OUT/summary.csv)"
cd "$ROOT"
python -m tools.jax.compare "$TF_RESULTS" "$WORK/jax/results/$PROFILE" \
    --data "$WORK/jax/resources/mnist.npz" --out "$OUT/summary.csv"
