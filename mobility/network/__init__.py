"""Network travel-time engine: base PT and car networks, initiatives as edits, zone skims.

Public API
----------
- :func:`evaluate_scenario` -> :class:`ScenarioResult`: metrics of base + initiatives' edits.
- :func:`travel_time`: station-to-station minutes by public transport or car.
- :func:`base_network`: the base :class:`Network` (a copy).
- :func:`check_network_spec`: validate an initiative's ``network:`` key cheaply.

The model is described in ``docs/network.md``.
"""

from __future__ import annotations

from .base import base_network
from .edits import OPS, apply_edits, check_network_spec
from .scenario import (
    ScenarioResult,
    clear_cache,
    evaluate_scenario,
    prefetch_scenarios,
    scenario_network,
    select_edits,
    travel_time,
)
from .services import Network, Service
from .skim import Skims, scenario_skims
from .zones import study_zones

__all__ = [
    "OPS",
    "Network",
    "ScenarioResult",
    "Service",
    "Skims",
    "apply_edits",
    "base_network",
    "check_network_spec",
    "clear_cache",
    "evaluate_scenario",
    "prefetch_scenarios",
    "scenario_network",
    "scenario_skims",
    "select_edits",
    "study_zones",
    "travel_time",
]
