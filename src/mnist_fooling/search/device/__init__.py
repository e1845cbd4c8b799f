"""The search loop on the device (JAX): whole generations of every run in one compiled call;
the host reads only the runs' status (a few bytes per run) between blocks."""

from .loop import device_supported, run_search_device

__all__ = ["device_supported", "run_search_device"]
