"""Benchmark of the car assignment (``mobility bench roads``): peak + off-peak equilibrium of
the base weekday car trips, on the base network and on each road/speed/price initiative's
network, timed alone (skims and demand excluded: they belong to the scenario benchmark)."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Mapping
from typing import Any

from .assignment import assign_car_periods
from .scenario import _base_roads, _state, scenario_network, select_edits

__all__ = ["ROAD_INITIATIVES", "run_roads_benchmark"]

#: Initiatives whose edits touch roads, speeds, capacity or road prices.
ROAD_INITIATIVES: tuple[int, ...] = (25, 26, 27, 28, 29, 30, 32)


def run_roads_benchmark(initiatives: Mapping[int, Any] | None = None, *,
                        repeats: int = 3) -> dict[str, Any]:
    """Time :func:`assign_car_periods` (peak + off-peak) ``repeats`` times on the base network
    and once on each of :data:`ROAD_INITIATIVES`. Returns medians, gaps and iterations."""
    if initiatives is None:
        from ..catalogue import read_initiatives

        initiatives = read_initiatives()
    t0 = time.perf_counter()
    base_net, _, dem, _ = _state()
    car = _base_roads(dem).car  # the base demand model's weekday car trips
    build = time.perf_counter() - t0
    times, rows = [], []
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        res = assign_car_periods(base_net, car)
        times.append(time.perf_counter() - t)
    rows.append({"scenario": "base", "seconds": round(statistics.median(times), 3),
                 "gap_peak": res.gap["peak"], "gap_offpeak": res.gap["offpeak"],
                 "iterations_peak": res.iterations["peak"],
                 "iterations_offpeak": res.iterations["offpeak"]})
    for iid in ROAD_INITIATIVES:
        if iid not in initiatives:
            continue
        edits, _ = select_edits([iid], initiatives)
        net = scenario_network(edits)
        t = time.perf_counter()
        r = assign_car_periods(net, car)
        sec = time.perf_counter() - t
        times.append(sec)
        rows.append({"scenario": str(iid), "seconds": round(sec, 3), "gap_peak": r.gap["peak"],
                     "gap_offpeak": r.gap["offpeak"], "iterations_peak": r.iterations["peak"],
                     "iterations_offpeak": r.iterations["offpeak"]})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss = peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0
    return {"links": len(res.keys), "nodes": len({k[0] for k in res.keys}),
            "assignment_median_s": round(statistics.median(times), 3),
            "assignment_max_s": round(max(times), 3), "base_build_s": round(build, 3),
            "scenarios": rows, "peak_rss_mb": round(rss, 1)}
