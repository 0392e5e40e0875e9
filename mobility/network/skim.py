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

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import networkx as nx
import numpy as np
from scipy.sparse import csgraph

from . import params
from .graph import Compiled, car_graph, compile_graph, pt_graph
from .roads import link_speed_kmh
from .services import Network
from .zones import Legs, car_legs, pt_legs, study_zones, zone_distance_m

__all__ = [
    "Skims", "scenario_skims", "scenario_skims_car", "station_matrix", "zone_skim",
    "zone_skim_argmin", "zone_skim_reference",
]


@dataclass(frozen=True)
class Skims:
    """Generalised minutes between zones (rows: origins, columns: all zones), float32.

    ``car`` includes road charges turned into minutes; ``car_time`` is the same skim without
    them (the time actually spent; ``car`` itself when the scenario has no charges).
    """

    pt: np.ndarray
    car: np.ndarray
    car_time: np.ndarray


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


def _direct_drive(net: Network, rows: np.ndarray) -> np.ndarray:
    d = zone_distance_m()[rows]
    km = np.maximum(d, np.float32(params.INTRAZONAL_DISTANCE_M)) * np.float32(
        params.ACCESS_CIRCUITY / 1000.0)
    urban = study_zones()["urban"].to_numpy()[rows]
    speed = np.where(urban, link_speed_kmh("local", "urban", net.speed_caps),
                     link_speed_kmh("local", "rural", net.speed_caps)).astype(np.float32)
    t = km / speed[:, None] * np.float32(60.0) + np.float32(2 * params.CAR_TERMINAL_MIN)
    t = t + km * np.float32(net.road_cost["per_km_dkk"] / params.VALUE_OF_TIME_DKK_PER_MIN)
    return np.where(d <= 5000.0, t, np.float32(np.inf)).astype(np.float32)


def scenario_skims(net: Network, *, engine: str = "csgraph",
                   origins: Sequence[int] | None = None, pt: np.ndarray | None = None
                   ) -> Skims:
    """PT and car generalised-time skims of a network, for all zones or some origin rows.

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
    """
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
    car = scenario_skims_car(net, rows, engine)
    cap = np.float32(params.MAX_TIME_MIN)
    car_time = car
    if any(net.road_cost.values()):
        free = net.copy()
        free.road_cost = dict.fromkeys(net.road_cost, 0.0)
        car_time = scenario_skims_car(free, rows, engine)
    return Skims(np.minimum(pt, cap), car, car_time)


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
    """The car skim of ``net`` for origin ``rows`` (generalised minutes, capped)."""
    roads = sorted(net.road_nodes)
    cl, drive = car_legs(net, roads), _direct_drive(net, rows)
    if engine == "csgraph":
        cc = compile_graph(car_graph(net))
        car = zone_skim(station_matrix(cc, roads, roads), _rows(cl, rows), drive)
    else:
        car = zone_skim_reference(car_graph(net), roads, roads, cl, drive, rows)
    per_trip = np.float32(net.road_cost["per_trip_dkk"] / params.VALUE_OF_TIME_DKK_PER_MIN)
    return np.minimum(car + per_trip, np.float32(params.MAX_TIME_MIN))


def _rows(legs: Legs, rows: np.ndarray) -> Legs:
    if len(rows) == legs.access_idx.shape[0]:
        return legs
    return replace(legs, access_idx=legs.access_idx[rows], access_t=legs.access_t[rows],
                   access_g=legs.access_g[rows],
                   access_share=None if legs.access_share is None else legs.access_share[rows],
                   access_km=None if legs.access_km is None else legs.access_km[rows])
