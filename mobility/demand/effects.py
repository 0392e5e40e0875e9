"""Effects of a scenario against the base: trips, vehicle-km, CO2, rule-of-half user benefit.

All figures are per weekday unless the key says per year; a year is ``ANNUALISATION_DAYS``
weekdays. Keys are those of ``ScenarioResult.effects`` (see ``/docs/model.md``).

- **User benefit** by the rule of half over purpose, segment, origin, destination and mode:
  ``1/2 sum (T0 + T1) (c0 - c1)``, with ``c`` the PT generalised minutes (in-vehicle, waits,
  walks, transfer penalties) and the car minutes driven; money (road charges, car costs,
  fares) enters the kroner benefit, never the minutes. Kroner = minutes x the purpose's value
  of time + money.
- **CO2**: car vehicle-km change x the fleet factor of ``CO2_YEAR`` (fossil and electric cars
  weighted by the electrification path) + added bus-km x ``BUS_G_PER_KM`` + added train-km x
  the electric or diesel factor (local railways run diesel railcars).
- **Added service** (bus-km, train-km) from the edits: per service, departures per direction
  per day (``SERVICE_HOURS_PER_DAY x 60 / headway``) x 2 directions x line length (straight line
  between consecutive stops x ``LINE_CIRCUITY_*``); scenario minus base.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..network.services import RAIL_MODES, Network
from . import parameters as P
from .model import MODES, BaseDemand
from .pivot import Response, prepare
from .pt_assign import changed_services

__all__ = ["DEMAND_EFFECT_KEYS", "EFFECT_KEYS", "LINE_COLUMNS", "ROAD_EFFECT_KEYS",
           "car_g_per_km", "changed_services", "empty_lines", "rail_km_by_mode",
           "scenario_effects", "service_km"]

#: Keys the demand model's effects carry (:func:`scenario_effects`).
DEMAND_EFFECT_KEYS: tuple[str, ...] = (
    "annualisation_days", "trips_by_mode_base", "trips_by_mode_scenario",
    "extra_pt_trips_per_day", "new_line_boardings_per_day", "car_vehicle_km_change_per_day",
    "bus_vehicle_km_change_per_day", "rail_train_km_change_per_day", "walk_km_change_per_day",
    "bike_km_change_per_day", "co2_operation_t_per_year_change", "person_minutes_saved_per_day",
    "person_minutes_saved_by_purpose", "user_benefit_mdkk_per_year",
    "fare_revenue_change_dkk_per_day", "car_operating_cost_change_dkk_per_day",
    "road_charge_revenue_change_dkk_per_day", "user_money_benefit_car_dkk_per_day",
    "user_money_benefit_pt_dkk_per_day", "rail_train_km_change_by_mode_per_day",
)
#: Keys the congestion loop adds (``mobility.network.scenario._road_effects``, see
#: ``docs/model.md (section 9)``): weekday unless per year; accident and noise changes are
#: vehicle-km-weighted per-km rates on the affected roads; ``congestion`` is a dict.
ROAD_EFFECT_KEYS: tuple[str, ...] = (
    "car_vehicle_hours_change_per_day", "co2_speed_t_per_year_change",
    "fuel_litres_change_per_day", "injury_accidents_change_pct", "fatal_accidents_change_pct",
    "noise_db_change_mean", "speed_changed_vehicle_km_per_day",
    "assigned_base_vehicle_km_per_day", "congestion",
)
#: All keys of ``ScenarioResult.effects``.
EFFECT_KEYS: tuple[str, ...] = DEMAND_EFFECT_KEYS + ROAD_EFFECT_KEYS
LINE_COLUMNS: tuple[str, ...] = ("service", "mode", "boardings_base", "boardings_scenario",
                                 "new_or_changed")


def empty_lines() -> pd.DataFrame:
    """The ``lines`` frame with its columns and no rows (until PT assignment exists)."""
    return pd.DataFrame({"service": pd.Series(dtype=str), "mode": pd.Series(dtype=str),
                         "boardings_base": pd.Series(dtype=float),
                         "boardings_scenario": pd.Series(dtype=float),
                         "new_or_changed": pd.Series(dtype=bool)})


def car_g_per_km(year: float | None = None) -> float:
    """Fleet-average car CO2e per vehicle-km in ``year`` (default ``CO2_YEAR``).

    The EV share of car-km is interpolated linearly between 2025, 2030 and 2035 (held
    constant outside).
    """
    y = P.value("CO2_YEAR") if year is None else float(year)
    ev = float(np.interp(y, [2025.0, 2030.0, 2035.0],
                         [P.value("EV_SHARE_CAR_KM_2025"), P.value("EV_SHARE_CAR_KM_2030"),
                          P.value("EV_SHARE_CAR_KM_2035")]))
    return (1.0 - ev) * P.value("CAR_FOSSIL_G_PER_KM") + ev * P.value("CAR_EV_G_PER_KM")


def _line_km(net: Network, stops: list[str], mode: str) -> float:
    f = P.value("LINE_CIRCUITY_RAIL") if mode in RAIL_MODES else P.value("LINE_CIRCUITY_BUS")
    xy = np.array([net.stations[s] for s in stops if s in net.stations], dtype=float)
    if len(xy) < 2:
        return 0.0
    return float(np.hypot(*np.diff(xy, axis=0).T).sum() / 1000.0 * f)


def service_km(net: Network) -> dict[str, tuple[str, float]]:
    """Service name -> (mode, vehicle-km per weekday, both directions)."""
    hours = P.value("SERVICE_HOURS_PER_DAY")
    out = {}
    for name, svc in net.services.items():
        deps = hours * 60.0 / svc.headway_min if svc.headway_min > 0 else 0.0
        out[name] = (svc.mode, 2.0 * deps * _line_km(net, svc.stops, svc.mode))
    return out


def _service_km_change(base_net: Network, scen_net: Network) -> dict[str, float]:
    """Vehicle-km per weekday by service mode, scenario minus base. A service whose mode an
    edit changes (``change_mode``, e.g. regional trains run as S-trains) loses its base km in
    the old mode and gains its scenario km in the new one."""
    b, s = service_km(base_net), service_km(scen_net)
    out: dict[str, float] = {}
    for name in sorted(set(b) | set(s)):
        m0, km0 = b.get(name, ("", 0.0))
        m1, km1 = s.get(name, ("", 0.0))
        if m0 == m1 and abs(km1 - km0) < 1e-9:
            continue
        if m0:
            out[m0] = out.get(m0, 0.0) - km0
        if m1:
            out[m1] = out.get(m1, 0.0) + km1
    return out


def rail_km_by_mode(base_net: Network, scen_net: Network) -> dict[str, float]:
    """Train-km per weekday by rail mode (``s_train``, ``regional``, ...), scenario minus base
    (:func:`_service_km_change`), so each can be priced at its own operating cost. Modes
    without change are left out; the values sum to the total train-km change."""
    return _rail_by_mode(_service_km_change(base_net, scen_net))


def _rail_by_mode(changes: dict[str, float]) -> dict[str, float]:
    return {m: round(v, 1) for m, v in sorted(changes.items())
            if m in RAIL_MODES and abs(v) >= 0.05}


def _service_changes(changes: dict[str, float]) -> tuple[float, float, float]:
    """(bus-km, electric train-km, diesel train-km) per weekday of the km changes by mode
    (:func:`_service_km_change`): the local railways run diesel trains, the other rail modes
    electric ones."""
    bus = rail_el = rail_di = 0.0
    for mode, d in changes.items():
        if mode == "local_rail":
            rail_di += d
        elif mode in RAIL_MODES:
            rail_el += d
        else:
            bus += d
    return bus, rail_el, rail_di


def scenario_effects(base: BaseDemand, resp: Response, base_net: Network, scen_net: Network,
                     new_line_boardings: float | None = None, *,
                     access_km_change: dict[str, float] | None = None
                     ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The ``effects`` dict and per-zone arrays (``saved``, ``saved_pt``, ``saved_car``,
    ``trips``, ``pt_trips_base``, ``pt_trips_change``) of a scenario's demand response.

    ``access_km_change`` (``walk``, ``bike``: street km of the PT trips' station legs,
    scenario minus base, from the PT assignment) is added to the walk and bike km of the
    walk and bike trips."""
    days = P.value("ANNUALISATION_DAYS")
    pre = prepare(base)
    occ = P.value("CAR_OCCUPANCY")
    changes = _service_km_change(base_net, scen_net)
    bus, rail_el, rail_di = _service_changes(changes)
    co2 = (bus * P.value("BUS_G_PER_KM") + rail_el * P.value("RAIL_ELECTRIC_G_PER_TRAIN_KM")
           + rail_di * P.value("RAIL_DIESEL_G_PER_TRAIN_KM"))
    car_vkm = (resp.km["car"] - pre.km["car"]) / occ
    if resp.unchanged:
        car_vkm = 0.0
    co2 += car_vkm * car_g_per_km()
    saved = resp.saved_pt + resp.saved_car
    leg = access_km_change or {}
    eff = _assemble(days, pre.trips, resp.trips, car_vkm,
                    (0.0 if resp.unchanged else resp.km["walk"] - pre.km["walk"])
                    + float(leg.get("walk", 0.0)),
                    (0.0 if resp.unchanged else resp.km["bike"] - pre.km["bike"])
                    + float(leg.get("bike", 0.0)),
                    float(saved.sum()), resp.saved_by_purpose, resp.benefit_dkk, bus,
                    rail_el + rail_di, co2, new_line_boardings)
    money = resp.money_dkk or {}
    eff["user_money_benefit_car_dkk_per_day"] = round(_num(money.get("car", 0.0)), 1)
    eff["user_money_benefit_pt_dkk_per_day"] = round(_num(money.get("pt", 0.0)), 1)
    eff["rail_train_km_change_by_mode_per_day"] = _rail_by_mode(changes)
    if resp.unchanged:
        eff["trips_by_mode_scenario"] = dict(eff["trips_by_mode_base"])
        eff["extra_pt_trips_per_day"] = 0.0
    return eff, {"saved": saved, "saved_pt": resp.saved_pt, "saved_car": resp.saved_car,
                 "trips": pre.trips_zone, "pt_trips_base": pre.pt_zone,
                 "pt_trips_change": resp.pt_zone - pre.pt_zone}


def _num(x: float) -> float:
    x = float(x)
    return x if math.isfinite(x) else 0.0


def _assemble(days: float, trips0: dict[str, float], trips1: dict[str, float], car_vkm: float,
              walk_km: float, bike_km: float, minutes: float, by_purpose: dict[str, float],
              benefit_dkk_day: float, bus_km: float, rail_km: float, co2_g_day: float,
              new_line_boardings: float | None) -> dict[str, Any]:
    eff = {
        "annualisation_days": float(days),
        "trips_by_mode_base": {m: round(_num(trips0[m]), 1) for m in MODES},
        "trips_by_mode_scenario": {m: round(_num(trips1[m]), 1) for m in MODES},
        "extra_pt_trips_per_day": round(_num(trips1["pt"] - trips0["pt"]), 1),
        "new_line_boardings_per_day": (None if new_line_boardings is None
                                       else round(_num(new_line_boardings), 1)),
        "car_vehicle_km_change_per_day": round(_num(car_vkm), 1),
        "bus_vehicle_km_change_per_day": round(_num(bus_km), 1),
        "rail_train_km_change_per_day": round(_num(rail_km), 1),
        "walk_km_change_per_day": round(_num(walk_km), 1),
        "bike_km_change_per_day": round(_num(bike_km), 1),
        "co2_operation_t_per_year_change": round(_num(co2_g_day) * days / 1e6, 2),
        "person_minutes_saved_per_day": round(_num(minutes), 1),
        "person_minutes_saved_by_purpose": {p: round(_num(v), 1) for p, v in by_purpose.items()},
        "user_benefit_mdkk_per_year": round(_num(benefit_dkk_day) * days / 1e6, 3),
        "fare_revenue_change_dkk_per_day": 0.0,
        "car_operating_cost_change_dkk_per_day": 0.0,
        "road_charge_revenue_change_dkk_per_day": 0.0,
        # the money part of the rule-of-half user benefit (DKK per weekday): car operating
        # cost, road charges and parking; PT fares (filled by scenario_effects)
        "user_money_benefit_car_dkk_per_day": 0.0,
        "user_money_benefit_pt_dkk_per_day": 0.0,
        # train-km by rail mode (filled by scenario_effects: rail_km_by_mode)
        "rail_train_km_change_by_mode_per_day": {},
    }
    assert tuple(eff) == DEMAND_EFFECT_KEYS
    return eff
