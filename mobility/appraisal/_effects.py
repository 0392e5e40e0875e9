"""The one adapter between a scenario result and the cost-benefit analysis.

Everything the CBA and the model indicators read from a scenario goes through
:func:`read_effects`, so a renamed key of ``ScenarioResult.effects`` is fixed here and only here.
The keys follow the demand engine's contract (``/work/coord/CONTRACT.md``): weekday figures unless
the key says per year. A result without ``effects`` (the engine before the demand model) is read
as time savings only, split by purpose with the assumed shares of the unit prices, and marked
``source = "legacy"``.

The speed effects of a road scenario (Nilsson's power model for accidents, the rolling-noise
curve for noise: ``mobility.network.road_effects``) are rates: a percentage change of injury
accidents per vehicle-km and a mean change in dB, both vehicle-km-weighted over the roads the
engine compares. :func:`speed_effects` turns them into additive weekday quantities (vehicle-km
at the base risk, dB x vehicle-km), so that the CBA can price them and an increment over
prerequisites stays a plain difference (:func:`subtract_effects`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["EFFECT_KEYS", "PURPOSES", "SPEED_EFFECT_KEYS", "empty_effects", "read_effects",
           "speed_affected_vehicle_km", "speed_effects", "subtract_effects"]

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
#: The CBA quantities of the speed effects (:func:`speed_effects`), weekday.
SPEED_EFFECT_KEYS: tuple[str, ...] = ("speed_accident_vehicle_km_per_day",
                                      "speed_noise_db_vehicle_km_per_day")
#: Weekday vehicle-km of the base assignment, if the engine states it (else read from the base
#: state of the network model: :func:`_base_assigned_vehicle_km`).
ASSIGNED_VKM_KEY = "assigned_base_vehicle_km_per_day"


def empty_effects() -> dict[str, Any]:
    """Effects of doing nothing (all zero)."""
    out: dict[str, Any] = dict.fromkeys((*EFFECT_KEYS.values(), *SPEED_EFFECT_KEYS), 0.0)
    out["minutes_by_purpose"] = dict.fromkeys(PURPOSES, 0.0)
    #: train-km by rail mode when the engine states it (empty: all at the default price)
    out["train_km_by_mode_per_day"] = {}
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
        The values of :data:`EFFECT_KEYS` under their CBA names, :data:`SPEED_EFFECT_KEYS`
        (:func:`speed_effects`), ``train_km_by_mode_per_day`` (train-km change by rail mode,
        empty when not stated), ``minutes_by_purpose``
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
        by_mode = eff.get("rail_train_km_change_by_mode_per_day")
        if isinstance(by_mode, Mapping):
            out["train_km_by_mode_per_day"] = {str(m): _num(v) for m, v in by_mode.items()}
        base = eff.get("trips_by_mode_base")
        scen = eff.get("trips_by_mode_scenario")
        if isinstance(base, Mapping) and isinstance(scen, Mapping):
            out["trips_change_by_mode"] = {m: _num(scen.get(m)) - _num(base.get(m))
                                           for m in _MODES}
        out.update(speed_effects(eff))
        out["source"] = "model"
        return out
    pm = _num(getattr(result, "person_minutes_saved_per_day", 0.0))
    out["person_minutes_per_day"] = pm
    out["minutes_by_purpose"] = _split(pm, legacy_shares)
    out["source"] = "legacy"
    return out


def speed_affected_vehicle_km(eff: Mapping[str, Any]) -> float:
    """The weekday vehicle-km that ``injury_accidents_change_pct`` and ``noise_db_change_mean``
    are means over (``mobility.network.scenario._road_effects``), scenario side.

    The engine averages over (a) the zones' local roads under a new speed cap
    (``speed_changed_vehicle_km_per_day``, base trips; initiative 28) and (b) when the scenario
    was re-assigned (``congestion["reassigned"]``), every assigned link: weighted by the
    scenario's vehicle-km when (b) stands alone, by the base assignment's when (a) and (b) are
    mixed. Affected vehicle-km = (a) + (b), with (b) = base assigned vehicle-km + the scenario's
    change in car vehicle-km (the km that remain; the rest of the difference is second order).
    Zero when neither applies (no speed effect to value).
    """
    out = _num(eff.get("speed_changed_vehicle_km_per_day", 0.0))
    cong = eff.get("congestion")
    if isinstance(cong, Mapping) and cong.get("reassigned"):
        base = eff.get(ASSIGNED_VKM_KEY)
        base = _base_assigned_vehicle_km() if base is None else _num(base)
        out += max(base + _num(eff.get("car_vehicle_km_change_per_day", 0.0)), 0.0)
    return out


def speed_effects(eff: Mapping[str, Any]) -> dict[str, float]:
    """The speed effects of a scenario's ``effects`` as additive weekday quantities.

    ``speed_accident_vehicle_km_per_day`` = ``injury_accidents_change_pct`` / 100 x affected
    vehicle-km (:func:`speed_affected_vehicle_km`): the change of injury accidents on the km that
    remain, in vehicle-km at the base risk (the change of the km themselves is the CBA's car-km
    term). ``speed_noise_db_vehicle_km_per_day`` = ``noise_db_change_mean`` x affected
    vehicle-km. Both zero without a change (the network is then never asked).
    """
    pct = _num(eff.get("injury_accidents_change_pct", 0.0))
    db = _num(eff.get("noise_db_change_mean", 0.0))
    vkm = speed_affected_vehicle_km(eff) if (pct or db) else 0.0
    return {"speed_accident_vehicle_km_per_day": pct / 100.0 * vkm,
            "speed_noise_db_vehicle_km_per_day": db * vkm}


def _base_assigned_vehicle_km() -> float:
    """Weekday vehicle-km of the network model's base assignment (the weight of the assigned
    roads in the speed effects). Builds the base model once per process if the scenario results
    came from the disk cache."""
    from ..network.scenario import _base_roads, _daily_vkm, _state

    return float(_daily_vkm(_base_roads(_state()[2]).assignment))


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
            out[key] = {k: _num(value.get(k, 0.0)) - _num(other.get(k, 0.0))
                        for k in dict.fromkeys([*value, *other])}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = float(value) - _num(other)
        else:
            out[key] = value
    return out
