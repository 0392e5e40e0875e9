"""Zone-to-zone skims: compiled (scipy.sparse.csgraph + numpy) and the networkx reference.

Compiled engine: Dijkstra from every station's origin node to every station's arrival node on
the CSR graph (a station x station matrix ``M``), then the zone legs are combined in numpy:
``T[i, j] = min_a,b (access[i, a] + M[a, b] + egress[j, b])`` in two vectorised min-plus
steps, and the direct (walk or local drive) alternative is taken where shorter.

Reference: the same graph in networkx with a node per origin and destination zone, and
``networkx.single_source_dijkstra_path_length`` from each origin zone. Slow; used by the tests
and the benchmark (on a sample of origins).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from . import params
from .graph import Compiled, car_graph, compile_graph, pt_graph
from .roads import link_speed_kmh
from .services import Network
from .zones import Legs, car_access, pt_legs, study_zones, zone_distance_m

__all__ = [
    "CAR_FIELDS", "Skims", "car_route_skims", "car_skims", "parking_dkk", "scenario_skims",
    "scenario_skims_car", "station_matrix", "zone_skim", "zone_skim_argmin", "zone_skim_reference",
]


#: The egress steps of the PT and car min-plus and the weighting of the car periods:
#: ``"numba"``, the compiled loops of :mod:`mobility.network._kernels`, or ``"numpy"``, the
#: array versions here (the reference). Environment variable ``MOBILITY_SKIM_KERNELS``.
KERNELS = os.environ.get("MOBILITY_SKIM_KERNELS", "numba")


@dataclass(frozen=True)
class Skims:
    """Zone x zone skims (rows: origins, columns: all zones), float32.

    ``pt``: generalised PT minutes. ``car``: generalised car minutes, i.e. ``car_time`` plus
    ``car_cost_dkk`` turned into minutes with ``params.VALUE_OF_TIME_DKK_PER_MIN``.
    ``car_time``: minutes driven (free-flow, or the period-weighted mean of ``car_time_peak``
    and ``car_time_offpeak`` when congested link times were given). ``car_km``: road km of the
    chosen route. ``car_cost_dkk``: operating cost + road charges + parking per trip.
    ``pt_fare_dkk``: Takst Sjælland fare per trip. ``car_time_peak``/``car_time_offpeak``:
    minutes driven at the assignment's congested link times (``None`` without them).
    """

    pt: np.ndarray
    car: np.ndarray
    car_time: np.ndarray
    car_km: np.ndarray | None = None
    car_cost_dkk: np.ndarray | None = None
    pt_fare_dkk: np.ndarray | None = None
    car_time_peak: np.ndarray | None = None
    car_time_offpeak: np.ndarray | None = None


def station_matrix(comp: Compiled, sources: list, targets: list) -> np.ndarray:
    """Generalised minutes from each node of ``sources`` to each of ``targets`` (float32)."""
    src = np.array([comp.index[s] for s in sources])
    dst = np.array([comp.index[t] for t in targets])
    dist = csgraph.dijkstra(comp.g, directed=True, indices=src)
    return dist[:, dst].astype(np.float32)


def zone_skim(m: np.ndarray, legs: Legs, direct: np.ndarray) -> np.ndarray:
    """Combine a node x node matrix with the zones' legs (min-plus), then the direct option."""
    z = legs.access_idx.shape[0]
    c = np.full((z, m.shape[1]), np.inf, dtype=np.float32)
    for k in range(legs.access_idx.shape[1]):
        np.minimum(c, legs.access_g[:, k, None] + m[legs.access_idx[:, k]], out=c)
    out = direct.copy()
    for k in range(legs.egress_idx.shape[1]):
        np.minimum(out, c[:, legs.egress_idx[:, k]] + legs.egress_g[None, :, k], out=out)
    return out


def zone_skim_argmin(m: np.ndarray, legs: Legs, direct: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`zone_skim` that also tells which legs the best paths use (for the assignment).

    Returns
    -------
    skim : numpy.ndarray
        As :func:`zone_skim` (float32, zones x zones).
    access_k : numpy.ndarray
        int16, zones x nodes: for origin ``i`` and arrival node ``b``, the access leg column
        ``k`` (of ``legs.access_idx[i]``) of the best path to ``b``; -1 if none.
    egress_k : numpy.ndarray
        int16, zones x zones: the egress leg column (of ``legs.egress_idx[j]``) of the best
        path from ``i`` to ``j``; -1 where the direct option is best or there is no path.
    """
    z = legs.access_idx.shape[0]
    c = np.full((z, m.shape[1]), np.inf, dtype=np.float32)
    access_k = np.full((z, m.shape[1]), -1, dtype=np.int16)
    cand = np.empty_like(c)
    for k in range(legs.access_idx.shape[1]):
        np.add(legs.access_g[:, k, None], m[legs.access_idx[:, k]], out=cand)
        better = cand < c
        np.copyto(c, cand, where=better)
        np.copyto(access_k, np.int16(k), where=better)
    out = np.array(direct, dtype=np.float32)
    egress_k = np.full(out.shape, -1, dtype=np.int16)
    if KERNELS == "numba":
        from ._kernels import egress_argmin

        egress_argmin(c, legs.egress_idx, legs.egress_g, out, egress_k)
        return out, access_k, egress_k
    block = 64  # rows per block: the block's arrays stay in the CPU cache
    cand = np.empty((block, out.shape[1]), dtype=np.float32)
    better = np.empty((block, out.shape[1]), dtype=bool)
    for r0 in range(0, z, block):
        r1 = min(r0 + block, z)
        o, e, cb, bb = out[r0:r1], egress_k[r0:r1], cand[:r1 - r0], better[:r1 - r0]
        cr = c[r0:r1]
        for k in range(legs.egress_idx.shape[1]):
            np.add(cr[:, legs.egress_idx[:, k]], legs.egress_g[None, :, k], out=cb)
            np.less(cb, o, out=bb)
            np.copyto(o, cb, where=bb)
            np.copyto(e, np.int16(k), where=bb)
    return out, access_k, egress_k


def zone_skim_reference(graph: nx.DiGraph, origin_nodes: list, dest_nodes: list, legs: Legs,
                        direct: np.ndarray, origins: Sequence[int]) -> np.ndarray:
    """The same skim with networkx: zone nodes joined to the graph, one Dijkstra per origin.

    ``origin_nodes[i]``/``dest_nodes[i]`` are the graph nodes that leg index ``i`` refers to.
    Returns the rows of ``origins``.
    """
    g = graph.copy()
    nz = legs.access_idx.shape[0]
    for j in range(nz):
        for k in range(legs.egress_idx.shape[1]):
            cost = float(legs.egress_g[j, k])
            if np.isfinite(cost):
                node = dest_nodes[legs.egress_idx[j, k]]
                if not g.has_edge(node, ("Zd", j)) or g[node][("Zd", j)]["g"] > cost:
                    g.add_edge(node, ("Zd", j), g=cost)
    out = np.empty((len(origins), nz), dtype=np.float32)
    for r, i in enumerate(origins):
        g.add_node(("Zo", i))
        for k in range(legs.access_idx.shape[1]):
            cost = float(legs.access_g[i, k])
            node = origin_nodes[legs.access_idx[i, k]]
            if np.isfinite(cost) and (not g.has_edge(("Zo", i), node)
                                      or g[("Zo", i)][node]["g"] > cost):
                g.add_edge(("Zo", i), node, g=cost)
        dist = nx.single_source_dijkstra_path_length(g, ("Zo", i), weight="g")
        row = np.array([dist.get(("Zd", j), np.inf) for j in range(nz)], dtype=np.float32)
        out[r] = np.minimum(row, direct[r])
        g.remove_node(("Zo", i))
    return out


@lru_cache(maxsize=2)
def _direct_walk_all(speed: float, circuity: float, intrazonal_m: float, max_m: float
                     ) -> np.ndarray:
    d = zone_distance_m()
    t = np.maximum(d, np.float32(intrazonal_m)) * np.float32(circuity / 1000.0 / speed * 60.0)
    out = np.where(d <= max_m, t, np.float32(np.inf)).astype(np.float32)
    out.setflags(write=False)
    return out


def _direct_walk(rows: np.ndarray) -> np.ndarray:
    """Direct walking minutes from zone ``rows`` to every zone (read-only when all rows)."""
    full = _direct_walk_all(params.WALK_SPEED_KMH, params.ACCESS_CIRCUITY,
                            params.INTRAZONAL_DISTANCE_M, params.DIRECT_WALK_MAX_M)
    if len(rows) == full.shape[0] and (rows == np.arange(full.shape[0])).all():
        return full
    return full[rows]


@lru_cache(maxsize=1)
def _direct_drive_km(circuity: float, intrazonal_m: float) -> np.ndarray:
    """Local-road km between zones up to 5 km apart (``inf`` beyond; read-only, all zones)."""
    d = zone_distance_m()
    km = np.maximum(d, np.float32(intrazonal_m))
    km *= np.float32(circuity / 1000.0)
    km[d > 5000.0] = np.inf
    km.setflags(write=False)
    return km


def direct_drive(net: Network, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct drive on local roads between zones up to 5 km apart: (generalised minutes incl.
    operating cost and per-km charge, minutes, km); ``inf`` beyond 5 km. The km matrix is
    shared (read-only); the minute matrices are new."""
    km = _direct_drive_km(params.ACCESS_CIRCUITY, params.INTRAZONAL_DISTANCE_M)
    if len(rows) != km.shape[0] or not (rows == np.arange(km.shape[0])).all():
        km = km[rows]
    urban = study_zones()["urban"].to_numpy()[rows]
    speed = np.where(urban, link_speed_kmh("local", "urban", net.speed_caps),
                     link_speed_kmh("local", "rural", net.speed_caps))
    t = km * (60.0 / speed).astype(np.float32)[:, None]
    t += np.float32(2 * params.CAR_TERMINAL_MIN)
    per_km = params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]
    money = np.float32(per_km / params.VALUE_OF_TIME_DKK_PER_MIN)
    g = t.copy()
    if money:  # (inf x 0 would be nan)
        g += km * money
    return g, t, km


def scenario_skims(net: Network, *, engine: str = "csgraph",
                   origins: Sequence[int] | None = None, pt: np.ndarray | None = None,
                   car_link_times: dict[str, dict[tuple[str, str], float]] | None = None,
                   car_fields: dict[str, np.ndarray | None] | None = None) -> Skims:
    """PT and car skims of a network, for all zones or some origin rows.

    Parameters
    ----------
    net : Network
        The scenario's network.
    engine : {"csgraph", "networkx"}
        Compiled engine or the networkx reference.
    origins : sequence of int, optional
        Zone rows to compute (default all).
    pt : numpy.ndarray, optional
        The PT skim of ``net`` for all zones if already computed (the PT assignment's
        ``PtState.pt_skim()``: the min-plus combination is then not done twice).
    car_link_times : dict, optional
        ``{"peak": {(a, b): minutes}, "offpeak": {...}}`` congested link times from
        :meth:`mobility.network.assignment.AssignmentResult.link_times_by_pair`; then
        ``car_time_peak``/``car_time_offpeak`` are filled and ``car_time``/``car`` are their
        mean weighted by ``params.PEAK_SHARE_OF_DAILY_CAR_TRIPS``.
    car_fields : dict, optional
        Car fields (``CAR_FIELDS``, as :func:`car_skims` returns them) to use instead of
        routing the car (the scenario loop reuses the base's when the roads are unchanged).
    """
    from .fares import fare_matrix

    nz = len(study_zones())
    rows = np.arange(nz) if origins is None else np.asarray(origins, dtype=int)
    if engine not in ("csgraph", "networkx"):
        msg = f"unknown engine {engine!r}; choose 'csgraph' or 'networkx'"
        raise ValueError(msg)
    if pt is not None:
        if origins is not None or pt.shape != (nz, nz):
            msg = "a precomputed PT skim must cover all zones"
            raise ValueError(msg)
    else:
        pt = _pt_skim(net, rows, engine)
    car = car_skims(net, rows, engine, car_link_times) if car_fields is None else car_fields
    cap = np.float32(params.MAX_TIME_MIN)
    return Skims(np.minimum(pt, cap), car["car"],
                 car["car_time"], car["car_km"], car["car_cost_dkk"],
                 fare_matrix(getattr(net, "fares", None))[rows], car["car_time_peak"],
                 car["car_time_offpeak"])


#: The car fields of :class:`Skims`.
CAR_FIELDS: tuple[str, ...] = ("car", "car_time", "car_km", "car_cost_dkk", "car_time_peak",
                               "car_time_offpeak")


def car_skims(net: Network, rows: np.ndarray, engine: str = "csgraph",
              car_link_times: dict[str, dict[tuple[str, str], float]] | None = None,
              direct: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
              ) -> dict[str, np.ndarray | None]:
    """The car fields of :class:`Skims` (``CAR_FIELDS``) of ``net`` for origin ``rows``
    (free-flow, or period-weighted at the congested ``car_link_times``).

    With congested times the peak and off-peak routes are skimmed in two threads (the numpy
    work releases the GIL) and combined in place. ``direct``: :func:`direct_drive` of ``net``
    and ``rows`` if already computed (not modified)."""
    cap = np.float32(params.MAX_TIME_MIN)
    vot = np.float32(params.VALUE_OF_TIME_DKK_PER_MIN)
    if direct is None:
        direct = direct_drive(net, rows)
    peak = offpeak = None
    if not car_link_times:
        gen, t, km = car_route_skims(net, rows, engine, direct=direct)
    else:
        w = np.float32(params.PEAK_SHARE_OF_DAILY_CAR_TRIPS)
        with ThreadPoolExecutor(max_workers=2) as ex:
            futs = [ex.submit(car_route_skims, net, rows, engine, car_link_times[p], direct)
                    for p in ("peak", "offpeak")]
            (gen, peak, km), (go, offpeak, kmo) = (f.result() for f in futs)
    if car_link_times and KERNELS == "numba":
        from ._kernels import combine_periods

        t = combine_periods(gen, go, peak, offpeak, km, kmo, float(w), float(cap))
        del go, kmo
    elif car_link_times:
        gen *= w
        go *= np.float32(1 - w)
        gen += go
        del go
        t = peak * w
        t += offpeak * np.float32(1 - w)
        km *= w
        kmo *= np.float32(1 - w)
        km += kmo
        del kmo
        np.minimum(peak, cap, out=peak)
        np.minimum(offpeak, cap, out=offpeak)
    del direct
    per_km = np.float32(params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"])
    if KERNELS == "numba" and gen.flags.c_contiguous and t.flags.c_contiguous:
        from ._kernels import add_fixed_money

        park = parking_dkk()
        cost = add_fixed_money(gen, t, km, float(per_km), float(net.road_cost["per_trip_dkk"]),
                               park[rows], park, 1.0 / float(vot), float(cap))
        return {"car": gen, "car_time": t, "car_km": km, "car_cost_dkk": cost,
                "car_time_peak": peak, "car_time_offpeak": offpeak}
    cost = km * per_km
    _add_fixed_car_cost_dkk(cost, net, rows)
    _add_fixed_car_cost_dkk(gen, net, rows, 1.0 / float(vot))
    np.minimum(gen, cap, out=gen)
    np.minimum(t, cap, out=t)
    return {"car": gen, "car_time": t, "car_km": km, "car_cost_dkk": cost,
            "car_time_peak": peak, "car_time_offpeak": offpeak}


def _add_fixed_car_cost_dkk(out: np.ndarray, net: Network, rows: np.ndarray,
                            scale: float = 1.0) -> np.ndarray:
    """Add ``scale`` x the per-trip money of a car trip that does not depend on the route
    (the per-trip charge, and parking: half the visit's charge at each end, ``parking_dkk``)
    to ``out`` in place (no full-size temporary)."""
    park = parking_dkk()
    half = np.float32(0.5 * scale)
    out += np.float32(net.road_cost["per_trip_dkk"] * scale)
    out += (half * park[rows])[:, None]
    out += (half * park)[None, :]
    return out


def parking_dkk() -> np.ndarray:
    """Parking charge per car visit by zone (DKK): ``params.PARKING_CENTRAL_DKK`` within
    ``PARKING_CENTRAL_RADIUS_M`` of København H, ``PARKING_INNER_DKK`` elsewhere in København
    (101) and Frederiksberg (147) municipalities, 0 outside."""
    from .services import resolve_stop

    z = study_zones()
    _, x, y = resolve_stop("København H")
    d = np.hypot(z["x"].to_numpy() - x, z["y"].to_numpy() - y)
    inner = z["municipality_code"].isin([101, 147]).to_numpy()
    out = np.where(d <= params.PARKING_CENTRAL_RADIUS_M, params.PARKING_CENTRAL_DKK,
                   np.where(inner, params.PARKING_INNER_DKK, 0.0))
    return out.astype(np.float32)


def _tree_sums(pred: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Sum of ``weights[pred[s, v], v]`` along every shortest-path tree (pointer jumping)."""
    n = pred.shape[1]
    has = pred >= 0
    anc = np.where(has, pred, np.arange(n)[None, :])
    val = np.where(has, weights[anc, np.arange(n)[None, :]], 0.0)
    while True:
        nxt = np.take_along_axis(anc, anc, axis=1)
        if np.array_equal(nxt, anc):
            return val
        val = val + np.take_along_axis(val, anc, axis=1)
        anc = nxt


def car_route_skims(net: Network, rows: np.ndarray, engine: str = "csgraph",
                    link_times: dict[tuple[str, str], float] | None = None,
                    direct: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Car skims of ``net`` for origin ``rows`` along the least generalised-cost route:
    (generalised minutes without the fixed per-trip money, minutes driven, km); uncapped.
    New arrays.

    ``link_times``: congested minutes by directed link (default free-flow). ``direct``: the
    :func:`direct_drive` of ``net`` and ``rows`` if already computed (not modified).
    """
    roads = sorted(net.road_nodes)
    legs, leg_km = car_access(net, roads)
    dg, dt, dkm = direct_drive(net, rows) if direct is None else direct
    graph = car_graph(net, link_times)
    if engine == "networkx":
        return _car_reference(graph, roads, legs, leg_km, (dg, dt, dkm), rows)
    n = len(roads)
    idx = {r: i for i, r in enumerate(roads)}
    a, b, gw, tw, kw = [], [], [], [], []
    for u, v, d in graph.edges(data=True):
        a.append(idx[u])
        b.append(idx[v])
        gw.append(max(d["g"], 1e-6))
        tw.append(d["t"])
        kw.append(d["km"])
    gm = sparse.csr_matrix((gw, (a, b)), shape=(n, n))
    mg, pred = csgraph.dijkstra(gm, directed=True, return_predecessors=True)
    tmat = np.zeros((n, n))
    kmat = np.zeros((n, n))
    tmat[a, b], kmat[a, b] = tw, kw
    mt, mk = _tree_sums(pred, tmat), _tree_sums(pred, kmat)
    mt[~np.isfinite(mg)] = np.inf
    mk[~np.isfinite(mg)] = np.inf
    f32 = np.float32
    sub = _rows(legs, rows)
    ak = leg_km[rows]
    c = np.full((len(rows), n), np.inf, dtype=f32)
    ct = np.full_like(c, np.inf)
    ck = np.full_like(c, np.inf)
    for k in range(sub.access_idx.shape[1]):
        j = sub.access_idx[:, k]
        cand = sub.access_g[:, k, None] + mg[j].astype(f32)
        better = cand < c
        c = np.where(better, cand, c)
        ct = np.where(better, sub.access_t[:, k, None] + mt[j].astype(f32), ct)
        ck = np.where(better, ak[:, k, None] + mk[j].astype(f32), ck)
    if KERNELS == "numba":
        from ._kernels import egress_min

        return egress_min(c, ct, ck, legs.egress_idx, legs.egress_g, legs.egress_t, leg_km,
                          dg, dt, dkm)
    out, ot, ok = dg.copy(), dt.copy(), dkm.copy()
    step = 128  # row blocks: the block's arrays stay in the CPU cache across the passes
    for lo in range(0, len(rows), step):
        hi = min(lo + step, len(rows))
        bo, bt, bk = out[lo:hi], ot[lo:hi], ok[lo:hi]
        for k in range(legs.egress_idx.shape[1]):
            j = legs.egress_idx[:, k]
            cand = c[lo:hi, j]
            cand += legs.egress_g[None, :, k]
            better = cand < bo
            np.copyto(bo, cand, where=better)
            cand = ct[lo:hi, j]
            cand += legs.egress_t[None, :, k]
            np.copyto(bt, cand, where=better)
            cand = ck[lo:hi, j]
            cand += leg_km[None, :, k]
            np.copyto(bk, cand, where=better)
    return out, ot, ok


def _car_reference(graph: nx.DiGraph, roads: list[str], legs: Legs, leg_km: np.ndarray,
                   direct: tuple[np.ndarray, np.ndarray, np.ndarray], rows: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """networkx reference of :func:`car_route_skims`: zone nodes joined to the graph, one
    Dijkstra with paths per origin, minutes and km summed along each path."""
    g = graph.copy()
    nz = legs.access_idx.shape[0]
    for j in range(nz):
        for k in range(legs.egress_idx.shape[1]):
            cost = float(legs.egress_g[j, k])
            node = roads[legs.egress_idx[j, k]]
            if not g.has_edge(node, ("Zd", j)) or g[node][("Zd", j)]["g"] > cost:
                g.add_edge(node, ("Zd", j), g=cost, t=float(legs.egress_t[j, k]),
                           km=float(leg_km[j, k]))
    shape = (len(rows), nz)
    og, ot, ok = (np.empty(shape, dtype=np.float32) for _ in range(3))
    for r, i in enumerate(rows):
        src = ("Zo", i)
        for k in range(legs.access_idx.shape[1]):
            cost = float(legs.access_g[i, k])
            node = roads[legs.access_idx[i, k]]
            if not g.has_edge(src, node) or g[src][node]["g"] > cost:
                g.add_edge(src, node, g=cost, t=float(legs.access_t[i, k]),
                           km=float(leg_km[i, k]))
        dist, paths = nx.single_source_dijkstra(g, src, weight="g")
        for j in range(nz):
            gj = dist.get(("Zd", j), np.inf)
            if direct[0][r, j] <= gj:
                og[r, j], ot[r, j], ok[r, j] = direct[0][r, j], direct[1][r, j], direct[2][r, j]
                continue
            path = paths[("Zd", j)]
            og[r, j] = gj
            ot[r, j] = sum(g[u][v]["t"] for u, v in itertools.pairwise(path))
            ok[r, j] = sum(g[u][v]["km"] for u, v in itertools.pairwise(path))
        g.remove_node(src)
    return og, ot, ok


def _pt_skim(net: Network, rows: np.ndarray, engine: str) -> np.ndarray:
    stations = net.station_keys()
    pl, pgraph, walk = pt_legs(net, stations), pt_graph(net), _direct_walk(rows)
    origin, dest = [("D", s) for s in stations], [("A", s) for s in stations]
    if engine == "csgraph":
        m_pt = station_matrix(compile_graph(pgraph), origin, dest)
        pt = zone_skim(m_pt, _rows(pl, rows), walk)
    else:
        pt = zone_skim_reference(pgraph, origin, dest, pl, walk, rows)
    return pt


def scenario_skims_car(net: Network, rows: np.ndarray, engine: str = "csgraph") -> np.ndarray:
    """The free-flow generalised car skim of ``net`` for origin ``rows`` (minutes, capped),
    including the operating cost, charges and parking in minutes."""
    return car_skims(net, rows, engine)["car"]  # type: ignore[return-value]


def _rows(legs: Legs, rows: np.ndarray) -> Legs:
    if len(rows) == legs.access_idx.shape[0]:
        return legs
    return replace(legs, access_idx=legs.access_idx[rows], access_t=legs.access_t[rows],
                   access_g=legs.access_g[rows],
                   access_share=None if legs.access_share is None else legs.access_share[rows],
                   access_km=None if legs.access_km is None else legs.access_km[rows])
