"""Calibration of the demand model on the base network (run offline; writes the parameter file).

- Mode constants ``ASC_BIKE``, ``ASC_PT``, ``ASC_CAR`` (walk = 0): the standard iteration
  ``ASC_m += ln(target_m / modelled_m)`` until the modelled shares of all trips match
  ``SHARE_TARGET_*`` within 0.1 %.
- ``THETA_COMMUTE`` (one global parameter): bounded scalar minimisation (scipy) of the
  employed-resident-weighted squared error between the modelled mean commute distance per
  municipality (car km) and ``commute_distance_km`` of ``geodata/dk_kommune_attributes.csv``.

The two are alternated three times. ``python3 -m mobility.demand.calibrate --write`` updates
the ``value`` (and the range, value ± the stated width) of those rows of
``geodata/demand_parameters.csv``. Re-run it when the skims change (road network, PT services).
Nothing here looks at an initiative.
"""

from __future__ import annotations

import csv
import math
import sys
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize_scalar

from .. import geodata
from . import parameters as P
from .model import base_demand, mode_exps, summary_base

__all__ = ["calibrate", "commute_fit", "write_parameters"]

_TARGETS = {"bike": "SHARE_TARGET_BIKE", "pt": "SHARE_TARGET_PT", "car": "SHARE_TARGET_CAR",
            "walk": "SHARE_TARGET_WALK"}


def commute_fit(summary: dict[str, Any]) -> dict[str, Any]:
    """Modelled against observed mean commute km per municipality: table, r, MAE."""
    stats = geodata.load_municipality_stats().set_index("name")
    model = pd.Series(summary["mean_commute_km_by_municipality"], dtype=float)
    obs = stats["commute_distance_km"].reindex(model.index).astype(float)
    frame = pd.DataFrame({"observed_km": obs, "model_km": model})
    frame["error_km"] = frame["model_km"] - frame["observed_km"]
    return {
        "table": frame,
        "correlation": float(np.corrcoef(frame["observed_km"], frame["model_km"])[0, 1]),
        "mae_km": float(frame["error_km"].abs().mean()),
        "mean_error_km": float(frame["error_km"].mean()),
    }


def _ascs(skims: Any, log: list[str]) -> None:
    for it in range(40):
        exps = mode_exps(skims)
        s = summary_base(base_demand(skims, exps=exps))["mode_shares"]
        worst = 0.0
        upd = {}
        for m in ("bike", "pt", "car"):
            r = math.log(P.value(_TARGETS[m]) / s[m]) - math.log(
                P.value(_TARGETS["walk"]) / s["walk"])
            upd[f"ASC_{m.upper()}"] = P.value(f"ASC_{m.upper()}") + r
            worst = max(worst, abs(s[m] - P.value(_TARGETS[m])))
        worst = max(worst, abs(s["walk"] - P.value(_TARGETS["walk"])))
        log.append(f"ASC iteration {it}: shares {s}")
        if worst < 0.001:
            return
        P.override(**upd)


def _theta(skims: Any, log: list[str]) -> None:
    exps = mode_exps(skims)
    z = geodata.load_municipality_stats().set_index("name")

    def loss(theta: float) -> float:
        P.override(THETA_COMMUTE=theta)
        summ = summary_base(base_demand(skims, exps=exps))
        model = pd.Series(summ["mean_commute_km_by_municipality"], dtype=float)
        obs = z["commute_distance_km"].reindex(model.index).astype(float)
        w = z["folketal_2021q1_dagir"].reindex(model.index).astype(float)
        return float((w * (model - obs) ** 2).sum() / w.sum())

    res = minimize_scalar(loss, bounds=(0.05, 3.0), method="bounded",
                          options={"xatol": 1e-3})
    P.override(THETA_COMMUTE=float(res.x))
    log.append(f"THETA_COMMUTE = {res.x:.4f} (weighted MSE {res.fun:.3f} km^2, "
               f"{res.nfev} evaluations)")


def calibrate(skims: Any, *, rounds: int = 3) -> dict[str, Any]:
    """Calibrate in place (process overrides) and return the values, fit and a log."""
    log: list[str] = []
    for _ in range(rounds):
        _ascs(skims, log)
        _theta(skims, log)
    _ascs(skims, log)
    summ = summary_base(base_demand(skims))
    fit = commute_fit(summ)
    names = ["ASC_BIKE", "ASC_PT", "ASC_CAR", "THETA_COMMUTE"]
    return {"values": {n: P.value(n) for n in names}, "summary": summ, "fit": fit, "log": log}


_WIDTH = {"ASC_BIKE": 0.5, "ASC_PT": 0.5, "ASC_CAR": 0.5}


def write_parameters(values: dict[str, float]) -> None:
    """Write calibrated values (and their ranges) into ``geodata/demand_parameters.csv``."""
    path = geodata.get_path("demand_parameters")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        name = row["name"]
        if name in values:
            v = round(values[name], 4)
            if name in _WIDTH:
                lo, hi = v - _WIDTH[name], v + _WIDTH[name]
            else:  # THETA_COMMUTE: +-30 %
                lo, hi = v * 0.7, v * 1.3
            row.update(value=f"{v:g}", low=f"{round(lo, 4):g}", high=f"{round(hi, 4):g}")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)
    P.reset()


def _main(argv: list[str]) -> None:  # pragma: no cover - maintenance script
    from ..network.scenario import _state

    skims = _state()[1]
    res = calibrate(skims)
    for line in res["log"]:
        print(line)
    print(res["values"])
    fit = res["fit"]
    print(fit["table"].round(2).to_string())
    print(f"r = {fit['correlation']:.3f}, MAE = {fit['mae_km']:.2f} km, "
          f"mean error {fit['mean_error_km']:+.2f} km")
    s = res["summary"]
    print({k: s[k] for k in ("trips_per_person_per_day", "mean_trip_km", "mode_shares",
                             "mean_commute_km")})
    if "--write" in argv:
        write_parameters(res["values"])
        print("wrote", geodata.get_path("demand_parameters"))


if __name__ == "__main__":  # pragma: no cover
    _main(sys.argv[1:])
