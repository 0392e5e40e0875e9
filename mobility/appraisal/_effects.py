"""The one adapter between a scenario result and the cost-benefit analysis.

Everything the CBA and the model indicators read from a scenario goes through
:func:`read_effects`, so a renamed key of ``ScenarioResult.effects`` is fixed here and only here.
The keys follow the demand engine's contract (``/work/coord/CONTRACT.md``): weekday figures unless
the key says per year. A result without ``effects`` (the engine before the demand model) is read
as time savings only, split by purpose with the assumed shares of the unit prices, and marked
``source = "legacy"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EFFECT_KEYS", "PURPOSES", "empty_effects", "read_effects", "subtract_effects"]

#: Trip purposes of the time benefits.
PURPOSES: tuple[str, ...] = ("commute", "business", "other")
_MODES: tuple[str, ...] = ("walk", "bike", "pt", "car")

#: Scalar keys read from ``ScenarioResult.effects`` (contract name -> name used in the CBA).
EFFECT_KEYS: dict[str, str] = {
    "extra_pt_trips_per_day": "extra_pt_trips_per_day",
    "new_line_boardings_per_day": "new_line_boardings_per_day",
    "car_vehicle_km_change_per_day": "car_km_per_day",
    "bus_vehicle_km_change_per_day": "bus_km_per_day",
    "rail_train_km_change_per_day": "train_km_per_day",
    "walk_km_change_per_day": "walk_km_per_day",
    "bike_km_change_per_day": "bike_km_per_day",
    "co2_operation_t_per_year_change": "co2_t_per_year",
    "person_minutes_saved_per_day": "person_minutes_per_day",
    "user_benefit_mdkk_per_year": "user_benefit_mdkk_per_year",
    "fare_revenue_change_dkk_per_day": "fare_revenue_dkk_per_day",
    "car_operating_cost_change_dkk_per_day": "car_operating_cost_dkk_per_day",
    "road_charge_revenue_change_dkk_per_day": "road_charge_revenue_dkk_per_day",
    "user_money_benefit_car_dkk_per_day": "car_money_user_benefit_dkk_per_day",
    "user_money_benefit_pt_dkk_per_day": "fare_user_benefit_dkk_per_day",
}
#: The rule-of-half money keys: when a result carries them, the users' side of car costs,
#: road charges and fares is the rule of half (deterred and attracted trips count half), not
#: the change in money spent (:func:`mobility.appraisal.cba._per_year`).
MONEY_ROH_KEYS: tuple[str, ...] = ("user_money_benefit_car_dkk_per_day",
                                   "user_money_benefit_pt_dkk_per_day")


def empty_effects() -> dict[str, Any]:
    """Effects of doing nothing (all zero)."""
    out: dict[str, Any] = dict.fromkeys(EFFECT_KEYS.values(), 0.0)
    out["minutes_by_purpose"] = dict.fromkeys(PURPOSES, 0.0)
    out["money_rule_of_half"] = False
    out["annualisation_days"] = None
    out["source"] = "none"
    return out


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return f if f == f else 0.0  # NaN -> 0


def read_effects(
    result: Any, *, legacy_shares: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The CBA's view of one scenario result.

    Parameters
    ----------
    result
        A ``ScenarioResult`` (or a fake with the same fields).
    legacy_shares : mapping, optional
        Purpose shares (``commute``, ``business``; ``other`` is the rest) for a result without a
        split by purpose.

    Returns
    -------
    dict
        The values of :data:`EFFECT_KEYS` under their CBA names, ``minutes_by_purpose``
        (person-minutes per weekday by purpose), ``annualisation_days`` (None = not stated) and
        ``source`` (``"model"``: the demand model's effects, or ``"legacy"``).
    """
    out = empty_effects()
    eff = getattr(result, "effects", None)
    if isinstance(eff, Mapping) and eff:
        for key, name in EFFECT_KEYS.items():
            out[name] = _num(eff.get(key, 0.0))
        out["money_rule_of_half"] = all(k in eff for k in MONEY_ROH_KEYS)
        by_purpose = eff.get("person_minutes_saved_by_purpose")
        if isinstance(by_purpose, Mapping) and by_purpose:
            out["minutes_by_purpose"] = {p: _num(by_purpose.get(p, 0.0)) for p in PURPOSES}
        else:
            out["minutes_by_purpose"] = _split(out["person_minutes_per_day"], legacy_shares)
        days = eff.get("annualisation_days")
        out["annualisation_days"] = None if days is None else _num(days)
        base = eff.get("trips_by_mode_base")
        scen = eff.get("trips_by_mode_scenario")
        if isinstance(base, Mapping) and isinstance(scen, Mapping):
            out["trips_change_by_mode"] = {m: _num(scen.get(m)) - _num(base.get(m))
                                           for m in _MODES}
        out["source"] = "model"
        return out
    pm = _num(getattr(result, "person_minutes_saved_per_day", 0.0))
    out["person_minutes_per_day"] = pm
    out["minutes_by_purpose"] = _split(pm, legacy_shares)
    out["source"] = "legacy"
    return out


def _split(pm: float, shares: Mapping[str, float] | None) -> dict[str, float]:
    shares = shares or {"commute": 0.0, "business": 0.0}
    commute = float(shares.get("commute", 0.0))
    business = float(shares.get("business", 0.0))
    return {"commute": pm * commute, "business": pm * business,
            "other": pm * (1.0 - commute - business)}


def subtract_effects(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    """``a - b`` key by key (the increment of an initiative over its prerequisites)."""
    out: dict[str, Any] = {}
    for key, value in a.items():
        other = b.get(key)
        if isinstance(value, Mapping):
            other = other if isinstance(other, Mapping) else {}
            out[key] = {k: _num(v) - _num(other.get(k, 0.0)) for k, v in value.items()}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = float(value) - _num(other)
        else:
            out[key] = value
    return out
