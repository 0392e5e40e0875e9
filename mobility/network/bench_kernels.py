"""``mobility bench kernels``: the compiled loops against their numpy reference, side by side.

One process, the base network and demand; each step is timed alternately with the numpy
version and the compiled (numba) one, ``repeats`` times, and the medians and their ratio are
reported (the machine is shared: alternating keeps the two under the same load). The steps
are those of a scenario that changes every zone pair (as road pricing does): the demand
response (``pivot.respond``), the congestion loop's first demand (``pivot.scenario_mode_matrix``
of the car), the congested car skims of both periods (``skim.car_skims``) and the PT zone skim
with the legs its paths use (``skim.zone_skim_argmin``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

__all__ = ["run_kernel_benchmark"]


def _timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_kernel_benchmark(*, repeats: int = 5) -> dict[str, Any]:
    """Median seconds per step with each implementation, and numpy / numba."""
    from ..demand import pivot
    from ..demand.pt_assign import pt_state
    from . import skim
    from .scenario import _base_roads, _scenario_link_times, _state

    net, base, dem, _ = _state()
    f32 = np.float32
    scen = replace(base, car=base.car * f32(1.1), car_time=base.car_time * f32(1.1),
                   pt=base.pt * f32(0.95), car_cost_dkk=base.car_cost_dkk + f32(5.0))
    rows = np.arange(base.pt.shape[0])
    times = _scenario_link_times(net, _base_roads(dem), None)
    pt = pt_state(net)
    steps: dict[str, tuple[Any, Callable[[], Any]]] = {
        "respond": (pivot, lambda: pivot.respond(dem, base, scen)),
        "first demand (car)": (pivot, lambda: pivot.scenario_mode_matrix(dem, "car", base,
                                                                         scen)),
        "car skims (2 periods)": (skim, lambda: skim.car_skims(net, rows, "csgraph", times)),
        "PT skim with argmin": (skim, lambda: skim.zone_skim_argmin(pt.m, pt.legs, pt.direct)),
    }
    out: dict[str, Any] = {"zones": int(base.pt.shape[0]), "cells": int(base.pt.size),
                           "repeats": repeats, "steps": {}}
    for name, (module, fn) in steps.items():
        old = module.KERNELS
        got: dict[str, list[float]] = {"numpy": [], "numba": []}
        try:
            for kind in ("numpy", "numba"):  # once each first: compile / load, warm caches
                module.KERNELS = kind
                fn()
            for _ in range(repeats):
                for kind in ("numpy", "numba"):
                    module.KERNELS = kind
                    got[kind].append(_timed(fn))
        finally:
            module.KERNELS = old
        med = {k: statistics.median(v) for k, v in got.items()}
        out["steps"][name] = {"numpy_s": med["numpy"], "numba_s": med["numba"],
                              "ratio": med["numpy"] / med["numba"]}
    return out


def format_report(res: dict[str, Any]) -> str:
    """The benchmark's figures as text."""
    lines = [f"{res['zones']} zones, {res['cells']:,} zone pairs, every pair changed; "
             f"median of {res['repeats']} alternating runs"]
    for name, r in res["steps"].items():
        lines.append(f"  {name:<24} numpy {r['numpy_s']:.3f} s   numba {r['numba_s']:.3f} s   "
                     f"numpy/numba {r['ratio']:.2f}x")
    return "\n".join(lines)
