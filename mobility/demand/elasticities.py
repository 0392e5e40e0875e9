"""Elasticities implied by the demand model (arc elasticities of a +10 % change).

Each is ``ln(T1 / T0) / ln(1.1)`` for weekday trips of the mode, with the full model response
(mode and destination choice):

- PT in-vehicle time: every service's running times (incl. dwell) x 1.1;
- PT headway: every service's headway x 1.1 (waits, and the initial wait up to its cap);
- PT fare: every fare (``pt_fare_dkk``, Takst Sjaelland) x 1.1;
- car time: car minutes driven x 1.1;
- car cost: the operating cost per km (``CAR_OPERATING_COST_DKK_PER_KM``) x 1.1.

The PT changes keep the base's (congested) car skims.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from ..network import params as net_params
from ..network.scenario import _state
from ..network.skim import CAR_FIELDS, scenario_skims
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
    car = {f: getattr(base, f) for f in CAR_FIELDS}
    ivt = net.copy()
    for svc in ivt.services.values():
        svc.run_min = [r * _F for r in svc.run_min]
    r = respond(dem, base, scenario_skims(ivt, car_fields=car))
    out["pt_in_vehicle_time"] = _el(t0["pt"], r.trips["pt"])
    hw = net.copy()
    for svc in hw.services.values():
        svc.headway_min = svc.headway_min * _F
    r = respond(dem, base, scenario_skims(hw, car_fields=car))
    out["pt_headway"] = _el(t0["pt"], r.trips["pt"])
    r = respond(dem, base, replace(base, pt_fare_dkk=base.pt_fare_dkk * np.float32(_F)))
    out["pt_fare"] = _el(t0["pt"], r.trips["pt"])
    r = respond(dem, base, replace(base, car_time=base.car_time * np.float32(_F)))
    out["car_time"] = _el(t0["car"], r.trips["car"])
    km, _, _ = skim_money_and_distance(base)
    add = km * np.float32(0.1 * net_params.CAR_OPERATING_COST_DKK_PER_KM)
    r = respond(dem, base, replace(base, car_cost_dkk=base.car_cost_dkk + add))
    out["car_operating_cost"] = _el(t0["car"], r.trips["car"])
    out["car_km_operating_cost"] = _el(prepare(dem).km["car"], r.km["car"])
    return {k: round(v, 3) for k, v in out.items()}


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(implied_elasticities(), indent=1))
