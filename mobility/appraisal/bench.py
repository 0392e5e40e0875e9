"""Benchmark of the appraisal engine against the targets of the issue.

Targets: scoring all initiatives under 100 ms; the optimiser with network re-evaluation of the
top 20 under 60 s; 10,000 robustness runs under 10 s. Run ``mobility bench appraisal``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from ..catalogue import read_initiatives
from ._network import NetworkArg, effects_for
from .optimise import optimise_bundle
from .robustness import robustness
from .scoring import score_initiatives

__all__ = ["TARGETS_S", "format_report", "run_benchmark"]

#: Target wall-clock seconds per measured step.
TARGETS_S: dict[str, float] = {
    "score_catalogue_stars": 0.100,
    "score_model_stars_warm": 0.100,
    "optimise_with_network": 60.0,
    "robustness": 10.0,
}


def _median_time(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_benchmark(
    *, runs: int = 10_000, top: int = 20, budget_mdkk: float = 30_000,
    network: NetworkArg = True, repeat: int = 5,
) -> dict[str, Any]:
    """Measure the appraisal steps on the shipped catalogue.

    Returns
    -------
    dict
        ``n_initiatives``, ``network`` (whether the network was used and how many initiatives
        it represents), and per step ``<step>_s`` (seconds; median of ``repeat`` runs for
        scoring, one run otherwise) with ``<step>_target_s``.
    """
    inits = read_initiatives()
    score_initiatives(inits, network=False)  # warm imports and caches
    out: dict[str, Any] = {"n_initiatives": len(inits), "robustness_runs": runs,
                           "optimiser_top": top, "budget_mdkk": budget_mdkk}
    out["score_catalogue_stars_s"] = _median_time(
        lambda: score_initiatives(inits, network=False), repeat)
    effects = effects_for(network, inits)
    out["network"] = effects is not None
    start = time.perf_counter()
    result = optimise_bundle(budget_mdkk, initiatives=inits, top=top, network=network,
                             objective="npv" if network else "score")
    out["optimise_with_network_s"] = time.perf_counter() - start
    out["optimise_selected"] = ";".join(map(str, result.selected))
    out["optimise_candidates"] = len(result.candidates)
    if effects is not None:
        model = score_initiatives(inits, network=False, effects=effects)
        out["network_represented"] = int(model["network_excluded"].isna().sum())
        out["score_model_stars_warm_s"] = _median_time(
            lambda: score_initiatives(inits, stars="model", network=False, effects=effects),
            repeat)
    start = time.perf_counter()
    robustness(inits, runs=runs, seed=1)
    out["robustness_s"] = time.perf_counter() - start
    for step, target in TARGETS_S.items():
        if f"{step}_s" in out:
            out[f"{step}_target_s"] = target
    return out


def format_report(figures: dict[str, Any]) -> str:
    """The benchmark figures as lines of text, each step against its target."""
    lines = [f"appraisal benchmark: {figures['n_initiatives']} initiatives, network "
             + ("on" if figures["network"] else "off")
             + (f" ({figures['network_represented']} representable)"
                if "network_represented" in figures else "")]
    labels = {
        "score_catalogue_stars": "score all initiatives (catalogue stars)",
        "score_model_stars_warm": "score all initiatives (model stars, warm network cache)",
        "optimise_with_network": (f"optimise within {figures['budget_mdkk']:,.0f} mDKK, top "
                                  f"{figures['optimiser_top']} re-evaluated with the network"),
        "robustness": f"robustness, {figures['robustness_runs']:,} runs",
    }
    for step, label in labels.items():
        if f"{step}_s" not in figures:
            continue
        took, target = figures[f"{step}_s"], figures[f"{step}_target_s"]
        unit = (f"{took * 1000:.1f} ms (target {target * 1000:.0f} ms)" if target < 1
                else f"{took:.2f} s (target {target:.0f} s)")
        lines.append(f"  {label}: {unit} {'OK' if took <= target else 'OVER TARGET'}")
    lines.append(f"  optimiser selected: {figures['optimise_selected']} "
                 f"({figures['optimise_candidates']} candidates)")
    return "\n".join(lines)
