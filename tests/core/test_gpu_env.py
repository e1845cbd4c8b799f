"""The package lets jobs share one GPU: JAX allocates on demand unless told otherwise."""

import os
import subprocess
import sys

import pytest

SHOW = "import mnist_fooling, os; print(os.environ['XLA_PYTHON_CLIENT_PREALLOCATE'])"


@pytest.mark.parametrize(("given", "expected"), [(None, "false"), ("true", "true")])
def test_jax_preallocation_is_off_unless_set(given, expected):
    env = {k: v for k, v in os.environ.items() if k != "XLA_PYTHON_CLIENT_PREALLOCATE"}
    if given:
        env["XLA_PYTHON_CLIENT_PREALLOCATE"] = given
    done = subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == expected, done.stderr
