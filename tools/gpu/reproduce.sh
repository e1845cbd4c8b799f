#!/usr/bin/env bash
# Reproduce the `paper` profile on a CUDA 12 machine on the GPU path (Keras on JAX, the searches
# on the device path) and time the device search loops (benchmarks/device.py); docs/gpu.md.
#
#   tools/gpu/reproduce.sh            # from the checkout's root or anywhere
#
# Steps, each timed: a venv ($VENV, default .venv-gpu) with requirements/report.lock
# (--require-hashes), jax[$JAX_EXTRA] (default cuda12) at the version requirements/dev.lock pins
# for this Python, the package (--no-deps); a check that JAX sees a GPU; MNIST; the profile
# (snakemake --profile profiles/$PROFILE, default paper); benchmarks/device.py on its MLP and CNN.
# Writes results/$PROFILE/gpu/wall_times.csv (step,seconds) and devices.txt, and prints both.
#
# One GPU is shared by the jobs Snakemake starts: JAX allocates on demand (the package sets
# XLA_PYTHON_CLIENT_PREALLOCATE=false) and at most $GPU_JOBS (default 1) jobs that use the GPU
# run at once (the rules' gpu=1 resource).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv-gpu}
PROFILE=${PROFILE:-paper}
JAX_EXTRA=${JAX_EXTRA:-cuda12}
GPU_JOBS=${GPU_JOBS:-1}
OUT=results/$PROFILE/gpu
BIN=$ROOT/$VENV/bin
export KERAS_BACKEND=jax PATH=$BIN:$PATH
unset MNIST_FOOLING_SEARCH PYTHONPATH
mkdir -p "$OUT"
echo "step,seconds" >"$OUT/wall_times.csv"

timed() { # NAME COMMAND...: run COMMAND, append its wall time to wall_times.csv
    local name=$1 t0
    shift
    echo "gpu: $name"
    t0=$(date +%s)
    "$@"
    echo "$name,$(($(date +%s) - t0))" | tee -a "$OUT/wall_times.csv"
}

jax_version() { # the jax pin of requirements/dev.lock whose marker fits this venv's Python
    "$BIN/python" - requirements/dev.lock <<'EOF'
import re
import sys

from packaging.markers import Marker

text = open(sys.argv[1]).read()
for version, marker in re.findall(r"^jax==(\S+)(?: ; (.+?))? \\$", text, re.M):
    if not marker or Marker(marker).evaluate():
        print(version)
        break
else:
    sys.exit("gpu: no jax pin in requirements/dev.lock fits this Python")
EOF
}

install() {
    [ -x "$BIN/python" ] || "$PYTHON" -m venv "$VENV"
    local pip=("$BIN/python" -m pip install --quiet --progress-bar off)
    "${pip[@]}" --require-hashes -r requirements/report.lock
    local version
    version=$(jax_version)
    "${pip[@]}" "jax[$JAX_EXTRA]==$version"
    "${pip[@]}" --no-deps --no-build-isolation -e .
}

check_gpu() {
    python -c "import jax; print(jax.devices())" | tee "$OUT/devices.txt"
    if command -v nvidia-smi >/dev/null; then nvidia-smi -L | tee -a "$OUT/devices.txt"; fi
    [ "$(python -c 'import jax; print(jax.default_backend())')" = gpu ] || {
        echo "gpu: JAX sees no GPU (jax.devices() above); check the CUDA driver and JAX_EXTRA" >&2
        exit 1
    }
}

workflow() {
    snakemake --profile "profiles/$PROFILE" --resources "gpu=$GPU_JOBS" "$@"
}

benchmark() {
    local models=results/$PROFILE/models
    python benchmarks/device.py --models "mlp=$models/mlp.keras" "cnn=$models/cnn.keras" \
        --out "results/$PROFILE/benchmarks/device.csv" --host
}

timed install install
timed check_gpu check_gpu
timed fetch_mnist workflow resources/mnist.npz
timed profile workflow
timed device_benchmark benchmark
echo "gpu: wall times ($OUT/wall_times.csv):"
column -s, -t "$OUT/wall_times.csv" 2>/dev/null || cat "$OUT/wall_times.csv"
echo "gpu: report results/$PROFILE/report/report.html; device loops results/$PROFILE/benchmarks/device.csv"
