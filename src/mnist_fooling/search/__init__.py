"""The fooling engine: every run of every target digit searched at once, one batched call a step."""

from .engine import SearchResult, run_search
from .methods import METHODS, make_method

__all__ = ["METHODS", "SearchResult", "make_method", "run_search"]
