"""The car skeleton: motorways and main roads between towns and junctions.

Data in ``geodata/roads.yaml`` (project-made, see ``geodata/SOURCES.md``). Link speeds come
from the road class and area type; speed caps (initiatives 28-30) lower them on a copy.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import numpy as np

from ..errors import GeodataError, NetworkError
from ._data import read_yaml
from .services import resolve_stop

__all__ = ["AREA_TYPES", "ROAD_CLASSES", "link_speed_kmh", "load_road_data", "road_skeleton"]

#: Road classes of the skeleton (``local`` = the zones' access roads).
ROAD_CLASSES: tuple[str, ...] = ("motorway", "expressway", "main_road", "local")
#: Area types of a link or zone.
AREA_TYPES: tuple[str, ...] = ("urban", "rural")


@lru_cache(maxsize=1)
def _road_data() -> dict[str, Any]:
    return read_yaml("roads.yaml", {"classes", "nodes", "links"})


def load_road_data() -> dict[str, Any]:
    """The parsed ``geodata/roads.yaml`` (a copy)."""
    return copy.deepcopy(_road_data())


def link_length_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Road length between two node positions: straight line x the file's circuity."""
    return float(np.hypot(b[0] - a[0], b[1] - a[1])) / 1000.0 * float(
        _road_data().get("circuity", 1.2))


@lru_cache(maxsize=1)
def _skeleton() -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    data = _road_data()
    nodes: dict[str, tuple[float, float]] = {}
    for name, spec in data["nodes"].items():
        try:
            _, x, y = resolve_stop(spec["at"])
        except (KeyError, NetworkError, LookupError) as err:
            msg = f"roads.yaml: node {name!r}: {err}"
            raise GeodataError(msg) from err
        nodes[str(name)] = (x, y)
    links = []
    for i, (a, b, cls, area) in enumerate(data["links"]):
        if a not in nodes or b not in nodes or cls not in ROAD_CLASSES or area not in AREA_TYPES:
            msg = f"roads.yaml: link {i} {[a, b, cls, area]!r} has an unknown node, class or area"
            raise GeodataError(msg)
        links.append({"a": a, "b": b, "road_class": cls, "area": area,
                      "length_km": link_length_km(nodes[a], nodes[b])})
    return nodes, links


def road_skeleton() -> tuple[dict[str, tuple[float, float]], list[dict[str, Any]]]:
    """Road nodes (name -> (x, y) in EPSG:25832) and links (dicts with a, b, road_class, area,
    length_km); copies."""
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
