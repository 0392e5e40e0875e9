"""The road network: motorways, main roads and urban arterials between towns and junctions.

Data in ``geodata/roads.yaml`` (project-made, see ``geodata/SOURCES.md`` and
``docs/model.md (section 9)``). Every link carries a road class and area type, from which come its
speed limit, free-flow speed, lanes, capacity per lane and BPR volume-delay parameters (all in
the ``classes`` block of the file, with their sources); a link may override ``lanes`` and
``circuity`` and carry a ``name`` (the road). Speed caps (initiatives 28-30) lower the free-flow
speed on a copy; capacity edits (initiative 26) scale a link's capacity.

A link row in the YAML file is ``[from, to, class, area]`` or
``[from, to, class, area, {lanes: 3, circuity: 1.1, name: "E47", oneway: true}]``; links are
two-way unless ``oneway`` (then from -> to only, as imported from OpenStreetMap).
"""

from __future__ import annotations

import copy
import math
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .. import geodata
from ..errors import GeodataError, NetworkError
from ._data import read_yaml
from .services import resolve_stop

__all__ = [
    "AREA_TYPES", "ROAD_CLASSES", "bpr_time", "class_spec", "link_capacity_vph",
    "link_length_km", "link_speed_kmh", "load_road_data", "road_links_frame", "road_skeleton",
    "roads_path",
]

#: Road classes (``local`` = the zones' access roads, never a link of the file).
ROAD_CLASSES: tuple[str, ...] = ("motorway", "expressway", "main_road", "local")
#: Area types of a link or zone.
AREA_TYPES: tuple[str, ...] = ("urban", "rural")
_CLASS_FIELDS = ("limit_kmh", "speed_kmh", "lanes", "capacity_per_lane", "bpr_alpha",
                 "bpr_beta")
_LINK_OPTIONS = {"lanes", "circuity", "name", "oneway"}


def _positive(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


def roads_path() -> Path:
    """The road network file: ``$MOBILITY_ROADS_FILE`` if set (e.g. written by
    :func:`mobility.network.osm_import.write_roads_yaml`), else ``geodata/roads.yaml``."""
    env = os.environ.get("MOBILITY_ROADS_FILE")
    return Path(env) if env else geodata.get_path("roads.yaml")


@lru_cache(maxsize=1)
def _road_data() -> dict[str, Any]:
    path = roads_path()
    if path.name == "roads.yaml" and path.parent == geodata.get_path("roads.yaml").parent:
        data = read_yaml("roads.yaml", {"classes", "nodes", "links"})
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as err:
            msg = f"cannot read road file {path}: {err}"
            raise GeodataError(msg) from err
        if not isinstance(data, dict) or not {"classes", "nodes", "links"} <= set(data):
            msg = f"{path} must hold the keys classes, links, nodes"
            raise GeodataError(msg)
    for cls in ROAD_CLASSES:
        for area in AREA_TYPES:
            spec = data["classes"].get(cls, {}).get(area)
            if not isinstance(spec, dict):
                msg = f"{roads_path()}: classes.{cls}.{area} is missing"
                raise GeodataError(msg)
            for f in _CLASS_FIELDS:
                if not _positive(spec.get(f)):
                    msg = f"{roads_path()}: classes.{cls}.{area}.{f} must be a positive number"
                    raise GeodataError(msg)
    if not _positive(data.get("circuity", 1.2)):
        msg = f"{roads_path()}: circuity must be a positive number"
        raise GeodataError(msg)
    return data


def load_road_data() -> dict[str, Any]:
    """The parsed ``geodata/roads.yaml`` (a copy)."""
    return copy.deepcopy(_road_data())


def class_spec(road_class: str, area: str) -> dict[str, float]:
    """Speed limit, free-flow speed, lanes, capacity per lane and BPR parameters of a class."""
    return dict(_road_data()["classes"][road_class][area])


def link_length_km(a: tuple[float, float], b: tuple[float, float],
                   circuity: float | None = None) -> float:
    """Road length between two node positions: straight line x circuity (default the file's)."""
    c = float(_road_data().get("circuity", 1.2)) if circuity is None else float(circuity)
    return float(np.hypot(b[0] - a[0], b[1] - a[1])) / 1000.0 * c


@lru_cache(maxsize=1)
def _skeleton() -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    data = _road_data()
    nodes: dict[str, tuple[float, float]] = {}
    for name, spec in data["nodes"].items():
        try:
            _, x, y = resolve_stop(spec["at"])
        except (KeyError, TypeError, NetworkError, LookupError) as err:
            msg = f"{roads_path().name}: node {name!r}: {err}"
            raise GeodataError(msg) from err
        nodes[str(name)] = (x, y)
    links = []
    seen: set[tuple[frozenset[str], str]] = set()
    for i, row in enumerate(data["links"]):
        if not isinstance(row, list) or len(row) not in (4, 5):
            msg = f"{roads_path()}: link {i} {row!r} must be [from, to, class, area(, options)]"
            raise GeodataError(msg)
        a, b, cls, area = row[:4]
        opts = row[4] if len(row) == 5 else {}
        if a not in nodes or b not in nodes or cls not in ROAD_CLASSES or area not in AREA_TYPES \
                or cls == "local" or a == b:
            msg = f"{roads_path()}: link {i} {row!r} has an unknown node, class or area"
            raise GeodataError(msg)
        if not isinstance(opts, dict) or not set(opts) <= _LINK_OPTIONS:
            msg = f"{roads_path()}: link {i} {row!r}: options may be {sorted(_LINK_OPTIONS)}"
            raise GeodataError(msg)
        for f in ("lanes", "circuity"):
            if f in opts and not _positive(opts[f]):
                msg = f"{roads_path()}: link {i} {row!r}: {f} must be a positive number"
                raise GeodataError(msg)
        pair = (frozenset((a, b)), cls)  # parallel roads of different classes are allowed
        if pair in seen:
            msg = f"{roads_path()}: link {i} {row!r} duplicates an earlier link"
            raise GeodataError(msg)
        seen.add(pair)
        link = {"a": a, "b": b, "road_class": cls, "area": area,
                "length_km": link_length_km(nodes[a], nodes[b], opts.get("circuity")),
                "name": str(opts.get("name", ""))}
        if "lanes" in opts:
            link["lanes"] = float(opts["lanes"])
        if opts.get("oneway") is True:
            link["oneway"] = True
        links.append(link)
    return nodes, links


def road_skeleton() -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    """Road nodes (name -> (x, y) in EPSG:25832) and links (dicts with a, b, road_class, area,
    length_km, name and optionally lanes, speed_kmh, capacity_factor); copies."""
    nodes, links = _skeleton()
    return dict(nodes), copy.deepcopy(links)


def link_speed_kmh(road_class: str, area: str, caps: list[dict[str, Any]]) -> float:
    """Free-flow speed of a road class in an area type after the scenario's speed caps.

    A cap ``{road_classes, area_type, max_kmh, speed_share}`` limits the average speed to
    ``max_kmh * speed_share`` where the class's limit is above ``max_kmh``.
    """
    spec = _road_data()["classes"][road_class][area]
    speed = float(spec["speed_kmh"])
    for cap in caps:
        if road_class not in cap["road_classes"]:
            continue
        if cap.get("area_type", "any") not in ("any", area):
            continue
        if float(spec["limit_kmh"]) > float(cap["max_kmh"]):
            speed = min(speed, float(cap["max_kmh"]) * float(cap.get("speed_share", 1.0)))
    return speed


def link_capacity_vph(link: dict[str, Any]) -> float:
    """Capacity of one direction of a link (passenger-car units per hour): lanes per direction
    x capacity per lane of its class and area, x the link's ``capacity_factor`` (edits)."""
    spec = _road_data()["classes"][link["road_class"]][link["area"]]
    lanes = float(link.get("lanes") or spec["lanes"])
    return lanes * float(spec["capacity_per_lane"]) * float(link.get("capacity_factor", 1.0))


def bpr_time(t0: np.ndarray, flow: np.ndarray, capacity: np.ndarray, alpha: np.ndarray,
             beta: np.ndarray) -> np.ndarray:
    """BPR volume-delay: ``t0 * (1 + alpha * (flow / capacity) ** beta)`` (non-decreasing in
    ``flow`` for alpha, beta >= 0)."""
    return t0 * (1.0 + alpha * np.power(np.maximum(flow, 0.0) / capacity, beta))


def road_links_frame(net: Any = None) -> Any:
    """The road links of ``net`` (default the base network) as a GeoDataFrame in EPSG:25832:
    ``a``, ``b``, ``name``, ``road_class``, ``area``, ``length_km``, ``lanes``,
    ``speed_kmh``, ``capacity_vph`` and a straight ``geometry`` (schematic), for the maps."""
    import geopandas as gpd
    from shapely.geometry import LineString

    if net is None:
        nodes, links, caps = *road_skeleton(), []
    else:
        nodes, links, caps = net.road_nodes, net.road_links, net.speed_caps
    rows = []
    for lk in links:
        spec = class_spec(lk["road_class"], lk["area"])
        rows.append({
            "a": lk["a"], "b": lk["b"], "name": lk.get("name", ""),
            "road_class": lk["road_class"], "area": lk["area"],
            "length_km": lk["length_km"], "lanes": float(lk.get("lanes") or spec["lanes"]),
            "speed_kmh": float(lk.get("speed_kmh")
                               or link_speed_kmh(lk["road_class"], lk["area"], caps)),
            "capacity_vph": link_capacity_vph(lk),
            "geometry": LineString([nodes[lk["a"]], nodes[lk["b"]]])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:25832")
