"""Benchmark of the network engine with the demand model: the 33 single-initiative scenarios and
the all-initiatives scenario with the compiled engine (skims + demand response + effects +
metrics), and a sample of the same skim work with the networkx reference.

The reference is run for ``reference_origins`` origin zones of ``reference_scenarios``
scenarios (PT and car skims, as the engine); its per-scenario time is extrapolated linearly to
all zones (a Dijkstra per origin zone: the work is proportional to the number of origins) and
labelled so. Metrics (identical code for both) are added to the extrapolation.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from .scenario import (
    _base_pt,
    _base_roads,
    _state,
    compute_result,
    pt_and_congested,
    scenario_network,
    select_edits,
)
from .skim import scenario_skims
from .zones import study_zones

__all__ = ["run_benchmark"]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def run_benchmark(initiatives: Mapping[int, Any] | None = None, *,
                  reference_origins: int = 40, reference_scenarios: int = 3) -> dict[str, Any]:
    """Time the engine on all single-initiative scenarios plus the all-initiatives one.

    No cache is used. Returns the keys ``zones``, ``scenarios``, ``engine_total_s``,
    ``engine_per_scenario_s`` (median), ``reference_per_scenario_s`` (extrapolated),
    ``speedup``, ``peak_rss_mb`` and details (``base_build_s`` (network, skims and base
    demand), ``demand_per_scenario_s`` (median of the demand response, effects and metrics
    part), ``engine_cpu_per_scenario_s``/``engine_cpu_total_s`` (process CPU seconds, all
    threads: less sensitive than wall time to other load on the machine),
    ``reference_note``, ``scenarios_reassigned`` (scenarios whose car trips were re-assigned
    in the congestion loop), ``scenario_assignment_max_relative_gap``, ``base_assignment_s``
    (the equilibrium assignment of the base car trips, peak and off-peak hour, median of 3),
    ``base_congestion_feedback``, ...). Each scenario runs the full loop:
    :func:`mobility.network.scenario.pt_and_congested` (skims, demand response,
    re-assignment, final skims and response) and the effects.
    """
    if initiatives is None:
        from ..catalogue import read_initiatives

        initiatives = read_initiatives()
    t0 = time.perf_counter()
    base_net, base, dem, _ = _state()
    _base_pt()  # the base PT assignment (once, part of the base build)
    base_s = time.perf_counter() - t0
    scenarios = [[i] for i in sorted(initiatives)] + [sorted(initiatives)]
    times, metric_times, cpu_times, reassigned, gaps = [], [], [], [], []
    for ids in scenarios:
        t = time.perf_counter()
        c = time.process_time()
        edits, excluded = select_edits(ids, initiatives)
        net = scenario_network(edits)
        pt, scen, resp, roads = pt_and_congested(base_net, base, dem, net, edits)
        tm = time.perf_counter()
        compute_result(base_net, base, dem, net, scen, tuple(i for i, _ in edits), excluded,
                       pt=pt, resp=resp, roads=roads)
        end = time.perf_counter()
        if roads["reassigned"]:
            reassigned.append(ids[0] if len(ids) == 1 else "all")
            gaps.append(max(roads["relative_gap"].values()))
        cpu_times.append(time.process_time() - c)
        times.append(end - t)
        metric_times.append(end - tm)
        # one scenario at a time, as the CLI and the explorer hold them
        del net, pt, scen, resp, roads
    nz = len(study_zones())
    rng = np.random.default_rng(0)
    origins = np.sort(rng.choice(nz, size=min(reference_origins, nz), replace=False))
    ref = []
    step = max(1, len(scenarios) // reference_scenarios)
    sample = scenarios[::step][:reference_scenarios]
    for ids in sample:
        edits, _ = select_edits(ids, initiatives)
        t = time.perf_counter()
        net = scenario_network(edits)
        scenario_skims(net, engine="networkx", origins=origins)
        ref.append((time.perf_counter() - t) * nz / len(origins))
    ref_per = statistics.median(ref) + statistics.median(metric_times)
    eng_per = statistics.median(times)
    assign_t = []
    for _ in range(3):
        from .assignment import assign_car_periods

        t = time.perf_counter()
        assign_car_periods(base_net, _base_roads(dem).car)
        assign_t.append(time.perf_counter() - t)
    return {
        "zones": nz,
        "scenarios": len(scenarios),
        "engine_total_s": round(sum(times), 3),
        "engine_per_scenario_s": round(eng_per, 3),
        "engine_max_scenario_s": round(max(times), 3),
        "reference_per_scenario_s": round(ref_per, 3),
        "speedup": round(ref_per / eng_per, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "base_build_s": round(base_s, 3),
        "demand_per_scenario_s": round(statistics.median(metric_times), 3),
        "engine_cpu_per_scenario_s": round(statistics.median(cpu_times), 3),
        "engine_cpu_total_s": round(sum(cpu_times), 3),
        "demand_max_scenario_s": round(max(metric_times), 3),
        "scenarios_reassigned": reassigned,
        "scenario_assignment_max_relative_gap": round(max(gaps), 6) if gaps else None,
        "base_assignment_s": round(statistics.median(assign_t), 3),
        "base_congestion_feedback": _base_roads(dem).feedback,
        "reference_note": (f"networkx reference timed on {len(origins)} of {nz} origin zones "
                           f"in {len(sample)} scenarios, extrapolated linearly to all zones"),
    }
