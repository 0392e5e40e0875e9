"""The initiative catalogue: read, validate, build geometries, tabulate and export.

Examples
--------
>>> from mobility.catalogue import load_catalogue, read_initiatives
>>> initiatives = read_initiatives()
>>> len(initiatives)
33
>>> initiatives[13].prerequisites
[12]
>>> frame = load_catalogue()
>>> frame.crs.to_epsg()
25832
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pydantic import TypeAdapter, ValidationError
from shapely import line_merge
from shapely.geometry import LineString, MultiLineString, MultiPoint, MultiPolygon, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from . import geodata
from ._area import MARGIN_KM, geometry_outside, outside_study_area
from ._input import InputFileError, read_yaml
from ._io import atomic_path
from ._paths import shipped_dir
from .errors import CatalogueError, Issue, MobilityError
from .schema import (
    INDICATOR_KEYS,
    MAX_ID,
    AreaSpec,
    GeometrySpec,
    Initiative,
    LineSpec,
    MultiSpec,
    PointsSpec,
    RailRouteSpec,
)

__all__ = [
    "CSV_COLUMNS",
    "build_geometry",
    "catalogue_dir",
    "catalogue_frame",
    "check_references",
    "export_catalogue",
    "load_catalogue",
    "read_initiatives",
    "validate_catalogue",
]

log = logging.getLogger(__name__)

#: The machine-readable CSV export contract (column order matters).
CSV_COLUMNS: tuple[str, ...] = (
    "id", "name", "theme", "cost_mdkk", "co2_construction_t_min", "co2_construction_t_max",
    "extra_passengers_per_day", "travel_time_reduction_pct", "irr_pct",
    "rating_cross_municipal", "rating_accessibility", "rating_co2_operation",
    "rating_public_health", "rating_public_transport", "rating_socioeconomics",
    "inferred_ratings", "geometry_type",
)

_MIN_LINE_LENGTH_M = 100.0


def catalogue_dir() -> Path:
    """The shipped catalogue folder (``initiatives/``)."""
    return shipped_dir("initiatives")


# --------------------------------------------------------------------------------------------
# Geometry


def _place_point(ref: Any) -> Point:
    if isinstance(ref, str):
        return geodata.resolve_place(ref).point
    lon, lat = ref
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        msg = f"coordinates {list(ref)!r} are not [lon, lat] in WGS84"
        raise ValueError(msg)
    x, y = geodata.lonlat_to_utm(lon, lat)
    if outside_study_area(x, y):
        msg = (f"coordinates {list(ref)!r} lie outside the study area (the 35 municipalities "
               f"plus {MARGIN_KM:.0f} km); give [lon, lat] in WGS84, e.g. [12.57, 55.68]")
        raise ValueError(msg)
    return Point(x, y)


@lru_cache(maxsize=1)
def _rail_graph() -> tuple[nx.MultiGraph, dict[str, list[int]]]:
    segs = geodata.load_rail_segments()
    g = nx.MultiGraph()
    by_name: dict[str, list[int]] = {}
    for row in segs.itertuples():
        g.add_edge(
            int(row.from_node), int(row.to_node),
            length=float(row.length_km), geometry=row.geometry, start=int(row.from_node),
            systems=frozenset(s.strip() for s in str(row.tsys).split(",")),
        )
        for node, name in ((row.from_node, row.from_name), (row.to_node, row.to_name)):
            if isinstance(name, str) and name:
                by_name.setdefault(name, [])
                if int(node) not in by_name[name]:
                    by_name[name].append(int(node))
    return g, by_name


def _rail_nodes_for(station: str, graph: nx.MultiGraph) -> list[int]:
    """Rail graph nodes of a station: by name, else the nearest end point within 500 m."""
    by_name = _rail_graph()[1]
    place = geodata.resolve_place(station)
    nodes = [n for n in by_name.get(place.name, []) if n in graph]
    if nodes:
        return nodes
    # the segments' node numbers are not the UIC ids of rail_nodes; match end points by position
    ends = {}
    for u, v, data in graph.edges(data=True):
        coords = data["geometry"].coords
        start, end = (u, v) if data["start"] == u else (v, u)
        ends[start] = coords[0]
        ends[end] = coords[-1]
    best, best_d = None, 500.0
    for node, (x, y) in ends.items():
        d = float(np.hypot(x - place.x, y - place.y))
        if d < best_d:
            best, best_d = node, d
    if best is None:
        msg = f"station {station!r} is not on the rail network (no track end within 500 m)"
        raise ValueError(msg)
    return [best]


def _rail_route(spec: RailRouteSpec) -> LineString | MultiLineString:
    g_all = _rail_graph()[0]
    if spec.systems:
        wanted = set(spec.systems)
        g = nx.MultiGraph(
            (u, v, d) for u, v, d in g_all.edges(data=True) if d["systems"] & wanted
        )
    else:
        g = g_all
    pieces: list[LineString] = []
    for a, b in itertools.pairwise(spec.stations):
        src, dst = _rail_nodes_for(a, g), _rail_nodes_for(b, g)
        best_len, best_path = np.inf, None
        for s in src:
            lengths, paths = nx.single_source_dijkstra(g, s, weight="length")
            for t in dst:
                if t in lengths and lengths[t] < best_len:
                    best_len, best_path = lengths[t], paths[t]
        if best_path is None:
            systems = f" using systems {spec.systems}" if spec.systems else ""
            msg = f"no rail path between {a!r} and {b!r}{systems}"
            raise ValueError(msg)
        for u, v in itertools.pairwise(best_path):
            data = min(g.get_edge_data(u, v).values(), key=lambda d: d["length"])
            line = data["geometry"]
            pieces.append(line if data["start"] == u else LineString(line.coords[::-1]))
    merged = line_merge(MultiLineString(pieces))
    return merged


def _simple_geometry(spec: Any) -> BaseGeometry:
    if isinstance(spec, RailRouteSpec):
        return _rail_route(spec)
    if isinstance(spec, LineSpec):
        return LineString([_place_point(p) for p in spec.via])
    if isinstance(spec, PointsSpec):
        pts = [_place_point(p) for p in spec.at]
        return pts[0] if len(pts) == 1 else MultiPoint(pts)
    if isinstance(spec, AreaSpec):
        return _area(spec)
    msg = f"unsupported geometry type {getattr(spec, 'type', spec)!r}"
    raise ValueError(msg)


def _area(spec: AreaSpec) -> BaseGeometry:
    munis = geodata.load_municipalities()
    if spec.municipalities == "all":
        chosen = munis
    elif spec.municipalities == "fingerplan":
        chosen = munis[munis["fingerplan"]]
    else:
        wanted = list(spec.municipalities)
        unknown = [
            w for w in wanted
            if not ((munis["code"] == w).any() or (munis["name"] == w).any())
        ]
        if unknown:
            msg = (
                f"unknown municipality {', '.join(map(repr, unknown))}; names or codes of the "
                f"35 study-area municipalities, e.g. {', '.join(munis['name'].head(4))}"
            )
            raise ValueError(msg)
        chosen = munis[munis["code"].isin(wanted) | munis["name"].isin(wanted)]
    return unary_union(chosen.geometry.to_list())


def _flatten(geoms: Iterable[BaseGeometry]) -> list[BaseGeometry]:
    out: list[BaseGeometry] = []
    for g in geoms:
        out.extend(getattr(g, "geoms", [g]))
    return out


def build_geometry(spec: Any) -> BaseGeometry:
    """Build the geometry of a geometry specification from the shipped geodata (EPSG:25832).

    Raises
    ------
    PlaceNotFoundError
        A station, stop or place name is unknown (with suggestions).
    ValueError
        No rail path, an unknown municipality, bad coordinates.
    """
    if not isinstance(spec, MultiSpec):
        return _simple_geometry(spec)
    parts = _flatten(_simple_geometry(p) for p in spec.parts)
    kind = parts[0].geom_type
    if kind == "Point":
        return MultiPoint(parts)
    if kind == "LineString":
        return MultiLineString(parts)
    union = unary_union(parts)
    return union if isinstance(union, MultiPolygon) else MultiPolygon([union])


def _geometry_problem(geom: BaseGeometry) -> str | None:
    if geom is None or geom.is_empty:
        return "geometry is empty"
    if not geom.is_valid:
        from shapely.validation import explain_validity

        return f"geometry is invalid: {explain_validity(geom)}"
    if geom.geom_type in ("LineString", "MultiLineString") and geom.length < _MIN_LINE_LENGTH_M:
        return f"line is only {geom.length:.0f} m long (minimum {_MIN_LINE_LENGTH_M:.0f} m)"
    return geometry_outside(geom)


# --------------------------------------------------------------------------------------------
# Reading and validating


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("rail_route", "line", "points", "area", "multi", "int", "str",
                      "constrained-int", "literal['n/a']", "tuple[float, float]", "float",
                      "list[union[int,str]]", "literal['all','fingerplan']"):
            continue  # pydantic's union branch names
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(e: Any, field: str) -> str:
    msg = str(e["msg"]).removeprefix("Value error, ")
    kind = e["type"]
    value = e.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (see docs/catalogue-format.md)"
    if field.startswith("ratings.") and kind in (
        "less_than_equal", "greater_than_equal", "literal_error", "int_parsing", "int_type",
        "int_from_float",
    ):
        return f"rating must be a whole number 0-5 or 'n/a', got {_show(value)}"
    if isinstance(value, bool) and kind in ("float_type", "int_type", "int_parsing",
                                            "float_parsing"):
        return f"must be a number, not a yes/no value (got {_show(value)})"
    if kind == "finite_number":
        return f"must be a finite number, got {_show(value)}"
    if kind in ("float_type", "int_type"):
        return f"{msg.replace('Input should be', 'must be')}, got {_show(value)}"
    last = re.sub(r"\[\d+\]", "", field).split(".")[-1]
    if kind in ("less_than_equal", "greater_than_equal") and last in ("id", "prerequisites"):
        return f"initiative ids are 1-{MAX_ID}, got {_show(value)}"
    return msg.replace("Input should be", "must be")


def _show(value: Any) -> str:
    """A value for a message: YAML's spelling for booleans, shortened if long."""
    if isinstance(value, bool):
        return "true/yes" if value else "false/no"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_issues(err: ValidationError, file: str, ident: str | None) -> list[Issue]:
    issues: list[Issue] = []
    seen: set[str] = set()
    for e in err.errors():
        field = _loc(tuple(e["loc"]))
        # a value that fails every branch of a union (a rating of 7, a place that is neither a
        # name nor [lon, lat]) is reported once
        if field in seen:
            continue
        seen.add(field)
        issues.append(Issue(file, field, _message(e, field), ident))
    return issues


def _read_yaml(path: Path) -> tuple[Any, list[Issue]]:
    try:
        data = read_yaml(path)
    except InputFileError as err:
        return None, [Issue(path.name, "", str(err))]
    if not isinstance(data, dict):
        return None, [Issue(path.name, "", "file must hold a mapping of fields (key: value)")]
    return data, []


def _check_network(spec: Any, file: str, ident: str | None) -> list[Issue]:
    if not isinstance(spec, dict):
        return []  # None, or a wrong type the schema reports
    from .network.edits import check_network_spec  # late import: network reads the catalogue
    return [Issue(file, field, message, ident) for field, message in check_network_spec(spec)]


_GEOMETRY = TypeAdapter(GeometrySpec)


def _geometry_issues(spec: Any, file: str, ident: str | None) -> tuple[Any, list[Issue]]:
    """Build the geometry of a validated spec: (geometry or None, issues)."""
    try:
        geom = build_geometry(spec)
        problem = _geometry_problem(geom)
    except (ValueError, MobilityError) as err:  # PlaceNotFoundError is a MobilityError
        geom, problem = None, str(err)
    return geom, [Issue(file, "geometry", problem, ident)] if problem else []


def _initiative_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def _collect(directory: Path) -> tuple[dict[int, Initiative], list[Issue]]:
    issues: list[Issue] = []
    found: dict[int, Initiative] = {}
    files: dict[int, str] = {}
    declared: set[int] = set()  # ids of files that failed validation: no cascade errors
    if not directory.is_dir():
        return {}, [Issue(str(directory), "", "catalogue folder does not exist")]
    paths = _initiative_files(directory)
    if not paths:
        return {}, [Issue(str(directory), "", "no initiative files (*.yaml) in the folder")]
    for path in paths:
        data, problems = _read_yaml(path)  # parsed once
        issues += problems
        if data is None:
            continue
        raw_id = data.get("id")
        ident = _show(raw_id).strip("'") if raw_id is not None else None
        if isinstance(raw_id, int) and not isinstance(raw_id, bool) and 1 <= raw_id <= MAX_ID:
            declared.add(raw_id)
        init: Initiative | None = None
        spec: Any = None
        try:
            init = Initiative.model_validate(data)
            spec = init.geometry
        except ValidationError as err:
            issues += _pydantic_issues(err, path.name, ident)
            # one file reports all its problems: still check the geometry and the network
            if not any(e["loc"][:1] == ("geometry",) for e in err.errors()):
                try:
                    spec = _GEOMETRY.validate_python(data.get("geometry"))
                except ValidationError:
                    spec = None
        geom = None
        if spec is not None:
            geom, problems = _geometry_issues(spec, path.name, ident)
            issues += problems
        issues += _check_network(data.get("network"), path.name, ident)
        if init is None:
            continue
        if init.id in found:
            issues.append(
                Issue(path.name, "id", f"duplicate id {init.id} (also in {files[init.id]})",
                      ident)
            )
            continue
        init._geom = geom
        init._source_file = str(path)
        found[init.id] = init
        files[init.id] = path.name
    issues += _check_references(found, files, declared)
    return found, issues


def _check_references(
    found: Mapping[int, Initiative], files: Mapping[int, str], declared: set[int]
) -> list[Issue]:
    issues: list[Issue] = []
    graph = nx.DiGraph()
    for ident, init in sorted(found.items()):
        graph.add_node(ident)
        for field, refs in (
            ("prerequisites", init.prerequisites),
            ("overlaps", [r.id for r in init.overlaps]),
            ("conflicts", [r.id for r in init.conflicts]),
        ):
            for i, ref in enumerate(refs):
                if ref not in found and ref not in declared:
                    issues.append(Issue(files[ident], f"{field}[{i}]",
                                        f"names unknown initiative id {ref}", str(ident)))
                elif field == "prerequisites" and ref in found:
                    graph.add_edge(ident, ref)
        clash = set(init.prerequisites) & {r.id for r in init.conflicts}
        if clash:
            issues.append(Issue(files[ident], "conflicts",
                                f"id(s) {sorted(clash)} are both prerequisite and conflict",
                                str(ident)))
    for cycle in nx.simple_cycles(graph):
        first = min(cycle)
        start = cycle.index(first)
        ordered = cycle[start:] + cycle[:start]
        chain = " -> ".join(str(c) for c in [*ordered, first])
        issues.append(Issue(files[first], "prerequisites",
                            f"cycle of prerequisites: {chain}", str(first)))
    return issues


def check_references(initiatives: Mapping[int, Initiative]) -> list[Issue]:
    """Problems with the references between initiatives built or edited in code.

    Reports a prerequisite, overlap or conflict naming an unknown id, and cycles of
    prerequisites, each naming the initiative's source file (or ``<in memory>``), id and field.
    """
    files = {i: (init.source_file or "<in memory>") for i, init in initiatives.items()}
    return _check_references(initiatives, files, set())


def _fingerprint(directory: Path) -> tuple[Any, ...]:
    stats = []
    for p in _initiative_files(directory):
        st = p.stat()
        stats.append((p.name, st.st_mtime_ns, st.st_size))
    return tuple(stats)


@lru_cache(maxsize=8)
def _collect_cached(directory: str, fingerprint: tuple[Any, ...]
                    ) -> tuple[dict[int, Initiative], tuple[Issue, ...]]:
    """Each file is read and parsed once, whether validated, read, or both (same fingerprint)."""
    found, issues = _collect(Path(directory))
    return dict(sorted(found.items())), tuple(issues)


def validate_catalogue(directory: str | os.PathLike[str] | None = None) -> list[Issue]:
    """Check a catalogue folder and return every problem found (empty list = valid)."""
    path = (Path(directory) if directory is not None else catalogue_dir()).resolve()
    return list(_collect_cached(str(path), _fingerprint(path))[1])


def read_initiatives(
    directory: str | os.PathLike[str] | None = None,
) -> dict[int, Initiative]:
    """Read, validate and build every initiative of a catalogue folder.

    Parameters
    ----------
    directory : path, optional
        Folder of ``*.yaml`` initiative files; default the shipped ``initiatives/``.

    Returns
    -------
    dict
        Initiatives by id, in id order, with geometries built (``Initiative.geom``).

    Raises
    ------
    CatalogueError
        With every problem found, each naming file, initiative id and field.
    """
    path = (Path(directory) if directory is not None else catalogue_dir()).resolve()
    if not path.is_dir():
        raise CatalogueError.from_issues(
            [Issue(str(path), "", "catalogue folder does not exist")], "invalid catalogue"
        )
    found, issues = _collect_cached(str(path), _fingerprint(path))
    if issues:
        raise CatalogueError.from_issues(issues, f"invalid catalogue in {path}")
    return dict(found)


# --------------------------------------------------------------------------------------------
# Tables


def _rating_value(value: Any) -> Any:
    return pd.NA if value is None else int(value)


def catalogue_frame(initiatives: Mapping[int, Initiative]) -> gpd.GeoDataFrame:
    """Tabulate initiatives: one row per initiative, indexed by id, in EPSG:25832.

    Unknown figures are missing (NaN / <NA>), never zero. Rating columns are nullable integers
    (``rating_<indicator>``); ``inferred_ratings`` is a ``;``-joined list of indicator keys.
    """
    rows = []
    for ident, init in initiatives.items():
        co2 = init.co2_construction_t
        stars = init.stars
        row = {
            "id": ident,
            "name": init.name,
            "name_en": init.name_en,
            "theme": init.theme,
            "kind": init.kind,
            "cost_mdkk": init.cost_mdkk,
            "co2_construction_t_min": co2.min if co2 else None,
            "co2_construction_t_max": co2.max if co2 else None,
            "extra_passengers_per_day": init.passengers.extra_per_day,
            "extra_passengers_pct": init.passengers.extra_pct,
            "passenger_potential_per_day": init.passengers.potential_per_day,
            "daily_passengers": init.passengers.daily_passengers,
            "travel_time_change": init.travel_time.change,
            "travel_time_reduction_pct": init.travel_time.reduction_pct,
            "travel_time_reduction_min": init.travel_time.reduction_min,
            "irr_pct": init.socioeconomics.irr_pct,
            "socioeconomics_status": init.socioeconomics.status,
            "inferred_ratings": ";".join(init.inferred_ratings),
            "prerequisites": ";".join(str(p) for p in init.prerequisites),
            "overlaps": ";".join(str(r.id) for r in init.overlaps),
            "conflicts": ";".join(str(r.id) for r in init.conflicts),
            "caveats": " ".join(init.caveats),
            "sources": "; ".join(init.sources),
            "geometry_type": init.geom.geom_type if init.geom is not None else None,
            "geometry": init.geom,
        }
        for key in INDICATOR_KEYS:
            row[f"rating_{key}"] = stars[key]
        rows.append(row)
    frame = pd.DataFrame(rows)
    float_cols = [
        "cost_mdkk", "co2_construction_t_min", "co2_construction_t_max",
        "extra_passengers_per_day", "extra_passengers_pct", "passenger_potential_per_day",
        "daily_passengers", "travel_time_reduction_pct", "travel_time_reduction_min", "irr_pct",
    ]
    if frame.empty:
        frame = pd.DataFrame(columns=["id", *float_cols, "geometry"])
    for col in float_cols:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    for key in INDICATOR_KEYS:
        col = f"rating_{key}"
        frame[col] = pd.array([_rating_value(r[col]) for r in rows], dtype="Int64")
    gdf = gpd.GeoDataFrame(frame, geometry="geometry", crs=geodata.CRS)
    return gdf.set_index("id", drop=False).rename_axis(None)


def load_catalogue(directory: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Read and validate a catalogue folder and return it as a GeoDataFrame (EPSG:25832)."""
    return catalogue_frame(read_initiatives(directory))


def _plain_number(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    f = float(value)
    return str(int(f)) if f.is_integer() else repr(f)


def _csv_frame(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=frame.index)
    for col in CSV_COLUMNS:
        series = frame[col]
        if col in ("id", "name", "theme", "inferred_ratings", "geometry_type"):
            from .outputs.spreadsheet import csv_text

            out[col] = [csv_text(v) for v in series.fillna("").astype(str)]
        else:
            out[col] = [_plain_number(v) for v in series]
    return out


EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "geojson", "gpkg")


def export_catalogue(
    frame: gpd.GeoDataFrame, fmt: str, output: str | os.PathLike[str]
) -> Path | None:
    """Export a catalogue frame as csv, xlsx, geojson or gpkg, written atomically.

    ``output="-"`` writes csv or geojson to standard output (returns None). The CSV has exactly
    :data:`CSV_COLUMNS`, plain decimals with a point, unknown values empty. GeoJSON and GPKG
    carry all columns; GeoJSON is in EPSG:4326 (RFC 7946), GPKG in EPSG:25832.
    """
    if fmt not in EXPORT_FORMATS:
        msg = f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        raise MobilityError(msg)
    to_stdout = str(output) == "-"
    if to_stdout and fmt not in ("csv", "geojson"):
        msg = f"format {fmt} cannot be written to standard output; give --output PATH"
        raise MobilityError(msg)
    if fmt == "csv":
        text = _csv_frame(frame).to_csv(index=False, lineterminator="\n")
        if to_stdout:
            sys.stdout.write(text)
            return None
        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return Path(output)
    if fmt == "geojson":
        text = frame.to_crs(geodata.CRS_MAP).to_json(na="null", drop_id=True)
        if to_stdout:
            sys.stdout.write(text + "\n")
            return None
        with atomic_path(output) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return Path(output)
    if fmt == "gpkg":
        with atomic_path(output) as tmp:
            frame.to_file(tmp, driver="GPKG", layer="initiatives")
        return Path(output)
    # xlsx: the machine-readable table (decision-paper tables are in mobility.outputs.tables)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        frame[list(CSV_COLUMNS)].to_excel(xw, sheet_name="initiatives", index=False)
        from .outputs.spreadsheet import strings_only

        strings_only(xw.sheets["initiatives"])
    with atomic_path(output) as tmp:
        tmp.write_bytes(buf.getvalue())
    return Path(output)
