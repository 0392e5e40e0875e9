"""Import a road network from a local OpenStreetMap extract into the project's road format.

No download ever: the user passes a file they have (e.g. cut from a Geofabrik extract with
``osmium extract``). ``.osm`` (XML) is read with the standard library; ``.osm.pbf`` needs the
optional ``osmium`` package (``pip install 'mobility[osm]'``), which reads both formats.

Mapping
-------
- ``highway=motorway``/``motorway_link`` -> ``motorway``; ``trunk``/``trunk_link`` ->
  ``expressway`` where ``motorroad=yes`` or the limit is at least 80 km/h, else ``main_road``;
  ``primary``/``secondary`` (and their links) -> ``main_road``; ``tertiary`` -> ``main_road``
  only with ``include_tertiary``; everything else is left to the zones' local-road legs.
- area type: ``urban`` where the limit is at most 60 km/h, else ``rural``; ``maxspeed`` may be
  a number, ``"N mph"`` or the Danish implicit values ``DK:urban`` (50), ``DK:rural`` (80) and
  ``DK:motorway`` (130); missing limits take the class's default area (motorway and trunk
  rural, others urban).
- lanes per direction: ``lanes`` of a one-way way, half of a two-way way's (at least 1);
  missing: the class default of ``geodata/roads.yaml``.
- one-way ways (``oneway=yes``/``-1``, motorways) become one-way links (``oneway: true``).
- ways are split at junctions (nodes shared by two kept ways, and way ends); the nodes in
  between only shape the geometry: a link's ``circuity`` is its polyline length over the
  straight line between its ends, so ``length_km`` equals the mapped length.

:func:`read_osm` returns ``{"nodes": {...}, "links": [...]}`` in the layout of
``geodata/roads.yaml``; :func:`write_roads_yaml` writes a complete file (classes copied from the
shipped one) that can replace ``geodata/roads.yaml``.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from ..errors import GeodataError

__all__ = ["classify", "read_osm", "write_roads_yaml"]

_DK_SPEEDS = {"dk:urban": 50.0, "dk:rural": 80.0, "dk:motorway": 130.0}
_EARTH_R_KM = 6371.0088


def _speed(tag: str | None) -> float | None:
    if not tag:
        return None
    t = tag.strip().lower()
    if t in _DK_SPEEDS:
        return _DK_SPEEDS[t]
    try:
        if t.endswith("mph"):
            return float(t[:-3].strip()) * 1.609344
        value = float(t.split(";")[0])
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def classify(tags: dict[str, str], *, include_tertiary: bool = False
             ) -> tuple[str, str, float | None] | None:
    """(road class, area type, limit km/h or None) of a way's tags, or None if not imported."""
    hw = tags.get("highway", "")
    limit = _speed(tags.get("maxspeed"))
    if hw in ("motorway", "motorway_link"):
        cls, default_area = "motorway", "rural"
    elif hw in ("trunk", "trunk_link"):
        fast = tags.get("motorroad") == "yes" or (limit is not None and limit >= 80)
        cls, default_area = ("expressway" if fast else "main_road"), "rural"
    elif hw in ("primary", "primary_link", "secondary", "secondary_link") or (
            include_tertiary and hw in ("tertiary", "tertiary_link")):
        cls, default_area = "main_road", "urban"
    else:
        return None
    area = default_area if limit is None else ("urban" if limit <= 60 else "rural")
    return cls, area, limit


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * _EARTH_R_KM * math.asin(math.sqrt(h))


def _read_xml(path: Path) -> tuple[dict[int, tuple[float, float]], list[tuple[list[int],
                                                                              dict[str, str]]]]:
    coords: dict[int, tuple[float, float]] = {}
    ways: list[tuple[list[int], dict[str, str]]] = []
    try:
        for _, el in ET.iterparse(path, events=("end",)):
            if el.tag == "node":
                coords[int(el.get("id"))] = (float(el.get("lon")), float(el.get("lat")))
                el.clear()
            elif el.tag == "way":
                refs = [int(nd.get("ref")) for nd in el.findall("nd")]
                tags = {t.get("k"): t.get("v") for t in el.findall("tag")}
                ways.append((refs, tags))
                el.clear()
    except (ET.ParseError, TypeError, ValueError) as err:
        msg = f"{path}: not a readable OSM XML file: {err}"
        raise GeodataError(msg) from err
    return coords, ways


def _read_osmium(path: Path) -> tuple[dict[int, tuple[float, float]],
                                      list[tuple[list[int], dict[str, str]]]]:
    try:
        import osmium
    except ImportError as err:
        msg = (f"{path}: reading .osm.pbf needs the optional 'osmium' package "
               "(pip install 'mobility[osm]'), or convert the file to .osm XML")
        raise GeodataError(msg) from err
    coords: dict[int, tuple[float, float]] = {}
    ways: list[tuple[list[int], dict[str, str]]] = []
    try:
        for obj in osmium.FileProcessor(str(path)):
            if obj.is_node() and obj.location.valid():
                coords[obj.id] = (obj.location.lon, obj.location.lat)
            elif obj.is_way():
                ways.append(([n.ref for n in obj.nodes], {t.k: t.v for t in obj.tags}))
    except RuntimeError as err:
        msg = f"{path}: not a readable OSM file: {err}"
        raise GeodataError(msg) from err
    return coords, ways


def read_osm(path: str | Path, *, include_tertiary: bool = False,
             engine: str | None = None) -> dict[str, Any]:
    """Read a local ``.osm`` or ``.osm.pbf`` file into the project's road format.

    Parameters
    ----------
    path : str or Path
        A local OpenStreetMap file (nothing is downloaded).
    include_tertiary : bool
        Import ``highway=tertiary`` as main roads too.
    engine : {"xml", "osmium"}, optional
        Default: ``xml`` for ``.osm``, ``osmium`` for ``.pbf``.

    Returns
    -------
    dict
        ``nodes`` (``"osm:<id>": {"at": [lon, lat]}``) and ``links`` (rows
        ``[a, b, class, area, {lanes, circuity, name, oneway}]``).

    Raises
    ------
    GeodataError
        Missing or unreadable file, or no road of the imported classes in it.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: no such OSM file"
        raise GeodataError(msg)
    if engine is None:
        engine = "osmium" if path.name.endswith(".pbf") else "xml"
    if engine not in ("xml", "osmium"):
        msg = f"unknown OSM reader {engine!r}; choose 'xml' or 'osmium'"
        raise GeodataError(msg)
    coords, ways = _read_xml(path) if engine == "xml" else _read_osmium(path)
    from .roads import class_spec

    kept = []
    for refs, tags in ways:
        cls = classify(tags, include_tertiary=include_tertiary)
        refs = [r for r in refs if r in coords]
        if cls is None or len(refs) < 2:
            continue
        if tags.get("oneway") == "-1":
            refs = refs[::-1]
        kept.append((refs, tags, cls))
    if not kept:
        msg = f"{path}: no motorway, trunk, primary or secondary road found"
        raise GeodataError(msg)
    use = Counter(r for refs, _, _ in kept for r in set(refs))
    nodes: dict[str, dict[str, list[float]]] = {}
    links: list[list[Any]] = []
    for refs, tags, (cls, area, _) in kept:
        oneway = tags.get("oneway") in ("yes", "true", "1", "-1") or (
            cls == "motorway" and tags.get("oneway") != "no")
        total = tags.get("lanes")
        try:
            lanes = float(total.split(";")[0]) if total else None
        except ValueError:
            lanes = None
        if lanes is not None and not (math.isfinite(lanes) and lanes > 0):
            lanes = None
        if lanes is not None and not oneway:
            lanes = max(1.0, float(math.floor(lanes / 2)))
        if lanes is None:
            lanes = float(class_spec(cls, area)["lanes"])
        start = 0
        for k in range(1, len(refs)):
            if k < len(refs) - 1 and use[refs[k]] < 2:
                continue
            seg = refs[start:k + 1]
            start = k
            a, b = seg[0], seg[-1]
            if a == b:
                continue
            poly = sum(_haversine_km(coords[u], coords[v]) for u, v in itertools.pairwise(seg))
            straight = _haversine_km(coords[a], coords[b])
            if straight <= 0:
                continue
            for r in (a, b):
                nodes.setdefault(f"osm:{r}", {"at": [round(coords[r][0], 7),
                                                     round(coords[r][1], 7)]})
            opts: dict[str, Any] = {"lanes": lanes, "circuity": round(max(poly / straight, 1.0),
                                                                      4)}
            if tags.get("name") or tags.get("ref"):
                opts["name"] = str(tags.get("name") or tags.get("ref"))
            if oneway:
                opts["oneway"] = True
            links.append([f"osm:{a}", f"osm:{b}", cls, area, opts])
    return {"nodes": nodes, "links": links}


def write_roads_yaml(network: dict[str, Any], path: str | Path, *, source: str) -> Path:
    """Write ``network`` (from :func:`read_osm`) as a complete roads file with the shipped
    road classes; ``source`` (e.g. the extract's name and date) goes into its header."""
    from .roads import load_road_data

    data = {"circuity": load_road_data().get("circuity", 1.2),
            "classes": load_road_data()["classes"], **network}
    path = Path(path)
    text = (f"# Road network imported from OpenStreetMap ({source}); "
            "(c) OpenStreetMap contributors, ODbL.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
