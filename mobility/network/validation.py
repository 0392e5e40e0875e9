"""Validation: base travel times against public timetables, and initiatives' stated effects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import geodata
from .scenario import pt_route, scenario_network, select_edits, travel_time
from .services import resolve_stop

__all__ = ["TIMETABLE_TOLERANCE", "effect_table", "measure_effect", "timetable_errors"]

#: A base journey time passes when within this share of the timetable time or within
#: ``TIMETABLE_TOLERANCE_MIN`` minutes, whichever is larger.
TIMETABLE_TOLERANCE: float = 0.20
TIMETABLE_TOLERANCE_MIN: float = 4.0


def timetable_errors() -> pd.DataFrame:
    """Model ``minutes`` against ``geodata/timetable_validation.csv``.

    Returns
    -------
    pandas.DataFrame
        The file's columns plus ``model_min``, ``model_services`` (the services of the modelled
        fastest path, joined by " + "), ``error_min``, ``error_pct`` and ``ok``.
    """
    table = pd.read_csv(geodata.get_path("timetable_validation.csv"))
    model = [travel_time(a, b)["minutes"] for a, b in zip(table["from"], table["to"],
                                                          strict=True)]
    table["model_min"] = model
    table["model_services"] = [" + ".join(pt_route(a, b)) for a, b in
                               zip(table["from"], table["to"], strict=True)]
    table["error_min"] = table["model_min"] - table["timetable_min"]
    table["error_pct"] = table["error_min"] / table["timetable_min"] * 100.0
    allowed = (table["timetable_min"] * TIMETABLE_TOLERANCE).clip(lower=TIMETABLE_TOLERANCE_MIN)
    table["ok"] = table["error_min"].abs() <= allowed
    return table


def measure_effect(iid: int, effect: Mapping[str, Any],
                   initiatives: Mapping[int, Any] | None = None) -> dict[str, Any]:
    """Measure one stated effect of initiative ``iid`` (an entry of its ``network.effect``).

    Returns a dict with ``base``, ``scenario``, ``change`` (percent for ``change_pct``
    effects, minutes for ``change_min``, departures an hour for frequency effects),
    ``expected``, ``tolerance`` and ``ok``.
    """
    edits, _ = select_edits([iid], initiatives)
    if "departures_per_hour" in effect:
        net = scenario_network(edits)
        dph = sum(60.0 / net.services[s].headway_min for s in effect["services"])
        expected = float(effect["departures_per_hour"])
        return {"base": None, "scenario": dph, "change": dph, "expected": expected,
                "tolerance": 0.01, "ok": abs(dph - expected) <= 0.01}
    measure = effect.get("measure", "minutes")
    if measure == "service_minutes":
        a, b = resolve_stop(effect["from"])[0], resolve_stop(effect["to"])[0]
        base = scenario_network([]).services[effect["service"]].minutes_between(a, b)
        scen = scenario_network(edits).services[effect["service"]].minutes_between(a, b)
    else:
        mode = effect.get("mode", "pt")
        base = travel_time(effect["from"], effect["to"], mode=mode)[measure]
        scen = travel_time(effect["from"], effect["to"], mode=mode, with_ids=[iid],
                           initiatives=initiatives)[measure]
    if "change_pct" in effect:
        change = (scen / base - 1.0) * 100.0 if base else 0.0
        expected, tol = float(effect["change_pct"]), float(effect.get("tolerance_pct", 3.0))
    else:
        change = scen - base
        expected, tol = float(effect["change_min"]), float(effect.get("tolerance_min", 1.0))
    return {"base": base, "scenario": scen, "change": change, "expected": expected,
            "tolerance": tol, "ok": abs(change - expected) <= tol}


def effect_table(initiatives: Mapping[int, Any] | None = None) -> pd.DataFrame:
    """Every stated effect of every initiative, measured (one row per effect)."""
    if initiatives is None:
        from ..catalogue import read_initiatives

        initiatives = read_initiatives()
    rows = []
    for iid in sorted(initiatives):
        spec = getattr(initiatives[iid], "network", None) or {}
        for eff in spec.get("effect") or []:
            res = measure_effect(iid, eff, initiatives)
            what = (f"{'+'.join(eff['services'])} departures/h" if "services" in eff
                    else f"{eff['from']} - {eff['to']} ({eff.get('mode', 'pt')}, "
                         f"{eff.get('measure', 'minutes')})")
            rows.append({"id": iid, "effect": what, **res})
    return pd.DataFrame(rows)
