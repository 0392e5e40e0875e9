"""Scenario metrics: gravity accessibility, trip distribution and person-minutes saved.

- **Accessibility** of zone *i* by mode *m*: ``A_i = sum_j P_j exp(-BETA t_ij)`` with ``P_j``
  the residents of zone *j* (no job data ships with the project, so population stands in for
  opportunities) and ``t_ij`` the generalised minutes. The combined accessibility weights the
  modes by ``ACCESSIBILITY_WEIGHT_PT`` and ``ACCESSIBILITY_WEIGHT_CAR``.
- **Trip distribution**: a singly-constrained gravity model on the *base* skims:
  ``T_ij = r_m P_i P_j exp(-BETA t_ij) / sum_k P_k exp(-BETA t_ik)`` with ``r_m`` the weekday
  trips per resident by the mode. The trip matrix is held fixed in scenarios (no induced or
  shifted demand), so person-minutes saved = ``sum_ij T_ij (t_base - t_scenario)``: PT in
  generalised minutes (in-vehicle, wait, walk, transfer penalties), car in minutes driven
  (road charges deter in the accessibility but are not counted as lost minutes: they are a
  transfer, not time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import params
from .skim import Skims
from .zones import study_zones

__all__ = ["Demand", "accessibility", "demand", "municipality_metrics", "zone_metrics"]


@dataclass(frozen=True)
class Demand:
    """Fixed weekday trip matrices (trips per day, float32) by mode."""

    pt: np.ndarray
    car: np.ndarray


def _weights(t: np.ndarray) -> np.ndarray:
    return np.exp(np.float32(-params.BETA_PER_MIN) * t)


def demand(base: Skims) -> Demand:
    """Gravity trip distribution on the base skims (see the module docstring)."""
    pop = study_zones()["population"].to_numpy(dtype=np.float32)
    out = []
    for t, rate in ((base.pt, params.TRIPS_PER_RESIDENT_PT),
                    (base.car, params.TRIPS_PER_RESIDENT_CAR)):
        w = _weights(t) * pop[None, :]
        total = w.sum(axis=1, keepdims=True)
        total[total == 0] = 1.0
        w *= (np.float32(rate) * pop)[:, None] / total
        out.append(w.astype(np.float32))
    return Demand(*out)


def accessibility(skims: Skims) -> np.ndarray:
    """Combined gravity accessibility per zone (residents reachable, weighted)."""
    pop = study_zones()["population"].to_numpy(dtype=np.float32)
    a_pt = _weights(skims.pt) @ pop
    a_car = _weights(skims.car) @ pop
    return (params.ACCESSIBILITY_WEIGHT_PT * a_pt.astype(np.float64)
            + params.ACCESSIBILITY_WEIGHT_CAR * a_car.astype(np.float64))


def zone_metrics(base: Skims, scen: Skims, dem: Demand, acc_base: np.ndarray
                 ) -> tuple[pd.DataFrame, float, float]:
    """Per-zone metrics and the PT and car person-minutes saved per day."""
    z = study_zones()
    acc_scen = accessibility(scen)
    d_pt = base.pt - scen.pt
    d_car = base.car_time - scen.car_time
    saved_pt = (dem.pt * d_pt).sum(axis=1, dtype=np.float64)
    saved_car = (dem.car * d_car).sum(axis=1, dtype=np.float64)
    trips = dem.pt.sum(axis=1, dtype=np.float64) + dem.car.sum(axis=1, dtype=np.float64)
    saved = saved_pt + saved_car
    with np.errstate(invalid="ignore", divide="ignore"):
        change = np.where(acc_base > 0, (acc_scen / acc_base - 1.0) * 100.0, 0.0)
        mean_change = np.where(trips > 0, -saved / trips, 0.0)
    frame = pd.DataFrame({
        "cell_id": z["cell_id"].to_numpy(),
        "municipality_code": z["municipality_code"].to_numpy(),
        "population": z["population"].to_numpy(),
        "accessibility_base": acc_base,
        "accessibility_scenario": acc_scen,
        "accessibility_change_pct": change,
        "mean_time_change_min": mean_change,
        "person_minutes_saved_per_day": saved,
    })
    return frame, float(saved_pt.sum()), float(saved_car.sum())


def municipality_metrics(zones: pd.DataFrame) -> pd.DataFrame:
    """Population-weighted accessibility and person-minutes by municipality code."""
    names = study_zones().groupby("municipality_code")["municipality"].first()
    w = zones["population"].astype(float)
    g = zones.assign(ab=zones["accessibility_base"] * w, as_=zones["accessibility_scenario"] * w)
    agg = g.groupby("municipality_code").agg(
        population=("population", "sum"), ab=("ab", "sum"), as_=("as_", "sum"),
        person_minutes_saved_per_day=("person_minutes_saved_per_day", "sum"))
    out = pd.DataFrame(index=agg.index)
    out.index.name = "municipality_code"
    out["name"] = names.reindex(agg.index)
    out["population"] = agg["population"].astype(int)
    out["accessibility_base"] = agg["ab"] / agg["population"]
    out["accessibility_scenario"] = agg["as_"] / agg["population"]
    out["accessibility_change_pct"] = (
        out["accessibility_scenario"] / out["accessibility_base"] - 1.0) * 100.0
    out["person_minutes_saved_per_day"] = agg["person_minutes_saved_per_day"]
    out["gains"] = out["accessibility_change_pct"] >= params.GAIN_THRESHOLD_PCT
    return out
