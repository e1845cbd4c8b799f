"""JAX, or None on a TensorFlow-only install (where :func:`device_supported` still answers):
the package's one import of it."""

try:
    import jax
    import jax.numpy as jnp
except ImportError:
    jax = jnp = None

__all__ = ["jax", "jnp"]
