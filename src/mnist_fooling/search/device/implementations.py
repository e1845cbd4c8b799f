"""The device implementation of each method, by the name its registry entry gives
(``MethodSpec.device``)."""

from __future__ import annotations

from ..registry import device_name
from .base import _Impl
from .genetic import _Genetic
from .gradient import _Gradient, _GradientSign
from .hillclimb import _HillClimb
from .map_elites import _MapElites
from .square_search import _SquareSearch

IMPLEMENTATIONS: dict[str, type[_Impl]] = {
    cls.__name__: cls
    for cls in (_Genetic, _HillClimb, _SquareSearch, _Gradient, _GradientSign, _MapElites)
}


def implementation_class(method) -> type[_Impl] | None:
    """The device implementation of ``method`` (its registry entry's ``device``), or None."""
    name = device_name(method)
    return None if name is None else IMPLEMENTATIONS[name]
