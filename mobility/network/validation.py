"""Validation: base travel times against public timetables and published driving times, and
initiatives' stated effects."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from .. import geodata
from .scenario import pt_route, scenario_network, select_edits, travel_time
from .services import resolve_stop

__all__ = [
    "PUBLISHED_CAR_FILE", "PUBLISHED_CAR_TOLERANCE", "TIMETABLE_TOLERANCE", "effect_table",
    "measure_effect", "published_car_summary", "published_car_times", "read_published_car_times",
    "timetable_errors",
]

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


# --------------------------------------------------------------------------------------------
# car times against published typical driving times (issue 10)

#: Published typical driving times (travel blogs, aggregator sites, one newspaper), one row per
#: published figure; see ``geodata/SOURCES.md``.
PUBLISHED_CAR_FILE = "validation/car_times_published.csv"

#: A model time is "within range" when inside the published range widened by this share on each
#: side (a lone figure is a range of one value; "less than X" is the range 0-X).
PUBLISHED_CAR_TOLERANCE: float = 0.10

_PUBLISHED_COLUMNS = (
    "id", "pair_id", "from_place", "to_place", "from_name", "to_name", "published_min_low",
    "published_min_high", "kind", "period", "mode", "in_study_area", "note", "source", "title",
    "url", "date", "language", "quote",
)


def read_published_car_times() -> pd.DataFrame:
    """The published driving times of ``geodata/validation/car_times_published.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per published figure: ``id`` (str), ``pair_id``, the places as published
        (``from_place``, ``to_place``), the station or stop names the model resolves
        (``from_name``, ``to_name``, as for ``mobility network travel-time``),
        ``published_min_low``/``published_min_high`` (low is NaN for "less than X"), ``kind``
        (approx, range, upper_bound), ``period`` the source states (unspecified, offpeak, peak),
        ``mode`` (car, motorhome, coach), ``in_study_area`` (bool), ``note`` and the source
        columns (``source``, ``title``, ``url``, ``date``, ``language``, verbatim ``quote``).
    """
    table = geodata.read_csv(PUBLISHED_CAR_FILE, list(_PUBLISHED_COLUMNS),
                             dtype={"id": str, "date": str}, keep_default_na=False,
                             na_values={"published_min_low": [""], "published_min_high": [""]})
    table["in_study_area"] = table["in_study_area"].astype(str).str.lower().map(
        {"true": True, "false": False})
    for col in ("published_min_low", "published_min_high"):
        table[col] = table[col].astype(float)
    return table


def _range_ok(minutes: float, low: float, high: float, tol: float) -> bool:
    lo = 0.0 if math.isnan(low) else low * (1.0 - tol)
    return lo <= minutes <= high * (1.0 + tol)


def published_car_times(*, tolerance: float = PUBLISHED_CAR_TOLERANCE) -> pd.DataFrame:
    """Model car minutes for every in-area published driving time.

    The model times are :func:`~mobility.network.travel_time` ``(from_name, to_name,
    mode="car", period=...)`` in the base network (the same call as ``mobility network
    travel-time A B --mode car --period P``), in the direction the source states; the reverse
    direction is given too. Rows outside the study area are left out.

    Returns
    -------
    pandas.DataFrame
        The in-area rows of :func:`read_published_car_times` plus ``published_mid`` (mid-point
        of low and high; NaN for an upper bound), ``free_min``, ``offpeak_min``, ``peak_min``,
        ``offpeak_reverse_min``, ``peak_reverse_min``, ``offpeak_error_pct`` and
        ``peak_error_pct`` (model minus mid-point, % of the mid-point), ``offpeak_within`` and
        ``peak_within`` (inside the published range +/- ``tolerance``).
    """
    table = read_published_car_times()
    table = table[table["in_study_area"]].reset_index(drop=True)
    cache: dict[tuple[str, str, str], float] = {}

    def minutes(a: str, b: str, period: str) -> float:
        if (a, b, period) not in cache:
            cache[a, b, period] = float(travel_time(a, b, mode="car", period=period)["minutes"])
        return cache[a, b, period]

    pairs = list(zip(table["from_name"], table["to_name"], strict=True))
    for col, period, rev in (("free_min", "free", False), ("offpeak_min", "offpeak", False),
                             ("peak_min", "peak", False), ("offpeak_reverse_min", "offpeak", True),
                             ("peak_reverse_min", "peak", True)):
        table[col] = [minutes(b, a, period) if rev else minutes(a, b, period) for a, b in pairs]
    low, high = table["published_min_low"], table["published_min_high"]
    table["published_mid"] = (low + high) / 2.0
    for period in ("offpeak", "peak"):
        model = table[f"{period}_min"]
        table[f"{period}_error_pct"] = (model / table["published_mid"] - 1.0) * 100.0
        table[f"{period}_within"] = [_range_ok(m, lo, hi, tolerance)
                                     for m, lo, hi in zip(model, low, high, strict=True)]
    return table


def published_car_summary(table: pd.DataFrame) -> dict[str, Any]:
    """Summary of :func:`published_car_times`: rows, distinct pairs, rows with a mid-point,
    mean absolute and mean signed % error of free-flow, off-peak and peak against the
    published mid-points, and rows within the published range +/- the tolerance."""
    mid = table["published_mid"]
    has_mid = mid.notna()
    out: dict[str, Any] = {"rows": len(table), "pairs": int(table["pair_id"].nunique()),
                           "rows_with_midpoint": int(has_mid.sum())}
    for period in ("free", "offpeak", "peak"):
        err = (table.loc[has_mid, f"{period}_min"] / mid[has_mid] - 1.0) * 100.0
        out[f"{period}_mean_abs_error_pct"] = round(float(err.abs().mean()), 1)
        out[f"{period}_mean_error_pct"] = round(float(err.mean()), 1)
    for period in ("offpeak", "peak"):
        out[f"{period}_within_range"] = int(table[f"{period}_within"].sum())
    return out
