"""The four-step sketch model: generation, distribution, mode choice, and its pivot response.

Zones are the 3,017 populated 1 km cells (:func:`mobility.network.zones.study_zones`); every
matrix is zone x zone float32 with rows = home (production) zones. Trips are weekday person
trips in production-attraction form (a home-based tour's outward and return trips both sit in
``T[home, destination]``).

1. **Generation** (per zone): commute ``2 x WORK_ATTENDANCE x employed residents``; business
   ``BUSINESS_TRIPS_PER_EMPLOYED x employed residents``; other = ``TRIPS_PER_PERSON_DAY x
   SURVEY_AGE_SHARE x residents`` minus the two (so all purposes together make the travel
   survey's 2.9 trips per person aged 10-84). Persons are split into a car-available segment
   (share ``car_access_pct`` of the municipality) and a segment without a car.
2. **Mode choice** (multinomial logit, per segment): ``V_walk = -b w_walk t_walk``,
   ``V_bike = ASC_bike - b w_bike t_bike``, ``V_pt = ASC_pt - b (g_pt + k fare / VOT)``,
   ``V_car = ASC_car - b (t_car + k car cost / VOT)`` (car only with a car available), with
   ``b = BETA_TIME_PER_MIN``, ``k = MONEY_WEIGHT``, the PT generalised minutes and the car
   minutes driven (congested, period-weighted) of the network skims; car cost = operating
   cost + road charges + parking.
   PT is an alternative only where the PT skim beats walking (the skim falls back to walking).
3. **Distribution** on the composite cost (the logsum ``LS_s = ln sum_m exp V_m``): destination
   weight ``exp(theta_p LS_s) = (sum_m exp V_m) ** theta_p`` times the attraction. Commute is
   doubly constrained (employed residents to jobs; jobs scaled to the employed total; Furness,
   tolerance ``FURNESS_TOL``); business (to jobs) and other purposes (to jobs and residents)
   are constrained at the origin, each segment on its own weights.
4. **Scenario response** (pivot point / incremental logit on the base): with
   ``e_m = exp(dV_m)`` (only PT and car utilities change) the mode shares become
   ``P1_m = P0_m e_m / D`` with ``D = sum_m P0_m e_m``, the logsum changes by ``ln D`` and the
   destination weights by ``D ** theta_p``; commute is re-balanced by Furness on the base matrix,
   the other purposes re-normalised per origin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..network import params as net_params
from ..network.skim import Skims
from ..network.zones import zone_distance_m
from . import parameters as P
from .zonedata import load_zone_data

__all__ = [
    "MODES",
    "PURPOSES",
    "BaseDemand",
    "ScenarioDemand",
    "base_demand",
    "furness",
    "logit_shares",
    "pivot_shares",
    "respond",
    "skim_money_and_distance",
]

MODES: tuple[str, ...] = ("walk", "bike", "pt", "car")
PURPOSES: tuple[str, ...] = ("commute", "business", "other")
F32 = np.float32


# --------------------------------------------------------------------------------------------
# small, testable building blocks


def logit_shares(utilities: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Multinomial logit shares of the alternatives (``-inf`` utility = not available)."""
    vmax = np.maximum.reduce([np.asarray(v, dtype=np.float64) for v in utilities.values()])
    vmax = np.where(np.isfinite(vmax), vmax, 0.0)
    ex = {k: np.exp(np.asarray(v, dtype=np.float64) - vmax) for k, v in utilities.items()}
    tot = sum(ex.values())
    return {k: e / tot for k, e in ex.items()}


def pivot_shares(base: dict[str, np.ndarray], delta_v: dict[str, np.ndarray]
                 ) -> dict[str, np.ndarray]:
    """Pivot-point logit: ``P1_m = P0_m exp(dV_m) / sum_k P0_k exp(dV_k)``."""
    num = {k: np.asarray(p, dtype=np.float64) * np.exp(np.asarray(delta_v.get(k, 0.0)))
           for k, p in base.items()}
    tot = sum(num.values())
    return {k: n / tot for k, n in num.items()}


def furness(weights: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, tol: float,
            max_iter: int) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Balancing factors ``a``, ``b`` so that ``a_i w_ij b_j`` has the given row and column sums.

    Returns ``(a, b, iterations, max relative error)``; the error is that of the row and column
    sums against their targets after the last iteration (rows are exact after each step's row
    update, so the column error is checked, then rows). Vectorised: two matrix-vector products
    per iteration.
    """
    w = weights
    rows = np.asarray(rows, dtype=np.float64)
    cols = np.asarray(cols, dtype=np.float64)
    b = np.ones(w.shape[1], dtype=np.float64)
    a = np.ones(w.shape[0], dtype=np.float64)
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007
        wb = w @ b.astype(w.dtype)
        a = np.divide(rows, wb, out=np.zeros_like(rows), where=wb > 0)
        aw = a.astype(w.dtype) @ w
        b = np.divide(cols, aw, out=np.zeros_like(cols), where=aw > 0)
        # after the column update columns are exact; measure the rows
        wb = w @ b.astype(w.dtype)
        got = a * wb
        err = float(np.max(np.abs(got - rows) / np.maximum(rows, 1.0)))
        if err < tol:
            break
    return a, b, it, err


def skim_money_and_distance(skims: Skims) -> tuple[np.ndarray, np.ndarray | float,
                                                   np.ndarray | float]:
    """Car km, car money cost (DKK) and PT fare (DKK) per trip from the skims.

    FALLBACK until the road network and fares land (``mobility.network.roads``/``fares``): the
    skims may carry ``car_km``, ``car_cost_dkk`` and ``pt_fare_dkk``; where they are missing,
    car km = straight line x ``STREET_CIRCUITY`` (at least the intrazonal distance) and both
    money costs are 0 DKK. Switch here, nowhere else. With the road network
    (:mod:`mobility.network.roads`) every skim carries them; ``car_cost_dkk`` is operating cost +
    road charges + parking per trip, ``pt_fare_dkk`` the Takst Sjaelland fare.
    """
    car_km = getattr(skims, "car_km", None)
    car_cost = getattr(skims, "car_cost_dkk", None)
    fare = getattr(skims, "pt_fare_dkk", None)
    if car_km is None:
        car_km = street_km()
    return (np.asarray(car_km, dtype=F32), 0.0 if car_cost is None else car_cost,
            0.0 if fare is None else fare)


_STATIC: dict[str, np.ndarray] = {}


def street_km() -> np.ndarray:
    """Street km between zone centres: straight line x circuity, at least the intrazonal trip."""
    if "km" not in _STATIC:
        d = np.maximum(zone_distance_m(), F32(net_params.INTRAZONAL_DISTANCE_M))
        km = d * F32(P.value("STREET_CIRCUITY") / 1000.0)
        km.setflags(write=False)
        _STATIC["km"] = km
    return _STATIC["km"]


def clear_static() -> None:
    """Forget cached static matrices (after a parameter change)."""
    _STATIC.clear()


# --------------------------------------------------------------------------------------------
# utilities


@dataclass(frozen=True)
class _Exp:
    """exp(V) per mode (float32); car ``None`` for the segment without a car."""

    walk: np.ndarray
    bike: np.ndarray
    pt: np.ndarray
    car: np.ndarray


def _walk_bike(km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    b = F32(P.value("BETA_TIME_PER_MIN"))
    walk_min = km * F32(60.0 / net_params.WALK_SPEED_KMH)
    bike_min = km * F32(60.0 / net_params.BIKE_SPEED_KMH)
    ew = np.exp(-b * F32(P.value("WALK_TIME_WEIGHT")) * walk_min)
    ew[km > P.value("WALK_MAX_KM")] = 0.0
    eb = np.exp(F32(P.value("ASC_BIKE")) - b * F32(P.value("BIKE_TIME_WEIGHT")) * bike_min)
    eb[km > P.value("BIKE_MAX_KM")] = 0.0
    return ew.astype(F32), eb.astype(F32)


def _walk_skim_min() -> np.ndarray:
    """The direct-walk fallback inside the PT skim (as :mod:`mobility.network.skim`)."""
    if "walk_skim" not in _STATIC:
        d = np.maximum(zone_distance_m(), F32(net_params.INTRAZONAL_DISTANCE_M))
        w = d * F32(net_params.ACCESS_CIRCUITY / 1000.0 / net_params.WALK_SPEED_KMH * 60.0)
        w.setflags(write=False)
        _STATIC["walk_skim"] = w
    return _STATIC["walk_skim"]


def _vot_min() -> float:
    return P.value("VOT_COMMUTE_DKK_H") / 60.0


def money_min_per_dkk() -> float:
    """Utility minutes per DKK of a money cost: ``MONEY_WEIGHT / VOT`` (commute VOT).

    Money enters the PT and car utilities with the cost coefficient
    ``BETA_TIME_PER_MIN x MONEY_WEIGHT / VOT`` (see ``geodata/demand_parameters.csv``: the
    weight brings the modelled PT fare elasticity to the published -0.3 to -0.4).
    """
    return P.value("MONEY_WEIGHT") / _vot_min()


def pt_g(pt: np.ndarray, fare: np.ndarray | float, walk: np.ndarray) -> np.ndarray:
    """PT utility minutes from PT generalised minutes, fare and the direct-walk skim."""
    g = pt
    if not isinstance(fare, float) or fare != 0.0:
        g = pt + np.asarray(fare, dtype=F32) * F32(money_min_per_dkk())
    return np.where(pt < walk - F32(0.01), g, F32(np.inf)).astype(F32)


def car_g(car: np.ndarray, car_time: np.ndarray, cost: np.ndarray | float | None
          ) -> np.ndarray:
    """Car utility minutes: minutes driven + money (``cost``) x ``money_min_per_dkk``.

    Without ``car_cost_dkk`` in the skims (``cost`` None: old skims) the generalised car skim
    ``car`` is used as it is (its money already in minutes at the network's value of time).
    """
    if cost is None:
        return np.asarray(car, dtype=F32)
    return (car_time + np.asarray(cost, dtype=F32) * F32(money_min_per_dkk())).astype(F32)


def pt_cost_min(skims: Skims) -> np.ndarray:
    """PT utility minutes incl. the fare; ``inf`` where PT is only walking."""
    _, _, fare = skim_money_and_distance(skims)
    return pt_g(skims.pt, fare, _walk_skim_min())


def car_cost_min(skims: Skims) -> np.ndarray:
    """Car utility minutes: minutes driven plus the money costs (operating cost, charges,
    parking) weighted as in :func:`money_min_per_dkk`."""
    return car_g(skims.car, skims.car_time, getattr(skims, "car_cost_dkk", None))


def _exp_pt(g_pt: np.ndarray) -> np.ndarray:
    b = F32(P.value("BETA_TIME_PER_MIN"))
    return np.exp(F32(P.value("ASC_PT")) - b * g_pt).astype(F32)


def _exp_car(g_car: np.ndarray) -> np.ndarray:
    b = F32(P.value("BETA_TIME_PER_MIN"))
    return np.exp(F32(P.value("ASC_CAR")) - b * g_car).astype(F32)


# --------------------------------------------------------------------------------------------
# base demand


@dataclass
class BaseDemand:
    """The base-year weekday demand and everything a scenario pivots on (float32 matrices).

    ``trips[p][s]``: trips of purpose ``p`` and segment ``s`` (1 = car available, 0 = none).
    ``shares[s][m]``: mode shares per segment (no ``car`` key in segment 0).
    ``xc[s]``: the commute destination weights ``(sum exp V) ** THETA_COMMUTE`` (accessibility).
    """

    zones: pd.DataFrame
    trips: dict[str, dict[int, np.ndarray]]
    shares: dict[int, dict[str, np.ndarray]]
    xc: dict[int, np.ndarray]
    g_pt: np.ndarray
    g_car: np.ndarray
    car_km: np.ndarray
    accessibility: np.ndarray
    furness_iterations: int
    furness_error: float
    thetas: dict[str, float]

    def trips_by_mode(self) -> dict[str, float]:
        """Weekday trips by mode."""
        out = dict.fromkeys(MODES, 0.0)
        for s in (0, 1):
            tot = _segment_total(self.trips, s)
            for m, p in self.shares[s].items():
                out[m] += float(_vdot(tot, p))
        return out


def _vdot(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.vdot(a.ravel(), b.ravel()))


def _segment_total(trips: dict[str, dict[int, np.ndarray]], s: int) -> np.ndarray:
    out = trips[PURPOSES[0]][s].copy()
    for p in PURPOSES[1:]:
        out += trips[p][s]
    return out


def thetas() -> dict[str, float]:
    """Logsum coefficient of the destination choice per purpose."""
    tc = P.value("THETA_COMMUTE")
    return {"commute": tc, "business": tc * P.value("THETA_BUSINESS_FACTOR"),
            "other": tc * P.value("THETA_OTHER_FACTOR")}


def generation(z: pd.DataFrame) -> dict[str, np.ndarray]:
    """Weekday trips produced per zone by purpose (float64)."""
    emp = z["employed_residents"].to_numpy(dtype=np.float64)
    pop = z["population"].to_numpy(dtype=np.float64)
    commute = 2.0 * P.value("WORK_ATTENDANCE") * emp
    business = P.value("BUSINESS_TRIPS_PER_EMPLOYED") * emp
    total = P.value("TRIPS_PER_PERSON_DAY") * P.value("SURVEY_AGE_SHARE") * pop
    other = np.maximum(total - commute - business, 0.0)
    return {"commute": commute, "business": business, "other": other}


def _origin_constrained(prod: np.ndarray, x: np.ndarray, attr: np.ndarray) -> np.ndarray:
    w = x * attr.astype(F32)[None, :]
    tot = w.sum(axis=1, dtype=np.float64)
    scale = np.divide(prod, tot, out=np.zeros_like(prod), where=tot > 0)
    w *= scale.astype(F32)[:, None]
    return w


def mode_exps(skims: Skims) -> tuple[_Exp, np.ndarray, np.ndarray]:
    """exp(V) per mode for the car-available segment and the PT and car generalised minutes."""
    km = street_km()
    ew, eb = _walk_bike(km)
    g_pt = pt_cost_min(skims)
    g_car = car_cost_min(skims)
    return _Exp(ew, eb, _exp_pt(g_pt), _exp_car(g_car)), g_pt, g_car


def base_demand(skims: Skims, *, exps: tuple[_Exp, np.ndarray, np.ndarray] | None = None
                ) -> BaseDemand:
    """Generation, mode choice and distribution on the base skims."""
    z = load_zone_data()
    e, g_pt, g_car = exps if exps is not None else mode_exps(skims)
    s_nm = e.walk + e.bike + e.pt          # sum exp V without car
    s_car = s_nm + e.car
    shares = {
        1: {"walk": e.walk / s_car, "bike": e.bike / s_car, "pt": e.pt / s_car,
            "car": e.car / s_car},
        0: {"walk": e.walk / s_nm, "bike": e.bike / s_nm, "pt": e.pt / s_nm},
    }
    th = thetas()
    car_share = z["car_share"].to_numpy(dtype=np.float64)
    seg = {1: car_share, 0: 1.0 - car_share}
    gen = generation(z)
    jobs = z["jobs"].to_numpy(dtype=np.float64)
    pop = z["population"].to_numpy(dtype=np.float64)
    trips: dict[str, dict[int, np.ndarray]] = {}
    # commute: doubly constrained on the segment-weighted weights
    xc = {1: np.power(s_car, F32(th["commute"])), 0: np.power(s_nm, F32(th["commute"]))}
    w = xc[1] * car_share.astype(F32)[:, None]
    w += xc[0] * (1.0 - car_share).astype(F32)[:, None]
    rows = gen["commute"]
    cols = jobs * rows.sum() / jobs.sum()
    a, b, it, err = furness(w, rows, cols, tol=P.value("FURNESS_TOL"),
                            max_iter=int(P.value("FURNESS_MAX_ITER")))
    ab_a, ab_b = a.astype(F32)[:, None], b.astype(F32)[None, :]
    trips["commute"] = {
        1: xc[1] * (car_share.astype(F32)[:, None] * ab_a) * ab_b,
        0: xc[0] * ((1.0 - car_share).astype(F32)[:, None] * ab_a) * ab_b,
    }
    del w
    attr = {"business": jobs,
            "other": jobs + P.value("OTHER_ATTRACTION_RESIDENTS") * pop}
    for p in ("business", "other"):
        trips[p] = {}
        for s, ssum in ((1, s_car), (0, s_nm)):
            x = np.power(ssum, F32(th[p]))
            trips[p][s] = _origin_constrained(gen[p] * seg[s], x, attr[p])
    km, _, _ = skim_money_and_distance(skims)
    acc = _accessibility(xc, car_share, jobs)
    return BaseDemand(z, trips, shares, xc, g_pt, g_car, km, acc, it, err, th)


def _accessibility(xc: dict[int, np.ndarray], car_share: np.ndarray, jobs: np.ndarray,
                   f: dict[int, np.ndarray] | None = None) -> np.ndarray:
    """Jobs reachable, weighted by the commute destination weight (logsum-based)."""
    j = jobs.astype(F32)
    out = np.zeros(len(jobs), dtype=np.float64)
    for s, share in ((1, car_share), (0, 1.0 - car_share)):
        x = xc[s] if f is None else xc[s] * f[s]
        out += share * (x @ j).astype(np.float64)
    return out


# --------------------------------------------------------------------------------------------
# scenario response


@dataclass
class ScenarioDemand:
    """A scenario's demand (pivoted on the base)."""

    trips: dict[str, dict[int, np.ndarray]]
    shares: dict[int, dict[str, np.ndarray]]
    g_pt: np.ndarray
    g_car: np.ndarray
    car_km: np.ndarray
    accessibility: np.ndarray
    unchanged: bool


def respond(base: BaseDemand, skims: Skims) -> ScenarioDemand:
    """Pivot-point response of the base demand to the scenario's skims."""
    g_pt = pt_cost_min(skims)
    g_car = car_cost_min(skims)
    km, _, _ = skim_money_and_distance(skims)
    same = (np.array_equal(g_pt, base.g_pt) and np.array_equal(g_car, base.g_car))
    if same:
        return ScenarioDemand(base.trips, base.shares, base.g_pt, base.g_car, km,
                              base.accessibility, True)
    b = F32(P.value("BETA_TIME_PER_MIN"))
    # dV = -b (g1 - g0); where PT is unavailable in the base its share is 0 and stays 0
    with np.errstate(invalid="ignore"):
        d = base.g_pt - g_pt
        d[np.isnan(d)] = 0.0  # inf - inf: PT unavailable in both
        np.clip(d, F32(-net_params.MAX_TIME_MIN), F32(net_params.MAX_TIME_MIN), out=d)
        e_pt = np.exp(b * d)
        d = base.g_car - g_car
        d[np.isnan(d)] = 0.0
        e_car = np.exp(b * d)
    del d
    shares: dict[int, dict[str, np.ndarray]] = {}
    dens: dict[int, np.ndarray] = {}
    for s in (1, 0):
        p0 = base.shares[s]
        den = p0["pt"] * (e_pt - F32(1.0))
        if s == 1:
            den += p0["car"] * (e_car - F32(1.0))
        den += F32(1.0)
        inv = F32(1.0) / den
        sh = {"walk": p0["walk"] * inv, "bike": p0["bike"] * inv, "pt": p0["pt"] * e_pt * inv}
        if s == 1:
            sh["car"] = p0["car"] * e_car * inv
        shares[s] = sh
        dens[s] = den
    del e_pt, e_car
    th = base.thetas
    z = base.zones
    car_share = z["car_share"].to_numpy(dtype=np.float64)
    trips: dict[str, dict[int, np.ndarray]] = {}
    fc = {s: np.power(dens[s], F32(th["commute"])) for s in (1, 0)}
    # commute: re-balance a_i b_j T0 f by Furness to the base row and column totals
    g = base.trips["commute"][1] * fc[1]
    g += base.trips["commute"][0] * fc[0]
    rows = (base.trips["commute"][1].sum(axis=1, dtype=np.float64)
            + base.trips["commute"][0].sum(axis=1, dtype=np.float64))
    cols = (base.trips["commute"][1].sum(axis=0, dtype=np.float64)
            + base.trips["commute"][0].sum(axis=0, dtype=np.float64))
    a, bb, _, _ = furness(g, rows, cols, tol=P.value("FURNESS_TOL"),
                          max_iter=int(P.value("FURNESS_MAX_ITER")))
    del g
    af, bf = a.astype(F32)[:, None], bb.astype(F32)[None, :]
    trips["commute"] = {s: (base.trips["commute"][s] * fc[s]) * af * bf for s in (1, 0)}
    for p in ("business", "other"):
        trips[p] = {}
        for s in (1, 0):
            f = fc[s] if th[p] == th["commute"] else np.power(dens[s], F32(th[p]))
            t = base.trips[p][s] * f
            r0 = base.trips[p][s].sum(axis=1, dtype=np.float64)
            r1 = t.sum(axis=1, dtype=np.float64)
            scale = np.divide(r0, r1, out=np.ones_like(r0), where=r1 > 0)
            t *= scale.astype(F32)[:, None]
            trips[p][s] = t
    jobs = z["jobs"].to_numpy(dtype=np.float64)
    acc = _accessibility(base.xc, car_share, jobs, fc)
    return ScenarioDemand(trips, shares, g_pt, g_car, km, acc, False)


def summary_base(base: BaseDemand) -> dict[str, Any]:
    """Base-year statistics (weekday)."""
    z = base.zones
    km = street_km()
    by_mode = base.trips_by_mode()
    total = sum(by_mode.values())
    pkm = 0.0
    for s in (0, 1):
        tot = _segment_total(base.trips, s)
        for m, p in base.shares[s].items():
            dist = base.car_km if m == "car" else km
            pkm += _vdot(tot * p, dist)
    pop = float(z["population"].sum())
    commute = base.trips["commute"][1] + base.trips["commute"][0]
    c_km = (commute * base.car_km).sum(axis=1, dtype=np.float64)
    c_n = commute.sum(axis=1, dtype=np.float64)
    frame = pd.DataFrame({"code": z["municipality_code"], "name": z["municipality"],
                          "km": c_km, "n": c_n}).groupby(["code", "name"]).sum()
    mean_commute = (frame["km"] / frame["n"]).round(2)
    return {
        "zones": len(z),
        "residents": int(pop),
        "trips_per_day": round(total),
        "trips_per_resident_per_day": round(total / pop, 3),
        "trips_per_person_per_day": round(total / (pop * P.value("SURVEY_AGE_SHARE")), 3),
        "mean_trip_km": round(pkm / total, 2),
        "mode_shares": {m: round(v / total, 4) for m, v in by_mode.items()},
        "trips_by_mode": {m: round(v) for m, v in by_mode.items()},
        "trips_by_purpose": {p: round(float(base.trips[p][0].sum(dtype=np.float64)
                                            + base.trips[p][1].sum(dtype=np.float64)))
                             for p in PURPOSES},
        "mean_commute_km": round(float(c_km.sum() / c_n.sum()), 2),
        "mean_commute_km_by_municipality": {
            str(name): float(v) for (_, name), v in mean_commute.items()},
        "furness_iterations": base.furness_iterations,
        "furness_max_rel_error": base.furness_error,
    }
