"""Public transport assignment: PT trips (zone x zone) loaded on the best generalised path.

Method (``docs/model.md``, section 7):

1. The PT skim is recomputed with the argmin of its min-plus combination
   (:func:`mobility.network.skim.zone_skim_argmin`): for every zone pair the access station
   and the egress station of the best path (or the direct walk, or no path).
2. The trips are summed to a station x station matrix (origin station ``a`` to destination
   station ``b``), and split over the access and egress modes by the legs' logit shares.
3. The station matrix is loaded on the shortest-path trees of the PT graph (one Dijkstra with
   predecessors from every station's origin node, the same one the skim uses): flows are
   accumulated up each tree in order of decreasing distance, vectorised over the sources.
4. Every tree edge from an origin or arrival node into a (station, service) node is a boarding
   of that service at that station; every edge between two nodes of a service carries
   passenger-km (straight-line length between the two stops times the mode's circuity).

All-or-nothing: each station pair uses one path (no frequency sharing between parallel
lines; ties go to the path Dijkstra finds first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csgraph

from ..errors import NetworkError
from ..network import params
from ..network.graph import Compiled, compile_graph, pt_graph
from ..network.services import RAIL_MODES, Network
from ..network.skim import _direct_walk, zone_skim_argmin
from ..network.zones import ACCESS_MODES, Legs, pt_legs

__all__ = [
    "PtLoads", "PtState", "assign_pt", "benchmark", "changed_services", "new_line_boardings",
    "pt_state",
]


@dataclass(frozen=True)
class PtState:
    """What the assignment needs of a network: its PT legs, graph and shortest-path trees.

    Build it with :func:`pt_state`; pass it to :func:`assign_pt` to assign several demand
    matrices on the same network without recomputing the trees.
    """

    stations: list[str]
    legs: Legs
    comp: Compiled
    dist: np.ndarray  # stations x nodes, generalised minutes from ("D", s)
    pred: np.ndarray  # stations x nodes, csgraph predecessors
    m: np.ndarray  # stations x stations, ("D", a) -> ("A", b), float32
    node_station: np.ndarray  # node -> station index
    node_service: np.ndarray  # node -> service index, -1 for ("D", s)/("A", s)
    services: list[str]
    service_mode: list[str]
    link_km_factor: np.ndarray  # per service: straight-line km -> line km
    direct: np.ndarray  # zones x zones direct-walk minutes (the skim's non-PT option)
    #: (skim, access_k, egress_k) of :func:`mobility.network.skim.zone_skim_argmin`, if built
    #: (``pt_state(net, paths=True)``); ``paths[0]`` is the uncapped PT skim of the network.
    paths: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def pt_skim(self) -> np.ndarray:
        """The PT skim (capped at ``params.MAX_TIME_MIN``), equal to ``Skims.pt`` of the same
        network: with ``pt_state(net, paths=True)`` a caller that needs both the skim and the
        assignment computes the min-plus combination once."""
        paths = self.paths if self.paths is not None else _paths(self)
        return np.minimum(paths[0], np.float32(params.MAX_TIME_MIN))


@dataclass(frozen=True)
class PtLoads:
    """PT trips of one weekday loaded on a network.

    Attributes
    ----------
    lines : pandas.DataFrame
        One row per service: ``service``, ``mode``, ``boardings``, ``passenger_km``.
    stations : pandas.DataFrame
        One row per served station: ``station``, ``boardings`` (all services).
    access : pandas.DataFrame
        ``leg`` ("access"/"egress"), ``mode`` (walk, bike, feeder, car = park-and-ride),
        ``trips`` and ``km`` (street km) of the assigned trips' station legs.
    station_trips : numpy.ndarray
        stations x stations trips (rows: boarding station of the journey).
    trips_total : float
        Sum of the input matrix.
    trips_assigned : float
        Trips loaded on the network (a PT path via stations is their best option).
    trips_walk_only : float
        Trips whose best PT-skim option is walking directly (no boarding).
    trips_no_path : float
        Trips between zones without any PT path or walk (reported, not loaded).
    """

    lines: pd.DataFrame
    stations: pd.DataFrame
    access: pd.DataFrame
    station_trips: np.ndarray
    trips_total: float
    trips_assigned: float
    trips_walk_only: float
    trips_no_path: float


def pt_state(net: Network, *, paths: bool = False, legs: Legs | None = None,
             direct: np.ndarray | None = None) -> PtState:
    """Legs, compiled graph and shortest-path trees of ``net`` (see :class:`PtState`).

    With ``paths=True`` the zone skim with its argmin is computed too (otherwise each
    :func:`assign_pt` call computes it). ``legs`` and ``direct`` (zones x zones minutes)
    default to :func:`~mobility.network.zones.pt_legs` and the skim's direct walk over the
    study zones; tests pass small hand-made ones.
    """
    stations = net.station_keys()
    comp = compile_graph(pt_graph(net))
    src = np.array([comp.index[("D", s)] for s in stations])
    dst = np.array([comp.index[("A", s)] for s in stations])
    dist, pred = csgraph.dijkstra(comp.g, directed=True, indices=src, return_predecessors=True)
    spos = {s: i for i, s in enumerate(stations)}
    services = list(net.services)
    vpos = {v: i for i, v in enumerate(services)}
    node_station = np.array([spos[n[1]] for n in comp.nodes], dtype=np.int32)
    node_service = np.array([vpos[n[2]] if n[0] == "P" else -1 for n in comp.nodes],
                            dtype=np.int32)
    modes = [net.services[v].mode for v in services]
    factor = np.array([params.NEW_RAIL_CIRCUITY if m in RAIL_MODES else params.ACCESS_CIRCUITY
                       for m in modes])
    if legs is None:
        legs = pt_legs(net, stations)
    if direct is None:
        direct = _direct_walk(np.arange(legs.access_idx.shape[0]))
    state = PtState(stations, legs, comp, dist, pred.astype(np.int32),
                    dist[:, dst].astype(np.float32), node_station, node_service, services,
                    modes, factor, direct)
    if paths:
        from dataclasses import replace

        state = replace(state, paths=_paths(state))
    return state


def _check_trips(pt_trips: np.ndarray, nz: int) -> np.ndarray:
    t = np.asarray(pt_trips)
    if t.dtype not in (np.float32, np.float64):
        t = t.astype(np.float64)
    if t.shape != (nz, nz):
        msg = f"pt_trips must be a {nz} x {nz} zone matrix, not {t.shape}"
        raise NetworkError(msg)
    if not np.isfinite(t).all() or (t < 0).any():
        msg = "pt_trips must be finite and non-negative"
        raise NetworkError(msg)
    return t


def _paths(state: PtState) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return zone_skim_argmin(state.m, state.legs, state.direct)


def _leg_split(w: np.ndarray, share: np.ndarray, km: np.ndarray) -> tuple[np.ndarray, ...]:
    """Trips and km by mode of legs used ``w`` times (zone x leg arrays)."""
    sh = share.astype(np.float64) * w[..., None]
    trips = sh.sum(axis=(0, 1))
    return trips, (sh * km.astype(np.float64)[..., None]).sum(axis=(0, 1))


def _load_trees(state: PtState, st: np.ndarray) -> np.ndarray:
    """Flow on every tree edge ``(pred[r, v], v)``: a sources x nodes array."""
    n_src, n_nodes = state.dist.shape
    dst = np.array([state.comp.index[("A", s)] for s in state.stations])
    flow = np.zeros((n_src, n_nodes))
    flow[:, dst] = st
    rows = np.flatnonzero(st.sum(axis=1) > 0)
    if rows.size == 0:
        return flow
    dist, pred = state.dist[rows], state.pred[rows]
    order = np.argsort(dist, axis=1, kind="stable")
    f = flow[rows]
    reach = np.isfinite(np.take_along_axis(dist, order, axis=1))
    r_all = np.arange(rows.size)
    for p in range(n_nodes - 1, 0, -1):  # decreasing distance; position 0 is the source
        ok = reach[:, p]
        if not ok.any():
            continue
        r = r_all[ok]
        v = order[r, p]
        u = pred[r, v]
        f[r, u] += f[r, v]
    flow[rows] = f
    return flow


def assign_pt(net: Network, pt_trips: np.ndarray, *, skims_state: PtState | None = None
              ) -> PtLoads:
    """Load a weekday PT trip matrix on the best generalised paths of ``net``.

    Parameters
    ----------
    net : Network
        The scenario's network.
    pt_trips : numpy.ndarray
        zones x zones PT trips (rows: origins, order of
        :func:`~mobility.network.zones.study_zones`), non-negative.
    skims_state : PtState, optional
        :func:`pt_state` of ``net`` if already built.

    Returns
    -------
    PtLoads

    Raises
    ------
    NetworkError
        ``pt_trips`` has the wrong shape or negative or non-finite values.
    """
    state = skims_state if skims_state is not None else pt_state(net)
    legs, n_st = state.legs, len(state.stations)
    nz = legs.access_idx.shape[0]
    trips = _check_trips(pt_trips, nz)
    skim, acc_k, egr_k = state.paths if state.paths is not None else _paths(state)
    n_acc, n_egr = legs.access_idx.shape[1], legs.egress_idx.shape[1]
    w_ib = np.zeros((nz, n_st))
    w_egr = np.zeros(nz * n_egr)
    no_path = walk_only = 0.0
    egress_t = legs.egress_idx.T.astype(np.intp)
    col = np.arange(nz, dtype=np.intp)[None, :] * n_egr
    block = 128  # rows per block: the block's arrays stay in the CPU cache
    for r0 in range(0, nz, block):
        r1 = min(r0 + block, nz)
        t, ek = trips[r0:r1], egr_k[r0:r1].astype(np.intp)
        via = ek >= 0
        no_path += float(t[~np.isfinite(skim[r0:r1])].sum())
        w = np.where(via, t, 0.0)
        walk_only += float(t.sum() - w.sum())
        np.maximum(ek, 0, out=ek)
        # egress station b[i, j] = egress_idx[j, ek[i, j]]; trips summed to (origin zone, b)
        # and to (destination zone, egress leg)
        b = np.take_along_axis(egress_t, ek, axis=0)
        b += (np.arange(r1 - r0, dtype=np.intp) * n_st)[:, None]
        w_ib[r0:r1] = np.bincount(b.ravel(), weights=w.ravel(),
                                  minlength=(r1 - r0) * n_st).reshape(r1 - r0, n_st)
        ek += col
        w_egr += np.bincount(ek.ravel(), weights=w.ravel(), minlength=nz * n_egr)
    walk_only -= no_path
    w_egr = w_egr.reshape(nz, n_egr)
    # access leg of the best path from origin i to egress station b
    ak = np.maximum(acc_k, 0).astype(np.intp)
    a = np.take_along_axis(legs.access_idx.astype(np.intp), ak, axis=1)
    st = np.bincount((a * n_st + np.arange(n_st)[None, :]).ravel(), weights=w_ib.ravel(),
                     minlength=n_st * n_st).reshape(n_st, n_st)
    ak += (np.arange(nz, dtype=np.intp) * n_acc)[:, None]
    w_acc = np.bincount(ak.ravel(), weights=w_ib.ravel(), minlength=nz * n_acc
                        ).reshape(nz, n_acc)
    acc_trips, acc_km = _leg_split(w_acc, legs.access_share, legs.access_km)
    egr_trips, egr_km = _leg_split(w_egr, legs.egress_share, legs.egress_km)
    flow = _load_trees(state, st)
    return _summarise(net, state, flow, st, acc_trips, acc_km, egr_trips, egr_km,
                      float(trips.sum()), float(st.sum()), walk_only, no_path)


def _summarise(net: Network, state: PtState, flow: np.ndarray, st: np.ndarray,
               acc_trips: np.ndarray, acc_km: np.ndarray, egr_trips: np.ndarray,
               egr_km: np.ndarray, total: float, assigned: float, walk_only: float,
               no_path: float) -> PtLoads:
    pred = state.pred
    has = pred >= 0
    r, v = np.nonzero(has & (flow > 0))
    u = pred[r, v]
    f = flow[r, v]
    svc_v, svc_u = state.node_service[v], state.node_service[u]
    board = (svc_v >= 0) & (svc_u < 0)
    ride = (svc_v >= 0) & (svc_u == svc_v)
    n_svc, n_st = len(state.services), len(state.stations)
    boardings = np.bincount(svc_v[board], weights=f[board], minlength=n_svc)
    xy = np.array([net.stations[s] for s in state.stations])
    su, sv = state.node_station[u[ride]], state.node_station[v[ride]]
    km = np.hypot(*(xy[su] - xy[sv]).T) / 1000.0 * state.link_km_factor[svc_v[ride]]
    pkm = np.bincount(svc_v[ride], weights=f[ride] * km, minlength=n_svc)
    st_board = np.bincount(state.node_station[v[board]], weights=f[board], minlength=n_st)
    lines = pd.DataFrame({"service": state.services, "mode": state.service_mode,
                          "boardings": boardings, "passenger_km": pkm})
    stations = pd.DataFrame({"station": state.stations, "boardings": st_board})
    access = pd.DataFrame({
        "leg": ["access"] * len(ACCESS_MODES) + ["egress"] * len(ACCESS_MODES),
        "mode": list(ACCESS_MODES) * 2,
        "trips": np.concatenate([acc_trips, egr_trips]),
        "km": np.concatenate([acc_km, egr_km])})
    return PtLoads(lines, stations, access, st, total, assigned, walk_only, no_path)


def changed_services(base: Network, scenario: Network) -> list[str]:
    """Services of ``scenario`` that are new or differ from ``base`` (stops, running times or
    headway), sorted."""
    out = []
    for name, svc in scenario.services.items():
        old = base.services.get(name)
        if (old is None or old.stops != svc.stops or old.headway_min != svc.headway_min
                or not np.allclose(old.run_min, svc.run_min)):
            out.append(name)
    return sorted(out)


def new_line_boardings(base_loads: PtLoads, scen_loads: PtLoads,
                       changed: list[str] | set[str], *, increment: bool = False) -> float:
    """Boardings per weekday on the services ``changed`` (new or changed by the scenario).

    With ``increment=False`` (the ``new_line_boardings_per_day`` effect) the scenario's
    boardings on them; with ``increment=True`` the scenario's minus the base's (a service
    missing from the base counts 0 there).
    """
    names = set(changed)
    scen = scen_loads.lines.loc[scen_loads.lines["service"].isin(names), "boardings"].sum()
    if not increment:
        return float(scen)
    base = base_loads.lines.loc[base_loads.lines["service"].isin(names), "boardings"].sum()
    return float(scen - base)


def benchmark(repeat: int = 5) -> dict[str, float]:
    """Median seconds of the assignment steps on the base network and base PT demand.

    ``python3 -c "from mobility.demand.pt_assign import benchmark; print(benchmark())"``
    """
    import statistics
    import time

    from ..network.scenario import _state
    from .pivot import pt_trip_matrix

    net, _, dem, _ = _state()
    trips = pt_trip_matrix(dem)
    out: dict[str, list[float]] = {"pt_state_s": [], "argmin_skim_s": [],
                                   "assign_with_paths_s": [], "assign_total_s": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        state = pt_state(net)
        t1 = time.perf_counter()
        state = PtState(**{**state.__dict__, "paths": _paths(state)})
        t2 = time.perf_counter()
        assign_pt(net, trips, skims_state=state)
        t3 = time.perf_counter()
        out["pt_state_s"].append(t1 - t0)
        out["argmin_skim_s"].append(t2 - t1)
        out["assign_with_paths_s"].append(t3 - t2)
        out["assign_total_s"].append(t3 - t0)
    return {k: round(statistics.median(v), 3) for k, v in out.items()}
