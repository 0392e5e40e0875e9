"""Car traffic assignment: user equilibrium with BPR volume-delay, by time period.

Method
------
- **Graph**: the scenario's road links, both directions, compiled to arrays (one directed
  link per node pair: parallel links are merged, capacities added, the faster free-flow time
  kept). A link's generalised cost is its congested time (BPR, class parameters from
  ``geodata/roads.yaml``) plus its money cost in minutes (operating cost and road charge per km
  over the value of time).
- **Centroids**: every zone is connected to its nearest road node; the zone x zone OD matrix
  (vehicles per hour) is aggregated to node x node. Trips between zones of the same node stay
  on local roads and are not assigned (reported as ``intranode_vph``).
- **All-or-nothing**: ``scipy.sparse.csgraph.dijkstra`` from every origin node with
  predecessors; the OD flows are pushed down the shortest-path trees level by level (numpy,
  vectorised over origins).
- **Equilibrium**: conjugate Frank-Wolfe (Mitradjieva & Lindberg 2013, Transportation
  Science 47(2)), exact line search by bisection on the Beckmann objective's derivative, until
  the relative gap ``(c.x - c.y) / c.x`` (``y`` the all-or-nothing flows at the current costs)
  is at most ``params.ASSIGNMENT_GAP``.

Public API: :func:`assign` (``net``, ``{"peak": od, "offpeak": od}``) ->
:class:`AssignmentResult`; :func:`period_od` turns weekday person trips into an hour's
vehicles; :func:`assign_car_periods` does both for a daily car OD. The skims use the congested
link times through ``scenario_skims(net, car_link_times=result.link_times_by_pair())``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.spatial import cKDTree

from ..errors import NetworkError
from . import params
from .roads import class_spec, link_capacity_vph, link_speed_kmh
from .services import Network

__all__ = [
    "PERIODS", "AssignmentResult", "RoadGraph", "all_or_nothing", "assign",
    "assign_car_periods", "congested_skims", "equilibrium", "period_od", "road_graph",
    "zone_nodes",
]

#: Time periods of the assignment.
PERIODS: tuple[str, ...] = ("peak", "offpeak")
_MIN_COST = 1e-6


@dataclass(frozen=True)
class RoadGraph:
    """Directed road links of a network as arrays (index ``k`` = one directed link)."""

    nodes: list[str]
    a: np.ndarray
    b: np.ndarray
    length_km: np.ndarray
    t0_min: np.ndarray
    capacity_vph: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    money_min: np.ndarray
    edge_id: np.ndarray  # node x node -> link index or -1

    @property
    def keys(self) -> list[tuple[str, str]]:
        """``(from, to)`` node names of every directed link."""
        return [(self.nodes[i], self.nodes[j]) for i, j in zip(self.a, self.b, strict=True)]

    def times(self, flow: np.ndarray) -> np.ndarray:
        """Congested minutes of every link at ``flow`` (vehicles per hour)."""
        return self.t0_min * (1.0 + self.alpha * np.power(
            np.maximum(flow, 0.0) / self.capacity_vph, self.beta))

    def cost(self, flow: np.ndarray) -> np.ndarray:
        """Generalised minutes (time + money) of every link at ``flow``."""
        return self.times(flow) + self.money_min

    def dcost(self, flow: np.ndarray) -> np.ndarray:
        """Derivative of the link costs with respect to the link flows."""
        x = np.maximum(flow, 0.0)
        return self.t0_min * self.alpha * self.beta * np.power(
            x / self.capacity_vph, self.beta - 1.0) / self.capacity_vph


def road_graph(net: Network) -> RoadGraph:
    """Compile the road links of ``net`` (speed caps, charges and capacity edits applied)."""
    nodes = sorted(net.road_nodes)
    index = {n: i for i, n in enumerate(nodes)}
    per_km = (params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]) \
        / params.VALUE_OF_TIME_DKK_PER_MIN
    best: dict[tuple[int, int], list[float]] = {}
    for lk in net.road_links:
        spec = class_spec(lk["road_class"], lk["area"])
        speed = float(lk.get("speed_kmh")
                      or link_speed_kmh(lk["road_class"], lk["area"], net.speed_caps))
        t0 = lk["length_km"] / speed * 60.0
        cap = link_capacity_vph(lk)
        row = [lk["length_km"], t0, cap, float(spec["bpr_alpha"]), float(spec["bpr_beta"])]
        dirs = ((lk["a"], lk["b"]),) if lk.get("oneway") else (
            (lk["a"], lk["b"]), (lk["b"], lk["a"]))
        for u, v in dirs:
            key = (index[u], index[v])
            if key in best:  # parallel links: one link, capacities added, faster time kept
                old = best[key]
                if row[1] < old[1]:
                    best[key] = [row[0], row[1], old[2] + cap, row[3], row[4]]
                else:
                    old[2] += cap
            else:
                best[key] = list(row)
    pairs = sorted(best)
    arr = np.array([best[p] for p in pairs], dtype=np.float64).reshape(-1, 5)
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    edge_id = np.full((len(nodes), len(nodes)), -1, dtype=np.int64)
    edge_id[a, b] = np.arange(len(pairs))
    return RoadGraph(nodes, a, b, arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4],
                     arr[:, 0] * per_km, edge_id)


def all_or_nothing(rg: RoadGraph, cost: np.ndarray, od: np.ndarray
                   ) -> tuple[np.ndarray, float]:
    """Load the node x node ``od`` (vehicles) on the shortest paths at link ``cost``.

    Returns the link flows and the demand that found no path (vehicles).
    """
    n = len(rg.nodes)
    origins = np.flatnonzero(od.sum(axis=1) > 0)
    flows = np.zeros(len(rg.a))
    if origins.size == 0:
        return flows, 0.0
    mat = sparse.csr_matrix((np.maximum(cost, _MIN_COST), (rg.a, rg.b)), shape=(n, n))
    dist, pred = csgraph.dijkstra(mat, directed=True, indices=origins,
                                  return_predecessors=True)
    acc = od[origins].astype(np.float64)
    reach = np.isfinite(dist)
    lost = float(acc[~reach].sum())
    acc[~reach] = 0.0
    no = len(origins)
    # depth of every node in its origin's shortest-path tree, by pointer jumping on flat
    # indices (row * n + node)
    base = (np.arange(no, dtype=np.int64) * n)[:, None]
    anc = np.where(pred >= 0, pred, np.arange(n)[None, :]) + base
    anc = anc.ravel()
    depth = (pred >= 0).astype(np.int64).ravel()
    while True:
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        depth = depth + depth[anc]
        anc = nxt
    depth = depth.reshape(no, n)
    rows, cols = np.nonzero(pred >= 0)
    p = pred[rows, cols]
    d = depth[rows, cols]
    order = np.argsort(-d, kind="stable")
    rows, cols, p, d = rows[order], cols[order], p[order], d[order]
    bounds = np.flatnonzero(np.diff(d)) + 1
    flat = acc.ravel()
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(d)], strict=True):
        r = rows[lo:hi]
        flat += np.bincount(r * n + p[lo:hi], weights=flat[r * n + cols[lo:hi]],
                            minlength=no * n)
    eid = rg.edge_id[p, cols]
    flows = np.bincount(eid, weights=flat[rows * n + cols], minlength=len(rg.a))
    return flows, lost


def _line_search(rg: RoadGraph, x: np.ndarray, d: np.ndarray) -> float:
    """Step in [0, 1] minimising the Beckmann objective along ``d`` (bisection)."""
    def slope(lam: float) -> float:
        return float(np.dot(rg.cost(x + lam * d), d))

    if slope(1.0) <= 0.0:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if slope(mid) > 0.0:
            hi = mid
        else:
            lo = mid
        if hi - lo < 1e-7:
            break
    return 0.5 * (lo + hi)


@dataclass
class _Run:
    flows: np.ndarray
    gap: float
    iterations: int
    lost: float
    gaps: list[float] = field(default_factory=list)


def equilibrium(rg: RoadGraph, od: np.ndarray, *, gap: float | None = None,
                max_iter: int | None = None, conjugate: bool = True) -> _Run:
    """User equilibrium of the node x node ``od`` (vehicles per hour) on ``rg``.

    Conjugate Frank-Wolfe (plain Frank-Wolfe with ``conjugate=False``); stops at relative gap
    ``gap`` (default ``params.ASSIGNMENT_GAP``) or after ``max_iter`` iterations.
    """
    target = params.ASSIGNMENT_GAP if gap is None else gap
    limit = params.ASSIGNMENT_MAX_ITER if max_iter is None else max_iter
    od = np.array(od, dtype=np.float64)
    np.fill_diagonal(od, 0.0)
    x, lost = all_or_nothing(rg, rg.cost(np.zeros(len(rg.a))), od)
    s_prev: np.ndarray | None = None
    rel = np.inf
    gaps: list[float] = []
    it = 0
    for it in range(1, limit + 1):  # noqa: B007
        c = rg.cost(x)
        y, _ = all_or_nothing(rg, c, od)
        cx = float(np.dot(c, x))
        rel = (cx - float(np.dot(c, y))) / cx if cx > 0 else 0.0
        gaps.append(rel)
        if rel <= target:
            break
        s = y
        if conjugate and s_prev is not None:
            h = rg.dcost(x)
            xs = s_prev - x
            num = float(np.dot(xs * h, y - x))
            den = float(np.dot(xs * h, y - s_prev))
            w = min(max(num / den, 0.0), 0.99) if den != 0 else 0.0
            s = w * s_prev + (1.0 - w) * y
        direction = s - x
        lam = _line_search(rg, x, direction)
        x = x + lam * direction
        s_prev = s
    return _Run(x, float(rel), it, lost, gaps)


@dataclass(frozen=True)
class AssignmentResult:
    """Equilibrium flows by period on the directed links ``keys``.

    ``flows[p]`` vehicles per hour, ``link_times[p]`` congested minutes, ``gap[p]`` the final
    relative gap, ``iterations[p]``; ``free_flow_min`` the free-flow minutes; ``length_km``;
    ``demand_vph[p]`` the assigned vehicles per hour, ``unassigned_vph[p]`` those without a path
    and ``intranode_vph[p]`` those between zones of one node (local roads, not assigned).
    """

    keys: list[tuple[str, str]]
    length_km: np.ndarray
    free_flow_min: np.ndarray
    capacity_vph: np.ndarray
    flows: dict[str, np.ndarray]
    link_times: dict[str, np.ndarray]
    gap: dict[str, float]
    iterations: dict[str, int]
    demand_vph: dict[str, float]
    unassigned_vph: dict[str, float]
    intranode_vph: dict[str, float]

    def link_times_by_pair(self) -> dict[str, dict[tuple[str, str], float]]:
        """``{period: {(from, to): minutes}}`` for :func:`scenario_skims`."""
        return {p: dict(zip(self.keys, map(float, t), strict=True))
                for p, t in self.link_times.items()}

    def vehicle_km(self, period: str) -> float:
        """Vehicle-km per hour on the assigned network in ``period``."""
        return float(np.dot(self.flows[period], self.length_km))

    def vehicle_hours(self, period: str) -> float:
        """Vehicle-hours per hour on the assigned network in ``period``."""
        return float(np.dot(self.flows[period], self.link_times[period])) / 60.0

    def frame(self) -> Any:
        """One row per directed link: from, to, length, free-flow and congested minutes,
        capacity, and flow and volume/capacity by period (a pandas DataFrame)."""
        import pandas as pd

        out = pd.DataFrame({"from": [k[0] for k in self.keys], "to": [k[1] for k in self.keys],
                            "length_km": self.length_km, "free_flow_min": self.free_flow_min,
                            "capacity_vph": self.capacity_vph})
        for p in self.flows:
            out[f"flow_{p}_vph"] = self.flows[p]
            out[f"vc_{p}"] = self.flows[p] / self.capacity_vph
            out[f"time_{p}_min"] = self.link_times[p]
        return out


def zone_nodes(net: Network, nodes: list[str] | None = None) -> np.ndarray:
    """Index (into ``nodes``, default sorted road nodes) of every zone's nearest road node."""
    from .zones import study_zones

    nodes = sorted(net.road_nodes) if nodes is None else nodes
    xy = np.array([net.road_nodes[n] for n in nodes])
    z = study_zones()
    _, idx = cKDTree(xy).query(np.column_stack([z["x"], z["y"]]))
    return np.asarray(idx, dtype=np.int64)


def _aggregate(od: np.ndarray, zn: np.ndarray, n: int) -> np.ndarray:
    """Sum the zone x zone ``od`` into node x node by the zones' nodes ``zn``."""
    onehot = sparse.csr_matrix((np.ones(len(zn)), (zn, np.arange(len(zn)))),
                               shape=(n, len(zn)))
    rows = onehot @ od  # node x zone (sparse @ dense)
    return np.asarray(onehot @ rows.T).T


def assign(net: Network, od_by_period: dict[str, np.ndarray], *, gap: float | None = None,
           max_iter: int | None = None) -> AssignmentResult:
    """Equilibrium car assignment of zone x zone OD matrices (vehicles per hour) by period.

    Parameters
    ----------
    net : Network
        The scenario's network (road links, speed caps, charges, capacity edits).
    od_by_period : dict of str -> ndarray
        ``{"peak": od, "offpeak": od}`` (any period names), each zones x zones, vehicles/hour.
    gap, max_iter : optional
        Convergence target and iteration limit (default from :mod:`params`).

    Raises
    ------
    NetworkError
        A matrix of the wrong shape, or with negative or non-finite entries.
    """
    from .zones import study_zones

    nz = len(study_zones())
    rg = road_graph(net)
    zn = zone_nodes(net, rg.nodes)
    node_ods = {}
    for period, od in od_by_period.items():
        od = np.asarray(od, dtype=np.float64)
        if od.shape != (nz, nz):
            msg = f"assignment: OD matrix {period!r} has shape {od.shape}, expected {(nz, nz)}"
            raise NetworkError(msg)
        if not np.isfinite(od).all() or (od < 0).any():
            msg = f"assignment: OD matrix {period!r} has negative or non-finite entries"
            raise NetworkError(msg)
        node_ods[period] = _aggregate(od, zn, len(rg.nodes))
    return _assign_nodes(rg, node_ods, gap=gap, max_iter=max_iter)


def _assign_nodes(rg: RoadGraph, node_ods: dict[str, np.ndarray], *, gap: float | None = None,
                  max_iter: int | None = None) -> AssignmentResult:
    flows, times, gaps, iters, dem, lost, intra = {}, {}, {}, {}, {}, {}, {}
    for period, node_od in node_ods.items():
        node_od = node_od.copy()
        intra[period] = float(np.trace(node_od))
        np.fill_diagonal(node_od, 0.0)
        run = equilibrium(rg, node_od, gap=gap, max_iter=max_iter)
        flows[period], times[period] = run.flows, rg.times(run.flows)
        gaps[period], iters[period] = run.gap, run.iterations
        dem[period], lost[period] = float(node_od.sum()), run.lost
    return AssignmentResult(rg.keys, rg.length_km, rg.t0_min, rg.capacity_vph, flows, times,
                            gaps, iters, dem, lost, intra)


def period_od(daily_person_trips: np.ndarray, period: str) -> np.ndarray:
    """An hour's vehicles of ``period`` from weekday car person trips: daily x period share /
    period hours / car occupancy (:mod:`params`: PEAK_SHARE_OF_DAILY_CAR_TRIPS, PEAK_HOURS,
    OFFPEAK_HOURS, CAR_OCCUPANCY)."""
    if period == "peak":
        share = params.PEAK_SHARE_OF_DAILY_CAR_TRIPS / params.PEAK_HOURS
    elif period == "offpeak":
        share = (1.0 - params.PEAK_SHARE_OF_DAILY_CAR_TRIPS) / params.OFFPEAK_HOURS
    else:
        msg = f"unknown period {period!r}; choose one of {PERIODS}"
        raise NetworkError(msg)
    return np.asarray(daily_person_trips, dtype=np.float64) * (share / params.CAR_OCCUPANCY)


def assign_car_periods(net: Network, daily_car_trips: np.ndarray) -> AssignmentResult:
    """Assign a weekday car person-trip matrix (zones x zones) for the peak and off-peak hour.

    The one call the scenario loop needs: ``res = assign_car_periods(net, dem.car)``, then
    ``scenario_skims(net, car_link_times=res.link_times_by_pair())``.
    """
    from .zones import study_zones

    daily = np.asarray(daily_car_trips, dtype=np.float64)
    nz = len(study_zones())
    if daily.shape != (nz, nz) or not np.isfinite(daily).all() or (daily < 0).any():
        msg = (f"assignment: the daily car matrix must be {(nz, nz)}, finite and non-negative "
               f"(got shape {daily.shape})")
        raise NetworkError(msg)
    rg = road_graph(net)
    node_daily = _aggregate(daily, zone_nodes(net, rg.nodes), len(rg.nodes))
    # period_od is daily x a scalar: aggregate once, then scale
    unit = period_od(np.ones((1, 1)), "peak")[0, 0], period_od(np.ones((1, 1)), "offpeak")[0, 0]
    return _assign_nodes(rg, {"peak": node_daily * unit[0], "offpeak": node_daily * unit[1]})


def congested_skims(net: Network, daily_car_trips: np.ndarray) -> tuple[Any, AssignmentResult]:
    """Assign ``daily_car_trips`` (weekday car person trips, zones x zones) for the peak and
    off-peak hour on ``net`` and return the skims at the congested link times, with the
    assignment: the one step the scenario loop adds after its demand model."""
    from .skim import scenario_skims

    res = assign_car_periods(net, daily_car_trips)
    return scenario_skims(net, car_link_times=res.link_times_by_pair()), res
