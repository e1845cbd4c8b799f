"""Fooling images for MNIST classifiers: data, models, searches, claims and a report."""

import importlib.metadata
import os

# TensorFlow's oneDNN kernels, which TensorFlow turns on by itself only on CPUs with AVX-512
# VNNI/AMX. Elsewhere (an AMD EPYC with AVX2, say) they score the CNN 1.6-1.7x as fast, train
# it ~1.25x as fast and cost the MLP ~5%; TF_ENABLE_ONEDNN_OPTS=0 turns them off. Set here,
# before anything imports TensorFlow, so that every command and test uses the same kernels.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
# JAX takes 75% of a GPU's memory in each process by default, so the second of the jobs that
# Snakemake runs side by side on one GPU (the `paper` profile: cores: all) would run out of it.
# Allocating on demand lets them share it; XLA_PYTHON_CLIENT_PREALLOCATE=true restores the default.
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

try:  # one place for the version: pyproject.toml, as installed
    __version__ = importlib.metadata.version("mnist-fooling")
except importlib.metadata.PackageNotFoundError:  # run from a source tree that is not installed
    __version__ = "unknown"
