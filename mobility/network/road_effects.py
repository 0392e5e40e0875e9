"""Effects of road scenarios for the appraisal: vehicle-km, CO2 and fuel by speed, accidents,
noise.

Speed-dependent emissions (documented curve)
--------------------------------------------
CO2 of a fossil-fuelled car per km as a function of its average speed ``v`` (km/h):
``e(v) = a + b / v + c v^2`` (g/km), the usual U shape (stop-and-go at low speed, air drag at
high speed), fitted exactly through the three points of Aarhus University's staff travel guide
(``geodata-src/demand/appraisal_and_demand_figures.csv``, row "Travel emission factors in
Aarhus University staff green guide": fuel car city 193, rural 125, motorway 134 g CO2/km),
placed at the ASSUMPTION average speeds 25 (city), 70 (rural) and 110 km/h (motorway). An
electric car emits ``EV_G_PER_KM`` (same row: 27 g/km mixed, grid mix). The fleet mix is
``FOSSIL_SHARE_OF_CAR_KM`` (ASSUMPTION 0.85, low 0.75, high 0.95). Fuel: petrol at
2.31 kg CO2 per litre (standard combustion factor; ASSUMPTION, diesel 2.68).

Accidents: Nilsson's power model (Nilsson 2004, *Traffic safety dimensions and the power model
to describe the effect of speed on safety*, Lund; re-estimated by Elvik 2009): injury accidents
scale with ``(v1 / v0) ** 2`` and fatal accidents with ``(v1 / v0) ** 4`` per vehicle-km.
Noise: the rolling-noise term of the Nordic road-traffic noise prediction method,
``dL = 30 log10(v1 / v0)`` dB for light vehicles (ASSUMPTION, slope 20-35 dB per decade),
reported as the vehicle-km-weighted mean change.

Demand response: the demand model's (``mobility.network.scenario.congested_scenario``); the
roads engineer's interim elastic response was removed at integration.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import params
from .assignment import AssignmentResult

__all__ = [
    "EV_G_PER_KM", "FOSSIL_SHARE_OF_CAR_KM", "co2_g_per_km", "local_road_effects",
    "road_effects",
]

EV_G_PER_KM: float = 27.0
FOSSIL_SHARE_OF_CAR_KM: float = 0.85
CO2_KG_PER_LITRE: float = 2.31
_POINTS = ((25.0, 193.0), (70.0, 125.0), (110.0, 134.0))
#: Low/high ranges of this module's ASSUMPTIONS (for sensitivity runs).
ASSUMPTION_RANGES: dict[str, tuple[float, float]] = {
    "FOSSIL_SHARE_OF_CAR_KM": (0.75, 0.95),
}


def _fit() -> np.ndarray:
    m = np.array([[1.0, 1.0 / v, v * v] for v, _ in _POINTS])
    return np.linalg.solve(m, np.array([e for _, e in _POINTS]))


_COEF = _fit()


def co2_g_per_km(speed_kmh: Any, *, fossil_share: float | None = None) -> Any:
    """Fleet CO2 per car-km (g) at average speed ``speed_kmh`` (clipped to 10-130 km/h)."""
    v = np.clip(np.asarray(speed_kmh, dtype=np.float64), 10.0, 130.0)
    fossil = _COEF[0] + _COEF[1] / v + _COEF[2] * v * v
    share = FOSSIL_SHARE_OF_CAR_KM if fossil_share is None else fossil_share
    out = share * fossil + (1.0 - share) * EV_G_PER_KM
    return out if out.ndim else float(out)


def _daily(res: AssignmentResult, values: dict[str, np.ndarray]) -> np.ndarray:
    hours = {"peak": params.PEAK_HOURS, "offpeak": params.OFFPEAK_HOURS}
    return sum(values[p] * hours.get(p, 1.0) for p in res.flows)  # type: ignore[return-value]


def road_effects(base: AssignmentResult, scen: AssignmentResult) -> dict[str, float]:
    """Weekday effects of a scenario on the assigned roads (scenario minus base).

    Daily = peak hour x ``PEAK_HOURS`` + off-peak hour x ``OFFPEAK_HOURS``. Links are matched
    by ``(from, to)``; links only in the scenario count from zero.
    """
    out: dict[str, float] = {}
    per: dict[str, dict[str, float]] = {}
    for name, res in (("base", base), ("scen", scen)):
        speeds = {p: res.length_km / np.maximum(res.link_times[p], 1e-9) * 60.0
                  for p in res.flows}
        vkm = {p: res.flows[p] * res.length_km for p in res.flows}
        co2 = {p: vkm[p] * co2_g_per_km(speeds[p]) for p in res.flows}
        vkm_d = _daily(res, vkm)
        per[name] = {
            "vkm": float(vkm_d.sum()),
            "vh": float(_daily(res, {p: res.flows[p] * res.link_times[p] / 60.0
                                     for p in res.flows}).sum()),
            "co2_t": float(_daily(res, co2).sum()) / 1e6,
        }
        per[name]["speeds"] = speeds  # type: ignore[assignment]
        per[name]["vkm_link"] = vkm_d  # type: ignore[assignment]
    b, s = per["base"], per["scen"]
    out["car_vehicle_km_change_per_day"] = s["vkm"] - b["vkm"]
    out["car_vehicle_hours_change_per_day"] = s["vh"] - b["vh"]
    out["co2_t_per_day_change"] = s["co2_t"] - b["co2_t"]
    ev_t = (1.0 - FOSSIL_SHARE_OF_CAR_KM) * EV_G_PER_KM * out["car_vehicle_km_change_per_day"] / 1e6
    out["fuel_litres_per_day_change"] = (out["co2_t_per_day_change"] - ev_t) * 1000.0 \
        / CO2_KG_PER_LITRE
    # speed-related safety and noise on the links present in both
    idx = {k: i for i, k in enumerate(base.keys)}
    common = [(idx[k], j) for j, k in enumerate(scen.keys) if k in idx]
    bi = np.array([c[0] for c in common], dtype=int)
    si = np.array([c[1] for c in common], dtype=int)
    w = np.asarray(s["vkm_link"])[si]  # type: ignore[index]
    ratio = sum((scen.flows[p][si] * (s["speeds"][p][si] / b["speeds"][p][bi]))  # type: ignore[index]
                for p in scen.flows) / np.maximum(sum(scen.flows[p][si] for p in scen.flows),
                                                  1e-12)
    ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    wsum = float(w.sum()) or 1.0
    out["injury_accidents_change_pct"] = (float((w * ratio ** 2).sum()) / wsum - 1.0) * 100.0
    out["fatal_accidents_change_pct"] = (float((w * ratio ** 4).sum()) / wsum - 1.0) * 100.0
    out["noise_db_change_mean"] = float((w * 30.0 * np.log10(ratio)).sum()) / wsum
    # the links whose free-flow speed the scenario changed (speed limits): where the catalogue
    # states its noise and CO2 effects
    changed = ~np.isclose(scen.free_flow_min[si], base.free_flow_min[bi])
    if changed.any():
        wc = w[changed]
        ws = float(wc.sum()) or 1.0
        out["changed_links_noise_db_change"] = float(
            (wc * 30.0 * np.log10(ratio[changed])).sum()) / ws
        e0 = sum(base.flows[p][bi][changed] * base.length_km[bi][changed]
                 * co2_g_per_km(b["speeds"][p][bi][changed]) for p in base.flows)  # type: ignore[index]
        v0 = sum(base.flows[p][bi][changed] * base.length_km[bi][changed] for p in base.flows)
        e1 = sum(scen.flows[p][si][changed] * scen.length_km[si][changed]
                 * co2_g_per_km(s["speeds"][p][si][changed]) for p in scen.flows)  # type: ignore[index]
        v1 = sum(scen.flows[p][si][changed] * scen.length_km[si][changed] for p in scen.flows)
        out["changed_links_co2_per_vkm_change_pct"] = (
            (float(e1.sum()) / float(v1.sum())) / (float(e0.sum()) / float(v0.sum())) - 1.0
        ) * 100.0
    return out


def local_road_effects(base_net: Any, scen_net: Any, daily_car_trips: np.ndarray
                       ) -> dict[str, float]:
    """Weekday effects of speed caps on the zones' local roads (not assigned: initiative 28).

    Local vehicle-km: every car trip end drives the zone's leg to its nearest road node
    (``zones.car_access``: straight line x 1.25, at least 250 m): (trips out + trips in) /
    ``CAR_OCCUPANCY`` x that km, at the zone's local speed (urban or rural). CO2, accidents
    and noise as in :func:`road_effects`, with the local speeds before and after.
    """
    from .roads import link_speed_kmh
    from .zones import car_access, study_zones

    urban = study_zones()["urban"].to_numpy()
    roads = sorted(base_net.road_nodes)
    _, km = car_access(base_net, roads)
    daily = np.asarray(daily_car_trips, dtype=np.float64)
    ends = (daily.sum(axis=1) + daily.sum(axis=0)) / params.CAR_OCCUPANCY
    vkm = ends * km[:, 0].astype(np.float64)

    def speeds(net: Any) -> np.ndarray:
        return np.where(urban, link_speed_kmh("local", "urban", net.speed_caps),
                        link_speed_kmh("local", "rural", net.speed_caps))

    v0, v1 = speeds(base_net), speeds(scen_net)
    ratio = v1 / v0
    total = float(vkm.sum()) or 1.0
    return {
        "local_vehicle_km_per_day": float(vkm.sum()),
        "local_urban_vehicle_km_per_day": float(vkm[urban].sum()),
        "local_co2_t_per_day_change": float((vkm * (co2_g_per_km(v1) - co2_g_per_km(v0))).sum())
        / 1e6,
        "local_injury_accidents_change_pct": (float((vkm * ratio ** 2).sum()) / total - 1) * 100,
        "local_fatal_accidents_change_pct": (float((vkm * ratio ** 4).sum()) / total - 1) * 100,
        "local_noise_db_change_mean": float((vkm * 30.0 * np.log10(ratio)).sum()) / total,
    }
