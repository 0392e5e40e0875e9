"""Elasticities implied by the demand model (arc elasticities of a +10 % change).

Each is ``ln(T1 / T0) / ln(1.1)`` for weekday trips of the mode, with the full model response
(mode and destination choice):

- PT in-vehicle time: every service's running times (incl. dwell) x 1.1;
- PT headway: every service's headway x 1.1 (waits, and the initial wait up to its cap);
- PT fare: +10 % of ``PT_FARE_ASSUMED_DKK`` per trip, in minutes at the commute value of time
  (the skims carry no fares yet, so the fare level itself is not in the utilities);
- car time: car generalised and driving minutes x 1.1;
- car cost: +10 % of an assumed 1.0 DKK/km operating cost (ASSUMPTION, for the report only).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from ..network.scenario import _state
from ..network.skim import scenario_skims
from . import parameters as P
from .model import skim_money_and_distance
from .pivot import prepare, respond

__all__ = ["implied_elasticities"]

_F = 1.1


def _el(t0: float, t1: float) -> float:
    return math.log(t1 / t0) / math.log(_F)


def implied_elasticities() -> dict[str, Any]:
    """PT and car elasticities of trips (see the module docstring)."""
    net, base, dem, _ = _state()
    t0 = prepare(dem).trips
    out: dict[str, Any] = {}
    ivt = net.copy()
    for svc in ivt.services.values():
        svc.run_min = [r * _F for r in svc.run_min]
    r = respond(dem, base, scenario_skims(ivt))
    out["pt_in_vehicle_time"] = _el(t0["pt"], r.trips["pt"])
    hw = net.copy()
    for svc in hw.services.values():
        svc.headway_min = svc.headway_min * _F
    r = respond(dem, base, scenario_skims(hw))
    out["pt_headway"] = _el(t0["pt"], r.trips["pt"])
    vot = P.value("VOT_COMMUTE_DKK_H") / 60.0
    add = np.float32(0.1 * P.value("PT_FARE_ASSUMED_DKK") / vot)
    r = respond(dem, base, replace(base, pt=base.pt + add))
    out["pt_fare"] = _el(t0["pt"], r.trips["pt"])
    r = respond(dem, base, replace(base, car=base.car * np.float32(_F),
                                   car_time=base.car_time * np.float32(_F)))
    out["car_time"] = _el(t0["car"], r.trips["car"])
    km, _, _ = skim_money_and_distance(base)
    r = respond(dem, base, replace(base, car=base.car + km * np.float32(0.1 / vot)))
    out["car_cost_per_km_1dkk"] = _el(t0["car"], r.trips["car"])
    out["car_km_cost_per_km_1dkk"] = _el(prepare(dem).km["car"], r.km["car"])
    return {k: round(v, 3) for k, v in out.items()}


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(implied_elasticities(), indent=1))
