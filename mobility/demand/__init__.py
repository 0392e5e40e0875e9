"""Demand model: zone data, trip generation, distribution, mode choice and scenario effects.

A four-step sketch model in the style of the Danish regional models (OTM, LTM) on the 1 km
zones of the network engine (:mod:`mobility.network` supplies the skims). Described, with its
calibration and validation, in ``docs/model.md``.
"""

from __future__ import annotations

from .effects import EFFECT_KEYS, LINE_COLUMNS, car_g_per_km, scenario_effects
from .model import MODES, PURPOSES, BaseDemand, base_demand, summary_base
from .pivot import Response, pt_trip_matrix, respond
from .zonedata import load_zone_data, municipal_jobs

__all__ = [
    "EFFECT_KEYS",
    "LINE_COLUMNS",
    "MODES",
    "PURPOSES",
    "BaseDemand",
    "Response",
    "base_demand",
    "car_g_per_km",
    "load_zone_data",
    "municipal_jobs",
    "pt_trip_matrix",
    "respond",
    "scenario_effects",
    "summary_base",
]
