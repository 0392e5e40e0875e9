"""Public transport services: the base service data and the running times of a service.

The base services live in ``geodata/pt_services.yaml`` (stop sequences, mode speeds, dwell
times, headways). Rail running times follow the shipped track: the length of the shortest path
over the rail segments between consecutive stops, using the transport systems of the mode.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import networkx as nx
import numpy as np

from .. import geodata
from ..errors import GeodataError, NetworkError
from . import params
from ._data import read_yaml

__all__ = [
    "MODES",
    "Network",
    "Service",
    "load_service_data",
    "rail_length_km",
    "resolve_stop",
    "running_times",
]

log = logging.getLogger(__name__)

#: Modes a service may have.
MODES: tuple[str, ...] = (
    "s_train", "metro", "regional", "local_rail", "light_rail", "bus", "brt",
)
#: Modes whose running times follow the shipped track.
RAIL_MODES: frozenset[str] = frozenset({"s_train", "metro", "regional", "local_rail",
                                        "light_rail"})


@dataclass
class Service:
    """One frequency-based service: its stops in order and the in-vehicle minutes per link.

    ``run_min[i]`` is the time from departing ``stops[i]`` to departing ``stops[i + 1]``
    (running time plus the dwell at ``stops[i + 1]``). Services run in both directions.
    """

    name: str
    mode: str
    headway_min: float
    stops: list[str]
    run_min: list[float]

    def link_index(self, a: str, b: str) -> tuple[int, int]:
        """Index range ``[i, j)`` of the links between stops ``a`` and ``b`` (either order)."""
        try:
            i, j = self.stops.index(a), self.stops.index(b)
        except ValueError as err:
            missing = a if a not in self.stops else b
            msg = f"stop {missing!r} is not on service {self.name!r}"
            raise NetworkError(msg) from err
        return (i, j) if i < j else (j, i)

    def minutes_between(self, a: str, b: str) -> float:
        """In-vehicle minutes between two stops of the service."""
        i, j = self.link_index(a, b)
        return float(sum(self.run_min[i:j]))


@dataclass
class Network:
    """A scenario's network: stations, PT services, the road skeleton and access settings.

    Edits (:mod:`mobility.network.edits`) change a copy, never the base.
    """

    stations: dict[str, tuple[float, float]]
    services: dict[str, Service]
    road_nodes: dict[str, tuple[float, float]]
    road_links: list[dict[str, Any]]
    bike_parking_min: dict[str, float] = field(default_factory=dict)
    park_and_ride: list[dict[str, Any]] = field(default_factory=list)
    road_cost: dict[str, float] = field(
        default_factory=lambda: {"per_km_dkk": 0.0, "per_trip_dkk": 0.0})
    speed_caps: list[dict[str, Any]] = field(default_factory=list)
    #: Fare-table edits (initiative 33): ``{"factor": f, "max_zones": n}``; see ``fares.py``.
    fares: dict[str, float] = field(default_factory=dict)

    def copy(self) -> Network:
        """A deep copy (edits apply to copies)."""
        return copy.deepcopy(self)

    def station_keys(self) -> list[str]:
        """Stations served by at least one service, sorted."""
        return sorted({s for svc in self.services.values() for s in svc.stops})


# --------------------------------------------------------------------------------------------
# service data file


@lru_cache(maxsize=1)
def _service_data() -> dict[str, Any]:
    return read_yaml("pt_services.yaml", {"modes", "services"})


def load_service_data() -> dict[str, Any]:
    """The parsed ``geodata/pt_services.yaml`` (a copy)."""
    return copy.deepcopy(_service_data())


@lru_cache(maxsize=1)
def _extra_stop_xy() -> dict[str, tuple[float, float]]:
    nodes = geodata.load_rail_nodes()
    by_uic = {int(u): (float(p.x), float(p.y)) for u, p in zip(nodes["uic"], nodes.geometry,
                                                              strict=True)}
    out = {}
    for name, spec in (_service_data().get("extra_stops") or {}).items():
        uic = int(spec["uic"])
        if uic not in by_uic:
            msg = f"pt_services.yaml: extra stop {name!r} names unknown rail node {uic}"
            raise GeodataError(msg)
        out[str(name)] = by_uic[uic]
    return out


def resolve_stop(ref: Any) -> tuple[str, float, float]:
    """Resolve a stop reference to ``(key, x, y)`` in EPSG:25832.

    A reference is a station, stop or place name (aliases allowed; the key is the canonical
    name), an extra stop of ``pt_services.yaml``, ``[lon, lat]`` (key ``"lon,lat"``), or
    ``{name: ..., at: <name or [lon, lat]>}`` for a new station.

    Raises
    ------
    PlaceNotFoundError
        Unknown name (with suggestions).
    NetworkError
        Malformed reference.
    """
    if isinstance(ref, dict):
        if "name" not in ref or "at" not in ref:
            msg = f"a new stop needs 'name' and 'at': {ref!r}"
            raise NetworkError(msg)
        _, x, y = resolve_stop(ref["at"])
        return str(ref["name"]), x, y
    if isinstance(ref, list | tuple):
        if len(ref) != 2 or not all(isinstance(v, int | float) for v in ref):
            msg = f"coordinates must be [lon, lat]: {ref!r}"
            raise NetworkError(msg)
        lon, lat = float(ref[0]), float(ref[1])
        if not (7.0 <= lon <= 16.0 and 54.0 <= lat <= 58.0):
            msg = f"coordinates {ref!r} are not [lon, lat] in Denmark"
            raise NetworkError(msg)
        x, y = geodata.lonlat_to_utm(lon, lat)
        return f"{lon:.5f},{lat:.5f}", x, y
    if not isinstance(ref, str):
        msg = f"a stop must be a name, [lon, lat] or {{name, at}}: {ref!r}"
        raise NetworkError(msg)
    extra = _extra_stop_xy()
    if ref in extra:
        return (ref, *extra[ref])
    place = geodata.resolve_place(ref)
    return place.name, place.x, place.y


# --------------------------------------------------------------------------------------------
# rail track lengths


@lru_cache(maxsize=1)
def _track() -> tuple[nx.Graph, dict[str, set[int]], dict[int, set[int]], dict[int, tuple]]:
    """Rail segment graph: nodes are segment end points, edges carry length and systems."""
    segs = geodata.load_rail_segments()
    g = nx.Graph()
    by_name: dict[str, set[int]] = {}
    by_uic: dict[int, set[int]] = {}
    xy: dict[int, tuple[float, float]] = {}
    for row in segs.itertuples():
        u, v = int(row.from_node), int(row.to_node)
        systems = frozenset(s.strip() for s in str(row.tsys).split(","))
        length = float(row.length_km)
        coords = row.geometry.coords
        xy.setdefault(u, coords[0][:2])
        xy.setdefault(v, coords[-1][:2])
        if g.has_edge(u, v) and g[u][v]["length"] <= length:
            g[u][v]["systems"] = g[u][v]["systems"] | systems
            continue
        g.add_edge(u, v, length=length, systems=systems)
        for node, name, uic in ((u, row.from_name, row.from_uic), (v, row.to_name, row.to_uic)):
            if isinstance(name, str) and name:
                by_name.setdefault(name, set()).add(node)
            if uic and int(uic) != 0:
                by_uic.setdefault(int(uic), set()).add(node)
    return g, by_name, by_uic, xy


@lru_cache(maxsize=16)
def _track_for(systems: frozenset[str]) -> nx.Graph:
    g = _track()[0]
    return g.edge_subgraph([(u, v) for u, v, d in g.edges(data=True) if d["systems"] & systems])


def _track_nodes(key: str, x: float, y: float, sub: nx.Graph) -> list[int]:
    _, by_name, by_uic, xy = _track()
    extra = (_service_data().get("extra_stops") or {}).get(key)
    nodes = by_uic.get(int(extra["uic"]), set()) if extra else by_name.get(key, set())
    nodes = [n for n in nodes if n in sub]
    if nodes:
        return nodes
    cand = list(sub.nodes)
    pts = np.array([xy[n] for n in cand])
    d = np.hypot(pts[:, 0] - x, pts[:, 1] - y)
    best = int(np.argmin(d))
    if d[best] > 600.0:
        return []
    return [cand[best]]


def rail_length_km(a: tuple[str, float, float], b: tuple[str, float, float],
                   systems: frozenset[str]) -> float | None:
    """Track length (km) between two resolved stops over the given systems, None if no path."""
    sub = _track_for(systems)
    src, dst = _track_nodes(*a, sub), _track_nodes(*b, sub)
    best = np.inf
    for s in src:
        dist = nx.single_source_dijkstra_path_length(sub, s, weight="length")
        for t in dst:
            best = min(best, dist.get(t, np.inf))
    return None if not np.isfinite(best) else float(best)


def running_times(spec: dict[str, Any], modes: dict[str, dict[str, Any]],
                  resolved: list[tuple[str, float, float]]) -> list[float]:
    """In-vehicle minutes per link of a service spec with resolved stops.

    ``spec`` may give ``run_min`` (a total, spread over links by distance, or a list per link),
    ``speed_kmh`` (overrides the mode's), ``dwell_min`` and ``systems``. Rail modes follow the
    shipped track; where there is none between two stops, ``new_track: true`` allows a new
    line (straight line x ``NEW_RAIL_CIRCUITY``), otherwise it is an error.
    """
    mode = modes[spec["mode"]]
    speed = float(spec.get("speed_kmh", mode["speed_kmh"]))
    dwell = float(spec.get("dwell_min", mode.get("dwell_min", 0.0)))
    rail = spec["mode"] in RAIL_MODES
    circuity = float(mode.get("circuity", params.NEW_RAIL_CIRCUITY))
    systems = frozenset(spec.get("systems", mode.get("systems", ())))
    lengths = []
    for a, b in pairwise(resolved):
        length = None
        if rail:
            length = rail_length_km(a, b, systems)
            if length is None and not spec.get("new_track", False):
                msg = (f"service {spec['name']!r}: no {'/'.join(sorted(systems))} track between "
                       f"{a[0]!r} and {b[0]!r}; give new_track: true for a new line")
                raise NetworkError(msg)
        if length is None:
            length = float(np.hypot(b[1] - a[1], b[2] - a[2])) / 1000.0 * circuity
        lengths.append(length)
    run = spec.get("run_min")
    if isinstance(run, list):
        if len(run) != len(lengths):
            msg = (f"service {spec['name']!r}: run_min has {len(run)} values "
                   f"for {len(lengths)} links")
            raise NetworkError(msg)
        return [float(r) for r in run]
    if run is not None:  # a total: spread over the links by length
        total = float(sum(lengths)) or 1.0
        return [float(run) * length / total for length in lengths]
    return [length / speed * 60.0 + dwell for length in lengths]
