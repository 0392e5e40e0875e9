"""networkx graphs of a scenario's network, and their compiled (CSR) form.

Public transport: a node per (station, service) so that transfers cost. Per station there is
an origin node ``("D", s)`` (a journey starts here: boarding costs the initial wait in the
generalised time only) and an arrival/transfer node ``("A", s)`` (boarding from here costs
the wait in both measures, plus the transfer penalty in the generalised time). Every edge has
``t`` (minutes) and ``g`` (generalised minutes).

Car: the road skeleton, undirected links both ways, ``t`` minutes and ``g`` = ``t`` plus the
per-km charge of the scenario turned into minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from . import params
from .roads import link_speed_kmh
from .services import Network

__all__ = ["Compiled", "car_graph", "compile_graph", "pt_graph"]

#: Tiny weight given to zero-cost edges so the sparse form keeps them.
_EPS = 1e-6


def _add(g: nx.DiGraph, u: Any, v: Any, t: float, gen: float) -> None:
    if g.has_edge(u, v) and g[u][v]["g"] <= gen:
        return
    g.add_edge(u, v, t=float(t), g=float(gen))


def pt_graph(net: Network) -> nx.DiGraph:
    """The public transport graph of ``net`` (see the module docstring)."""
    g = nx.DiGraph()
    stations = net.station_keys()
    for s in stations:
        g.add_node(("D", s))
        g.add_node(("A", s))
    for svc in net.services.values():
        wait = params.WAIT_SHARE_OF_HEADWAY * svc.headway_min
        first = min(wait, params.MAX_INITIAL_WAIT_MIN)
        for s in dict.fromkeys(svc.stops):
            p = ("P", s, svc.name)
            _add(g, ("D", s), p, 0.0, first)
            _add(g, ("A", s), p, wait, wait + params.TRANSFER_PENALTY_MIN)
            _add(g, p, ("A", s), 0.0, 0.0)
        for i, run in enumerate(svc.run_min):
            a, b = ("P", svc.stops[i], svc.name), ("P", svc.stops[i + 1], svc.name)
            _add(g, a, b, run, run)
            _add(g, b, a, run, run)
    xy = np.array([net.stations[s] for s in stations])
    for i, j in cKDTree(xy).query_pairs(params.TRANSFER_WALK_MAX_M):
        d = float(np.hypot(*(xy[i] - xy[j])))
        t = d * params.ACCESS_CIRCUITY / 1000.0 / params.WALK_SPEED_KMH * 60.0
        t += params.TRANSFER_WALK_EXTRA_MIN
        for kind in ("A", "D"):
            _add(g, (kind, stations[i]), (kind, stations[j]), t, t)
            _add(g, (kind, stations[j]), (kind, stations[i]), t, t)
    return g


def car_graph(net: Network, link_times: dict[tuple[str, str], float] | None = None
              ) -> nx.DiGraph:
    """The car graph of ``net``: road nodes by name, both directions of every link.

    ``t`` is the link's minutes (free-flow, or ``link_times[(a, b)]`` from an assignment),
    ``km`` its length and ``g`` = ``t`` plus the operating cost and per-km charge in minutes.
    """
    g = nx.DiGraph()
    g.add_nodes_from(net.road_nodes)
    per_km = (params.CAR_OPERATING_COST_DKK_PER_KM + net.road_cost["per_km_dkk"]) \
        / params.VALUE_OF_TIME_DKK_PER_MIN
    for link in net.road_links:
        speed = float(link.get("speed_kmh") or
                      link_speed_kmh(link["road_class"], link["area"], net.speed_caps))
        free = link["length_km"] / speed * 60.0
        dirs = ((link["a"], link["b"]),) if link.get("oneway") else (
            (link["a"], link["b"]), (link["b"], link["a"]))
        for u, v in dirs:
            t = free if link_times is None else float(link_times.get((u, v), free))
            gen = t + link["length_km"] * per_km
            if g.has_edge(u, v) and g[u][v]["g"] <= gen:
                continue
            g.add_edge(u, v, t=float(t), g=float(gen), km=float(link["length_km"]))
    return g


@dataclass(frozen=True)
class Compiled:
    """A graph in CSR form: ``index`` maps node -> row; ``g`` and ``t`` share one pattern."""

    nodes: list[Any]
    index: dict[Any, int]
    g: sparse.csr_matrix
    t: sparse.csr_matrix


def compile_graph(graph: nx.DiGraph) -> Compiled:
    """CSR matrices of the generalised and plain minutes of ``graph``."""
    nodes = list(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, cols, gw, tw = [], [], [], []
    for u, v, d in graph.edges(data=True):
        rows.append(index[u])
        cols.append(index[v])
        gw.append(max(d["g"], _EPS))
        tw.append(max(d["t"], _EPS))
    n = len(nodes)
    gm = sparse.csr_matrix((gw, (rows, cols)), shape=(n, n))
    tm = sparse.csr_matrix((tw, (rows, cols)), shape=(n, n))
    return Compiled(nodes, index, gm, tm)
