"""The search loop on the device (JAX): whole generations of every run in one compiled call;
the host reads only the runs' status (a few bytes per run) between blocks."""

from .genetic import variogram_terms
from .loop import device_supported, run_search_device
from .square_search import log_odds

__all__ = ["device_supported", "log_odds", "run_search_device", "variogram_terms"]
