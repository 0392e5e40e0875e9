"""Zones: the populated 1 km cells of the Fingerplan area, and their access and egress legs.

Bornholm's cells are left out: the network has no ferry or air link to Bornholm, so no zone
there can reach the rest of the network (documented in ``docs/network.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from .. import geodata
from . import params
from .roads import link_speed_kmh
from .services import Network

__all__ = [
    "ACCESS_MODES", "Legs", "car_access", "car_legs", "mode_choice", "pt_legs", "study_zones",
    "zone_distance_m",
]


@lru_cache(maxsize=1)
def _zones() -> gpd.GeoDataFrame:
    grid = geodata.load_population_grid()
    grid = grid[grid["municipality_code"].isin(geodata.FINGERPLAN_CODES)].copy()
    grid["municipality_code"] = grid["municipality_code"].astype(int)
    cent = grid.geometry.centroid
    grid["x"] = cent.x.to_numpy()
    grid["y"] = cent.y.to_numpy()
    cols = ["cell_id", "municipality_code", "municipality", "population", "x", "y", "geometry"]
    return grid[cols].sort_values("cell_id").reset_index(drop=True)


def study_zones() -> gpd.GeoDataFrame:
    """Zones of the network model (a copy).

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``municipality_code``, ``municipality``, ``population``, ``x``, ``y``
        (cell centre, EPSG:25832), ``urban`` (at least ``params.URBAN_MIN_POPULATION``
        residents), ``geometry``; sorted by ``cell_id``.
    """
    out = _zones().copy()
    out["urban"] = out["population"] >= params.URBAN_MIN_POPULATION
    return out


@lru_cache(maxsize=1)
def _distance() -> np.ndarray:
    z = _zones()
    xy = np.column_stack([z["x"], z["y"]]).astype(np.float64)
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    d = d.astype(np.float32)
    d.setflags(write=False)
    return d


def zone_distance_m() -> np.ndarray:
    """Straight-line distances between zone centres (metres, float32, read-only)."""
    return _distance()


#: Modes of the access and egress legs, in the order of the last axis of ``Legs.*_share``
#: ("car" is the park-and-ride leg).
ACCESS_MODES: tuple[str, ...] = ("walk", "bike", "feeder", "car")


@dataclass(frozen=True)
class Legs:
    """Access and egress legs: per zone, the indices of nodes reached and the leg costs.

    ``access_idx``/``egress_idx`` index the node list the legs were built for; missing legs
    have cost ``inf``. ``*_t`` are minutes, ``*_g`` generalised minutes. PT legs also carry
    ``*_share`` (zone x leg x mode, modes :data:`ACCESS_MODES`, summing to 1 where the leg
    exists, 0 where it does not) and ``*_km`` (street km of the leg); car legs leave them None.
    """

    access_idx: np.ndarray
    access_t: np.ndarray
    access_g: np.ndarray
    egress_idx: np.ndarray
    egress_t: np.ndarray
    egress_g: np.ndarray
    access_share: np.ndarray | None = None
    access_km: np.ndarray | None = None
    egress_share: np.ndarray | None = None
    egress_km: np.ndarray | None = None


def _near(points: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    z = _zones()
    tree = cKDTree(points)
    k = min(k, len(points))
    dist, idx = tree.query(np.column_stack([z["x"], z["y"]]), k=k)
    return np.atleast_2d(dist.T).T, np.atleast_2d(idx.T).T


def _near_kept(points: np.ndarray, names: list[str], base_names: set[str],
               k: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest *base* points of every zone, plus its ``k`` nearest *new* points.

    Choosing the k nearest among all points would let a station or road node added by a
    scenario push an existing one out of a zone's access set, making some journeys longer
    although the scenario only adds links. Keeping the base set and adding the new points
    makes scenario access legs a superset of the base legs, so an added link can only shorten
    a shortest path.
    """
    is_base = np.array([n in base_names for n in names], dtype=bool)
    base_pos = np.flatnonzero(is_base)
    dist, idx = _near(points[base_pos], k)
    idx = base_pos[idx]
    new_pos = np.flatnonzero(~is_base)
    if new_pos.size:
        d_new, i_new = _near(points[new_pos], k)
        dist = np.column_stack([dist, d_new])
        idx = np.column_stack([idx, new_pos[i_new]])
    return dist, idx


def _base_names() -> tuple[set[str], set[str]]:
    from .base import _base  # late import: base builds on this module's siblings

    base = _base()
    return set(base.stations), set(base.road_nodes)


def mode_choice(costs: np.ndarray, times: np.ndarray, scale: float
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multinomial logit over the last axis of ``costs`` (generalised minutes, ``inf`` = mode
    not available), utility ``-scale * cost``.

    Returns
    -------
    logsum : numpy.ndarray
        Expected minimum cost ``-ln(sum(exp(-scale * cost))) / scale`` (``inf`` where no mode
        is available); never above the cheapest mode's cost.
    shares : numpy.ndarray
        Choice probabilities (same shape as ``costs``; all 0 where no mode is available).
    time : numpy.ndarray
        Share-weighted ``times`` (``inf`` where no mode is available).
    """
    if scale <= 0:
        msg = f"the access logit scale must be positive, not {scale!r}"
        raise ValueError(msg)
    best = costs.min(axis=-1)
    ok = np.isfinite(best)
    rel = np.where(ok[..., None], costs - np.where(ok, best, 0.0)[..., None], np.inf)
    w = np.exp(-scale * rel)
    tot = w.sum(axis=-1)
    safe = np.where(ok, tot, 1.0)
    shares = np.where(ok[..., None], w / safe[..., None], 0.0)
    logsum = np.where(ok, best - np.log(safe) / scale, np.inf)
    tt = np.where(shares > 0, times, 0.0)
    time = np.where(ok, (shares * tt).sum(axis=-1), np.inf)
    return logsum, shares, time


def _access_options(dist_m: np.ndarray, parking: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times and costs (..., 3 modes walk/bike/feeder) of legs of straight-line ``dist_m``."""
    d = np.maximum(dist_m, 250.0) * params.ACCESS_CIRCUITY / 1000.0  # km on the street
    inf = np.inf
    walk = np.where(dist_m <= params.WALK_MAX_M, d / params.WALK_SPEED_KMH * 60.0, inf)
    bike = np.where(dist_m <= params.BIKE_MAX_M,
                    d / params.BIKE_SPEED_KMH * 60.0 + parking, inf)
    feeder = np.where(dist_m <= params.FEEDER_MAX_M,
                      d / params.FEEDER_SPEED_KMH * 60.0 + params.FEEDER_WAIT_MIN, inf)
    times = np.stack([walk, bike, feeder], axis=-1)
    asc = np.array([0.0, params.ACCESS_ASC_BIKE_MIN, params.ACCESS_ASC_FEEDER_MIN])
    return times, times + asc, d


def pt_legs(net: Network, stations: list[str]) -> Legs:
    """Walk, bicycle, feeder-bus and park-and-ride legs between zones and ``stations``.

    Access to each of a zone's stations is a logit over walking (up to ``WALK_MAX_M``),
    cycling plus bicycle parking (up to ``BIKE_MAX_M``; parking time per station from
    ``net.bike_parking_min``) and a feeder bus (up to ``FEEDER_MAX_M``, plus
    ``FEEDER_WAIT_MIN``), with the constants ``ACCESS_ASC_*`` and scale
    ``ACCESS_LOGIT_SCALE_PER_MIN``: the leg's generalised cost is the logsum, its time the
    share-weighted time. Egress is the same logit over walking and feeder (no bicycle). A
    park-and-ride of the scenario adds a driving access leg from every zone in its catchment.
    The legs of a (zone, station) pair do not depend on the other stations, and the base
    stations of a zone are kept (:func:`_near_kept`), so scenario legs are a superset of the
    base legs.
    """
    xy = np.array([net.stations[s] for s in stations])
    dist, idx = _near_kept(xy, stations, _base_names()[0], params.ACCESS_STATIONS_K)
    parking = np.array([net.bike_parking_min.get(s, params.BIKE_PARKING_MIN) for s in stations])
    times, costs, km = _access_options(dist, parking[idx])
    scale = params.ACCESS_LOGIT_SCALE_PER_MIN
    acc_g, acc_sh, acc = mode_choice(costs, times, scale)
    e_costs = costs.copy()
    e_costs[..., 1] = np.inf  # no bicycle at the destination end
    egr_g, egr_sh, egr = mode_choice(e_costs, times, scale)
    zero = np.zeros((*acc_sh.shape[:-1], 1))
    acc_sh = np.concatenate([acc_sh, zero], axis=-1)
    egr_sh = np.concatenate([egr_sh, zero], axis=-1)
    acc_idx, acc_t, acc_km = idx, acc, km
    if net.park_and_ride:
        z = study_zones()
        pos = {s: i for i, s in enumerate(stations)}
        extra_idx, extra_t, extra_g, extra_km = [], [], [], []
        for pr in net.park_and_ride:
            sx, sy = net.stations[pr["station"]]
            dd = np.hypot(z["x"].to_numpy() - sx, z["y"].to_numpy() - sy)
            pkm = np.maximum(dd, 250.0) / 1000.0 * params.ACCESS_CIRCUITY
            speed = np.where(z["urban"], link_speed_kmh("local", "urban", net.speed_caps),
                             link_speed_kmh("local", "rural", net.speed_caps))
            t = pkm / speed * 60.0 + params.PARK_AND_RIDE_MIN
            t = np.where(dd <= float(pr["catchment_km"]) * 1000.0, t, np.inf)
            cost = (pkm * net.road_cost["per_km_dkk"]) / params.VALUE_OF_TIME_DKK_PER_MIN
            extra_idx.append(np.full(len(z), pos[pr["station"]]))
            extra_t.append(t)
            extra_g.append(t + cost)
            extra_km.append(pkm)
        acc_idx = np.column_stack([idx, *extra_idx])
        acc_t = np.column_stack([acc, *extra_t])
        acc_g = np.column_stack([acc_g, *extra_g])
        acc_km = np.column_stack([km, *extra_km])
        pr_sh = np.zeros((len(z), len(net.park_and_ride), len(ACCESS_MODES)))
        pr_sh[..., 3] = np.isfinite(np.column_stack(extra_t))
        acc_sh = np.concatenate([acc_sh, pr_sh], axis=1)
    f32 = np.float32
    return Legs(acc_idx.astype(np.int32), acc_t.astype(f32), acc_g.astype(f32),
                idx.astype(np.int32), egr.astype(f32), egr_g.astype(f32),
                acc_sh.astype(f32), acc_km.astype(f32), egr_sh.astype(f32), km.astype(f32))


def car_legs(net: Network, nodes: list[str]) -> Legs:
    """Local-road legs between zones and the ``CAR_ACCESS_NODES_K`` nearest road nodes, plus
    the terminal time; the scenario's speed caps apply, and the generalised cost adds the
    operating cost and per-km charge of the leg in minutes (``params.VALUE_OF_TIME``)."""
    return car_access(net, nodes)[0]


def car_access(net: Network, nodes: list[str]) -> tuple[Legs, np.ndarray]:
    """:func:`car_legs` and the legs' road km (zones x k, float32)."""
    xy = np.array([net.road_nodes[n] for n in nodes])
    dist, idx = _near_kept(xy, nodes, _base_names()[1], params.CAR_ACCESS_NODES_K)
    z = study_zones()
    speed = np.where(z["urban"], link_speed_kmh("local", "urban", net.speed_caps),
                     link_speed_kmh("local", "rural", net.speed_caps))[:, None]
    km = np.maximum(dist, 250.0) * params.ACCESS_CIRCUITY / 1000.0
    t = km / speed * 60.0 + params.CAR_TERMINAL_MIN
    per_km = params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]
    g = t + km * per_km / params.VALUE_OF_TIME_DKK_PER_MIN
    f32 = np.float32
    return (Legs(idx.astype(np.int32), t.astype(f32), g.astype(f32),
                 idx.astype(np.int32), t.astype(f32), g.astype(f32)), km.astype(f32))
