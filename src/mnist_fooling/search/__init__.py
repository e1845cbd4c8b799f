"""The fooling engine: every run of every target digit searched at once, one batched call a step."""

from .engine import SearchResult, run_search
from .registry import METHODS, NAMES, make_method, spec

__all__ = ["METHODS", "NAMES", "SearchResult", "make_method", "run_search", "spec"]
