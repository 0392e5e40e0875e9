"""Appraisal: indicators, scores, bundles with measured synergy, budget optimiser, robustness.

The engine combines the catalogue's star ratings with the network engine's travel-time
estimates (``network=True``; pass ``False`` for none, or a callable with the contract of
:func:`mobility.network.evaluate_scenario` to inject another). Every threshold and default is a
documented global in :mod:`mobility.settings`; the method is described in
``docs/appraisal.md``.

Examples
--------
>>> from mobility.appraisal import score_initiatives
>>> table = score_initiatives(weights="climate_health", network=False)
>>> int(table["rank"].min())
1
"""

from .bundles import (
    Bundle,
    BundleResult,
    bundle_incidence,
    bundles_dir,
    check_bundle,
    compare_bundles,
    evaluate_bundle,
    read_bundle,
    read_bundles,
)
from .indicators import (
    MODEL_INDICATORS,
    STAR_SOURCES,
    carbon_payback,
    disagreements,
    indicator_table,
    model_values,
    operating_co2_reduction_t_per_year,
)
from .optimise import OptimiseResult, optimise_bundle, pareto_front, solve_selection
from .robustness import robustness
from .scoring import METHODS, NOT_ASSESSABLE_RULES, aggregate, score_initiatives
from .weights import WEIGHT_PRESETS, load_weights, weights_label

__all__ = [
    "METHODS",
    "MODEL_INDICATORS",
    "NOT_ASSESSABLE_RULES",
    "STAR_SOURCES",
    "WEIGHT_PRESETS",
    "Bundle",
    "BundleResult",
    "OptimiseResult",
    "aggregate",
    "bundle_incidence",
    "bundles_dir",
    "carbon_payback",
    "check_bundle",
    "compare_bundles",
    "disagreements",
    "evaluate_bundle",
    "indicator_table",
    "load_weights",
    "model_values",
    "operating_co2_reduction_t_per_year",
    "optimise_bundle",
    "pareto_front",
    "read_bundle",
    "read_bundles",
    "robustness",
    "score_initiatives",
    "solve_selection",
    "weights_label",
]
