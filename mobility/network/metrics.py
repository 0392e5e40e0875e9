"""Scenario metrics per zone and municipality, from the demand model (:mod:`mobility.demand`).

- **Accessibility** of a zone = jobs reachable, each weighted by the commute destination weight
  of the demand model: ``A_i = sum_s share_s,i sum_j jobs_j (sum_m exp V_s,m,ij) ** theta``
  (the logsum over walk, bicycle, PT and car; ``s`` = with/without a car). Municipal values
  are population-weighted means; change in % against the base.
- **Person-minutes saved** per origin zone: rule of half over the base and scenario trip
  matrices (demand responds to the scenario), PT in generalised minutes, car in minutes driven.
- ``mean_time_change_min`` = -(minutes saved) / trips of the zone (negative = faster).
- A municipality **gains** when its accessibility grows by at least ``GAIN_THRESHOLD_PCT``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import params
from .zones import study_zones

__all__ = ["municipality_metrics", "zone_frame"]


def zone_frame(acc_base: np.ndarray, acc_scen: np.ndarray, jobs: np.ndarray,
               zone: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per-zone metrics (columns documented on :class:`ScenarioResult`)."""
    z = study_zones()
    trips = zone["trips"]
    saved = zone["saved"]
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(acc_base > 0, (acc_scen / acc_base - 1.0) * 100.0, 0.0)
        mean_change = np.where(trips > 0, -saved / trips, 0.0)
    return pd.DataFrame({
        "cell_id": z["cell_id"].to_numpy(),
        "municipality_code": z["municipality_code"].to_numpy(),
        "population": z["population"].to_numpy(),
        "accessibility_base": acc_base,
        "accessibility_scenario": acc_scen,
        "accessibility_change_pct": change,
        "mean_time_change_min": mean_change,
        "person_minutes_saved_per_day": saved,
        "jobs": jobs,
        "trips_per_day": trips,
        "pt_trips_base": zone["pt_trips_base"],
        "pt_trips_change": zone["pt_trips_change"],
    })


def municipality_metrics(zones: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted accessibility and person-minutes by municipality code."""
    names = study_zones().groupby("municipality_code")["municipality"].first()
    w = zones["population"].astype(float)
    g = zones.assign(ab=zones["accessibility_base"] * w, as_=zones["accessibility_scenario"] * w)
    extra = {}
    if "pt_trips_change" in zones.columns:
        extra = {"pt_trips_change": ("pt_trips_change", "sum")}
    agg = g.groupby("municipality_code").agg(
        population=("population", "sum"), ab=("ab", "sum"), as_=("as_", "sum"),
        person_minutes_saved_per_day=("person_minutes_saved_per_day", "sum"), **extra)
    out = pd.DataFrame(index=agg.index)
    out.index.name = "municipality_code"
    out["name"] = names.reindex(agg.index)
    out["population"] = agg["population"].astype(int)
    out["accessibility_base"] = agg["ab"] / agg["population"]
    out["accessibility_scenario"] = agg["as_"] / agg["population"]
    out["accessibility_change_pct"] = (
        out["accessibility_scenario"] / out["accessibility_base"] - 1.0) * 100.0
    out["person_minutes_saved_per_day"] = agg["person_minutes_saved_per_day"]
    if extra:
        out["pt_trips_change_per_day"] = agg["pt_trips_change"]
    out["gains"] = out["accessibility_change_pct"] >= params.GAIN_THRESHOLD_PCT
    return out
