"""Interactive maps (folium) of the catalogue, scores, accessibility and bundles.

Every map function returns a :class:`folium.Map`, accepts an existing map as ``m`` to stack
layers on it, and never writes a file; :func:`render_html` and :func:`write_map` turn a map into
a page. The pages are self-contained: the Leaflet script and style sheet are inlined from
``mobility/_vendor/leaflet`` and a neutral basemap is drawn from the municipal boundaries, so
every overlay renders without network access. With ``tiles=None`` (the ``--offline`` mode) the
page loads nothing at all from the network; with the default tiles the online background is an
extra that may fail without hiding anything.

Geometries are simplified for display (:data:`SIMPLIFY_TOLERANCE_M`) and rounded to about a
metre, so the catalogue map stays well under a megabyte.

Examples
--------
>>> from mobility.catalogue import read_initiatives
>>> from mobility.outputs.maps import catalogue_map, render_html
>>> m = catalogue_map(read_initiatives(), tiles=None)
>>> html = render_html(m, offline=True)
>>> "leaflet" in html and "cdn.jsdelivr" not in html
True
"""

from __future__ import annotations

import base64
import html as html_lib
import logging
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import folium.features
import folium.map
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.map import CustomPane
from matplotlib import colormaps
from matplotlib.colors import Normalize, to_hex
from shapely.geometry import Point, mapping

from .. import geodata
from .._io import write_text
from ..errors import MobilityError, OutputError
from ..labels import (
    THEMES,
    format_number,
    text,
    theme_label,
)
from ..schema import Initiative
from .index import Entry, section
from .view import InitiativeRow, RunView, as_initiatives, initiative_rows

__all__ = [
    "ATTRIBUTIONS",
    "DEFAULT_TILES",
    "LEAFLET_VERSION",
    "SIMPLIFY_TOLERANCE_M",
    "accessibility_map",
    "bundle_comparison_map",  # noqa: F822  (module __getattr__: .bundle_map)
    "catalogue_map",
    "expected_paths",
    "initiative_popup_html",
    "render",
    "render_html",
    "score_map",
    "write_map",
]

log = logging.getLogger(__name__)

#: Version of the vendored Leaflet (``mobility/_vendor/leaflet``) inlined into every page.
LEAFLET_VERSION = "1.9.4"
#: Online background tiles of the default mode (``None`` = no tiles, the offline mode).
DEFAULT_TILES = "Esri.WorldGrayCanvas"
#: Tolerance (metres, EPSG:25832) for simplifying geometries before drawing them.
SIMPLIFY_TOLERANCE_M = 25.0
#: Coordinate grid (degrees) that drawn coordinates are rounded to (1e-5 deg = about 1 m).
COORD_PRECISION_DEG = 1e-5

#: Attribution lines shown on every map, by data source (see geodata/SOURCES.md).
ATTRIBUTIONS: dict[str, dict[str, str]] = {
    "catalogue": {
        "da": "Indsatser: Indsatskatalog for tværgående mobilitet, KKR Hovedstaden og "
              "Region Hovedstaden",
        "en": "Initiatives: catalogue of cross-municipal mobility initiatives, KKR Hovedstaden "
              "and Region Hovedstaden",
    },
    "dagi": {"da": "Kommunegrænser: indeholder data fra Klimadatastyrelsen (DAGI)",
             "en": "Municipal boundaries: contains data from Klimadatastyrelsen (DAGI)"},
    "dst": {"da": "Befolkning: Kilde: Danmarks Statistik",
            "en": "Population: source: Statistics Denmark (Danmarks Statistik)"},
    "rejseplanen": {"da": "Stationer og stoppesteder: indeholder kollektivtrafikdata fra "
                          "Rejseplanen",
                    "en": "Stations and stops: contains public transport data from "
                          "Rejseplanen"},
    "eurostat": {"da": "Befolkningsgitter: Source: Eurostat, Census 2021 population grid",
                 "en": "Population grid: source: Eurostat, Census 2021 population grid"},
}

_VENDOR = Path(__file__).resolve().parents[1] / "_vendor" / "leaflet"
_LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
_LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"

# panes: basemap below everything, then areas, corridors, points; markers (badges) above
_PANES = {"mob-land": 150, "mob-base": 350, "mob-cells": 380, "mob-areas": 410,
          "mob-lines": 420, "mob-points": 430, "mob-labels": 450}

_LAND = "#f3f1ec"
_LAND_OUTSIDE = "#e8e5de"
_SEA = "#b9d3e6"
#: Attribution of the online tiles (:data:`DEFAULT_TILES`), shown instead of folium's default.
TILE_ATTRIBUTION = ("Tiles &copy; Esri &mdash; Esri, HERE, Garmin, &copy; OpenStreetMap "
                    "contributors, and the GIS user community")
#: Dash pattern of schematic geometries (drawn straight, not the real route).
_SCHEMATIC_DASH = "10 7"

_CSS = f"""
.leaflet-container.folium-map {{ background: {_SEA}; }}
.mob-box {{ background: rgba(255,255,255,0.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.3); font: 12px/1.35 "Helvetica Neue", Arial, sans-serif;
  color: #222; max-width: 320px; }}
.mob-title {{ font-size: 15px; font-weight: bold; max-width: 460px; }}
.mob-title .mob-sub {{ font-size: 11px; font-weight: normal; color: #555; }}
.mob-legend-row {{ display: flex; align-items: center; gap: 6px; margin: 2px 0; }}
.mob-swatch {{ display: inline-block; width: 22px; height: 0; border-top: 4px solid; }}
.mob-swatch-area {{ display: inline-block; width: 18px; height: 12px; border: 2px dashed;
  box-sizing: border-box; }}
.mob-swatch-point {{ display: inline-block; width: 12px; height: 12px; border-radius: 50%;
  border: 2px solid #fff; box-shadow: 0 0 0 1px #555; }}
.mob-gradient {{ height: 12px; width: 220px; border: 1px solid #999; }}
.mob-ticks {{ display: flex; justify-content: space-between; width: 222px; font-size: 11px; }}
.mob-badge-icon {{ background: none; border: none; }}
.mob-badge {{ width: 24px; height: 24px; border-radius: 50%; color: #fff; font: bold 12px/24px
  Arial, sans-serif; text-align: center; border: 2px solid #fff;
  box-shadow: 0 1px 3px rgba(0,0,0,0.5); box-sizing: content-box; }}
.mob-popup {{ font: 12px/1.35 "Helvetica Neue", Arial, sans-serif; }}
.mob-popup h4 {{ margin: 0 0 2px 0; font-size: 14px; }}
.mob-popup .mob-theme {{ color: #555; margin-bottom: 4px; }}
.mob-popup table {{ border-collapse: collapse; margin: 3px 0; }}
.mob-popup td {{ padding: 1px 4px 1px 0; vertical-align: top; }}
.mob-popup td.mob-k {{ color: #555; white-space: nowrap; }}
.mob-stars {{ display: inline-flex; gap: 2px; vertical-align: middle; }}
.mob-star {{ width: 11px; height: 9px; border: 1px solid #555; background: #fff; }}
.mob-star.on {{ background: #333; }}
.mob-star-na {{ width: 63px; height: 9px; border: 1px solid #777; text-align: center;
  font-size: 9px; line-height: 9px;
  background: repeating-linear-gradient(45deg, #fff 0 3px, #bbb 3px 4px); }}
.mob-note {{ color: #555; font-size: 11px; margin-top: 3px; }}
.mob-box.mob-summary-box {{ max-width: none; }}
.mob-box details summary {{ cursor: pointer; font-weight: bold; }}
.leaflet-control-attribution {{ max-width: 44vw; white-space: normal; font-size: 10px; }}
.mob-dual .leaflet-control-attribution {{ max-width: 24vw; }}
.leaflet-control-scale-line {{ background: rgba(255,255,255,0.85); font-size: 11px; }}
.mob-label {{ background: none; border: none; white-space: nowrap; pointer-events: none;
  font: 11px/1.1 "Helvetica Neue", Arial, sans-serif; color: #444;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }}
.mob-label span {{ display: inline-block; transform: translate(-50%, -50%); }}
.mob-label-muni span {{ font-size: 12px; letter-spacing: 0.5px; color: #6b6257;
  text-transform: uppercase; font-size: 10px; }}
.mob-label-station span {{ transform: translate(6px, -50%); color: #222; }}
.mob-label-main span {{ font-weight: bold; }}
html, body {{ overflow: hidden; }}
.leaflet-container .mob-label-station, .leaflet-container .mob-label-main {{ display: none; }}
.leaflet-container.mob-zoom-10 .mob-label-main, .leaflet-container.mob-zoom-12 .mob-label-main,
.leaflet-container.mob-zoom-12 .mob-label-station {{ display: block; }}
.leaflet-container.mob-zoom-low .mob-label-muni {{ display: none; }}
.leaflet-container .mob-label-small {{ display: none; }}
.leaflet-container.mob-zoom-10 .mob-label-small,
.leaflet-container.mob-zoom-12 .mob-label-small {{ display: block; }}
.mob-nm {{ background: none; border: none; }}
.mob-nm span, .mob-nm-key {{ background: #fff; border: 1px solid #b00; color: #b00;
  font: bold 10px/1.2 Arial, sans-serif; padding: 0 3px; border-radius: 3px;
  white-space: nowrap; }}
.mob-nm span {{ position: absolute; left: 14px; top: 14px; transform: translate(-50%, 13px); }}
.mob-dim {{ opacity: 0.12 !important; }}
.mob-search input {{ width: 210px; font-size: 12px; padding: 2px 4px; }}
.mob-search .mob-note {{ margin-top: 2px; }}
.mob-swatch-dash {{ display: inline-block; width: 22px; height: 0; border-top: 4px dashed; }}
.mob-grey {{ color: #888; }}
.mob-summary td, .mob-summary th {{ padding: 1px 5px; text-align: right; }}
.mob-summary td:first-child {{ white-space: nowrap; }}
.mob-summary th:first-child, .mob-summary td:first-child {{ text-align: left; }}
"""


from .map_parts import (  # noqa: E402  (the elements maps are built of)
    _Attribution,
    _GeoJsonLayer,
    _HtmlControl,
    _Labels,
    _Literal,
    _no_template_evaluation,
    _Scale,
    _Search,
    _ZoomClasses,
)
from .popups import initiative_popup_html  # noqa: E402  (re-exported)

# --------------------------------------------------------------------------------------------
# Geometry and GeoJSON helpers


def _display_geoms(geoms: Iterable[Any], tolerance_m: float,
                   precision_deg: float = COORD_PRECISION_DEG) -> list[Any]:
    """Simplify EPSG:25832 geometries, reproject to EPSG:4326 and round the coordinates."""
    series = gpd.GeoSeries(list(geoms), crs=geodata.CRS)
    if tolerance_m > 0:
        series = series.simplify(tolerance_m, preserve_topology=True)
    series = series.to_crs(geodata.CRS_MAP)
    return list(shapely.set_precision(series.to_numpy(), precision_deg, mode="pointwise"))


def _feature(geom: Any, props: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": mapping(geom), "properties": dict(props)}


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _path_count(geom: Any) -> int:
    """How many SVG paths Leaflet draws for a geometry (one per point of a multipoint)."""
    if geom is None or geom.is_empty:
        return 0
    if geom.geom_type == "MultiPoint":
        return len(geom.geoms)
    if geom.geom_type == "GeometryCollection":
        return sum(_path_count(g) for g in geom.geoms)
    return 1


def _esc(value: Any) -> str:
    return html_lib.escape(str(value), quote=True)


# --------------------------------------------------------------------------------------------
# The map frame: panes, basemap, attribution, CSS


@lru_cache(maxsize=4)
def _municipality_display(tolerance_m: float) -> tuple[tuple[str, int, Any], ...]:
    munis = geodata.load_municipalities()
    geoms = _display_geoms(munis.geometry, tolerance_m)
    return tuple(
        (str(n), int(c), g) for n, c, g in zip(munis["name"], munis["code"], geoms, strict=True)
    )


@lru_cache(maxsize=1)
def _outside_display() -> tuple[tuple[str, int, Any], ...]:
    """The Danish municipalities outside the study area (already simplified when shipped)."""
    munis = geodata.load_basemap_municipalities()
    munis = munis[~munis["in_study_area"]]
    geoms = _display_geoms(munis.geometry, 0, 1e-4)
    return tuple(
        (str(n), int(c), g) for n, c, g in zip(munis["name"], munis["code"], geoms, strict=True)
    )


def _fingerplan_bounds() -> list[list[float]]:
    munis = geodata.load_municipalities()
    fp = munis[munis["fingerplan"]].to_crs(geodata.CRS_MAP)
    w, s, e, n = fp.total_bounds
    return [[float(s), float(w)], [float(n), float(e)]]


def _has_child(m: folium.Map, name: str) -> bool:
    return name in m._children


def _new_map(tiles: str | None, **frame: Any) -> folium.Map:
    (s, w), (n, e) = _fingerplan_bounds()
    m = folium.Map(
        location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None, control_scale=False,
        zoom_snap=0.25, font_size="0.75rem", **frame,
    )
    # Only Leaflet itself: no jQuery, Bootstrap or icon fonts from CDNs (nothing here uses them)
    m.default_js = [("leaflet", _LEAFLET_JS_URL)]
    m.default_css = [("leaflet_css", _LEAFLET_CSS_URL)]
    if tiles:
        attr = TILE_ATTRIBUTION if tiles == DEFAULT_TILES else None
        folium.TileLayer(tiles, name="Baggrundskort / background", control=False,
                         attr=attr).add_to(m)
    m.add_child(_Scale(), name="mobility_scale")
    m.add_child(_ZoomClasses(), name="mobility_zoom_classes")
    m.fit_bounds([[s, w], [n, e]])
    return m


def _prepare(m: folium.Map | None, *, tiles: str | None, lang: str,
             sources: Sequence[str]) -> folium.Map:
    """Return ``m`` (or a new map) with CSS, panes, the basemap, place labels and attributions.

    The land of every Danish municipality is filled in a pane below the online tiles, so it
    shows when there are none (offline) or they fail to load; the sea is the map background.
    """
    if m is None:
        m = _new_map(tiles)
    header = m.get_root().header
    if "mobility_css" not in header._children:
        header.add_child(_Literal(f"<style>{_CSS}</style>"), name="mobility_css")
    for pane, z in _PANES.items():
        key = f"mobility_pane_{pane}"
        if not _has_child(m, key):
            m.add_child(CustomPane(pane, z_index=z, pointer_events=pane != "mob-land"),
                        name=key)
    if not _has_child(m, "mobility_land"):
        m.add_child(_land_layer(), name="mobility_land")
    if not _has_child(m, "mobility_basemap"):
        m.add_child(_basemap_layer(lang), name="mobility_basemap")
    if not _has_child(m, "mobility_labels"):
        m.add_child(_labels_layer(lang), name="mobility_labels")
    for source in ("dagi", *sources):
        key = f"mobility_attr_{source}"
        if not _has_child(m, key):
            m.add_child(_Attribution([ATTRIBUTIONS[source][lang]]), name=key)
    return m


def _land_layer() -> _GeoJsonLayer:
    """Land fill of all Danish municipalities (below the tiles: shows when tiles are absent)."""
    features = []
    for _, _, geom in _municipality_display(SIMPLIFY_TOLERANCE_M * 2):
        features.append(_feature(geom, {"_style": {
            "stroke": False, "fillColor": _LAND, "fillOpacity": 1.0, "interactive": False,
            "className": "mob-land"}}))
    for _, _, geom in _outside_display():
        features.append(_feature(geom, {"_style": {
            "stroke": False, "fillColor": _LAND_OUTSIDE, "fillOpacity": 1.0,
            "interactive": False, "className": "mob-land"}}))
    return _GeoJsonLayer(_collection(features), name="land", pane="mob-land", control=False)


def _basemap_layer(lang: str) -> _GeoJsonLayer:
    features = []
    for name, code, geom in _municipality_display(SIMPLIFY_TOLERANCE_M * 2):
        style = {
            "color": "#9a9a9a", "weight": 0.8, "opacity": 1.0,
            "fillColor": _LAND, "fillOpacity": 0.0,
            "className": "mob-muni", "interactive": True,
        }
        features.append(_feature(geom, {"name": name, "code": code, "_style": style,
                                        "_tooltip": f"{_esc(name)} ({code})"}))
    for name, code, geom in _outside_display():
        style = {"color": "#b5b0a6", "weight": 0.6, "opacity": 1.0, "fill": False,
                 "interactive": False, "className": "mob-muni-out"}
        features.append(_feature(geom, {"name": name, "code": code, "_style": style}))
    return _GeoJsonLayer(_collection(features), name=text("municipalities", lang),
                         pane="mob-base")


#: Stations labelled from zoom 10 (the others from zoom 11.5): regional/long-distance trains
#: call there, or three or more lines do.
def _is_main_station(modes: Any, lines: Any) -> bool:
    modes_s, lines_s = str(modes or ""), str(lines or "")
    return "regional" in modes_s or len([x for x in lines_s.split(";") if x]) >= 3


#: Municipalities smaller than this (m², about 30 km²) are labelled from zoom 10.
_SMALL_MUNICIPALITY_M2 = 30e6


def _label_rows(lang: str) -> tuple[tuple[float, float, str, str], ...]:
    munis = geodata.load_municipalities()
    points = _display_geoms([g.representative_point() for g in munis.geometry], 0, 1e-4)
    # small municipalities (central Copenhagen) are labelled from zoom 10, so names don't collide
    rows = [(round(pt.y, 4), round(pt.x, 4), str(n),
             "mob-label-muni" if g.area >= _SMALL_MUNICIPALITY_M2 else
             "mob-label-muni mob-label-small")
            for n, pt, g in zip(munis["name"], points, munis.geometry, strict=True)]
    stations = geodata.load_stations()
    stations = stations[stations["in_study_area"].fillna(False).astype(bool)]
    spts = _display_geoms(stations.geometry, 0, 1e-4)
    seen: set[str] = set()
    for (_, st), pt in zip(stations.iterrows(), spts, strict=True):
        name = str(st["name"])
        if name in seen:
            continue
        seen.add(name)
        cls = ("mob-label-main" if _is_main_station(st.get("modes"), st.get("lines"))
               else "mob-label-station")
        rows.append((round(pt.y, 4), round(pt.x, 4), name, cls))
    return tuple(rows)


def _labels_layer(lang: str) -> _Labels:
    """Municipality names, main stations from zoom 10 and every station from zoom 11.5."""
    return _Labels(_label_rows(lang), name="Stednavne" if lang == "da" else "Place names")


def _finish(m: folium.Map, *, title: str, subtitle: str = "", legend_html: str = "",
            lang: str = "da", search: bool = True) -> None:
    if title and not _has_child(m, "mobility_title"):
        sub = f'<div class="mob-sub">{subtitle}</div>' if subtitle else ""
        m.add_child(_HtmlControl(f"{_esc(title)}{sub}", "topleft", "mob-title"),
                    name="mobility_title")
    if search and not _has_child(m, "mobility_search"):
        m.add_child(_Search(lang), name="mobility_search")
    if legend_html:
        n = sum(1 for k in m._children if k.startswith("mobility_legend"))
        m.add_child(_HtmlControl(legend_html, "bottomright", "mob-legend"),
                    name=f"mobility_legend_{n}")
    # one layer control, rendered last (it collects the layers present at render time)
    m._children.pop("mobility_layers", None)
    m.add_child(folium.LayerControl(collapsed=False, position="topright"),
                name="mobility_layers")


# --------------------------------------------------------------------------------------------
# Initiative layers


def _geom_kind(geom: Any) -> str:
    if geom.geom_type in ("Point", "MultiPoint"):
        return "point"
    if geom.geom_type in ("LineString", "MultiLineString"):
        return "line"
    return "area"


def _badge_positions(items: Sequence[Initiative]) -> dict[int, Point]:
    """Where to put the numbered badge of each area initiative (EPSG:25832).

    Initiatives with the same area share its representative point; their badges are spread
    west to east 9 km apart so that each stays clickable.
    """
    groups: dict[bytes, list[Initiative]] = {}
    for init in items:
        groups.setdefault(shapely.to_wkb(shapely.normalize(init.geom)), []).append(init)
    out: dict[int, Point] = {}
    for members in groups.values():
        anchor = members[0].geom.representative_point()
        n = len(members)
        for k, init in enumerate(sorted(members, key=lambda i: i.id)):
            out[init.id] = Point(anchor.x + (k - (n - 1) / 2) * 9000.0, anchor.y)
    return out


def _initiative_features(
    inits: Sequence[Initiative],
    *,
    colour: Mapping[int, str],
    lang: str,
    popup_extra: Mapping[int, Sequence[tuple[str, str]]] | None = None,
    tooltip_extra: Mapping[int, str] | None = None,
    class_name: str = "mob-initiative",
    not_modelled: Mapping[int, str] | None = None,
    rows: Mapping[int, InitiativeRow] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """GeoJSON features of initiatives split by pane (areas, lines, points, badges).

    Schematic geometries (``Initiative.schematic``) are drawn dashed and say "skematisk" in
    tooltip and popup. Initiatives in ``not_modelled`` (id -> reason) get an "ikke modelleret"
    tag on the map (class ``mob-not-modelled``) and the reason in the popup.
    """
    not_modelled = not_modelled or {}
    out: dict[str, list[dict[str, Any]]] = {"mob-areas": [], "mob-lines": [], "mob-points": [],
                                           "badges": []}
    drawable = [i for i in inits if i.geom is not None and not i.geom.is_empty]
    for init in inits:
        if init not in drawable:
            log.warning("initiative %s has no geometry; not drawn", init.id)
    if not drawable:
        return out
    geoms = _display_geoms([i.geom for i in drawable], SIMPLIFY_TOLERANCE_M)
    areas = [i for i in drawable if _geom_kind(i.geom) == "area"]
    badges = _badge_positions(areas)
    badge_geoms = dict(zip(badges, _display_geoms(badges.values(), 0), strict=True))
    for init, geom in zip(drawable, geoms, strict=True):
        name = init.name_en if lang == "en" else init.name
        tip = f"{init.id}. {_esc(name)}"
        if tooltip_extra and init.id in tooltip_extra:
            tip += f"<br>{tooltip_extra[init.id]}"
        schematic = bool(getattr(init, "schematic", False))
        extra_rows = list((popup_extra or {}).get(init.id, ()))
        if schematic:
            tip += f' <i>({_esc(text("schematic", lang))})</i>'
            extra_rows.append((text("geometry", lang), _esc(text("schematic_note", lang))))
        if init.id in not_modelled:
            tip += f'<br><b style="color:#b00">{_esc(text("not_modelled", lang))}</b>'
            extra_rows.insert(0, (f'<b style="color:#b00">{_esc(text("network_model", lang))}'
                                  f"</b>", f'<b style="color:#b00">'
                                  f'{_esc(text("not_modelled", lang))}</b>: '
                                  f"{_esc(not_modelled[init.id])}"))
        row = (rows or {}).get(init.id)
        popup = initiative_popup_html(init, lang, extra=extra_rows,
                                      facts=row.facts if row is not None and row.facts else None)
        col = colour[init.id]
        kind = _geom_kind(init.geom)
        props = {"id": init.id, "name": name, "theme": init.theme}
        if init.id in not_modelled:
            anchor = badge_geoms[init.id] if init.id in badge_geoms else geom.representative_point()
            tag = f"<span>{_esc(text('not_modelled', lang))}</span>"
            out["badges"].append(_feature(anchor, {
                "_style": {"className": "mob-not-modelled mob-nm"}, "_badge": tag,
                "_tooltip": _esc(not_modelled[init.id])}))
        if kind == "area":
            style = {"color": col, "weight": 2.5, "opacity": 0.9, "dashArray": "6 5",
                     "fill": False, "interactive": False,
                     "className": f"{class_name} mob-area"}
            out["mob-areas"].append(_feature(geom, {**props, "_style": style}))
            badge = (f'<div class="mob-badge" style="background:{col}">{init.id}</div>')
            out["badges"].append(_feature(badge_geoms[init.id], {
                **props, "_style": {"className": f"{class_name}-badge"}, "_badge": badge,
                "_tooltip": tip, "_popup": popup}))
        elif kind == "line":
            style = {"color": col, "weight": 5, "opacity": 0.9, "lineCap": "round",
                     "className": f"{class_name} mob-line"}
            if schematic:
                style.update(dashArray=_SCHEMATIC_DASH, lineCap="butt", weight=4,
                             className=f"{class_name} mob-line mob-schematic")
            out["mob-lines"].append(_feature(geom, {**props, "_style": style,
                                                    "_tooltip": tip, "_popup": popup}))
        else:
            style = {"radius": 8, "color": "#ffffff", "weight": 2, "opacity": 1,
                     "fillColor": col, "fillOpacity": 1, "className": f"{class_name} mob-point"}
            out["mob-points"].append(_feature(geom, {**props, "_style": style,
                                                     "_tooltip": tip, "_popup": popup}))
    return out


def _add_initiative_layer(m: folium.Map, features: Mapping[str, list[dict[str, Any]]],
                          name: str, *, show: bool = True) -> None:
    """Add one switchable group holding the initiative features of all panes."""
    group = folium.FeatureGroup(name=name, overlay=True, control=True, show=show)
    for pane in ("mob-areas", "mob-lines", "mob-points"):
        if features[pane]:
            layer = _GeoJsonLayer(_collection(features[pane]), name=name, pane=pane,
                                  control=False)
            group.add_child(layer)
    if features["badges"]:
        group.add_child(_GeoJsonLayer(_collection(features["badges"]), name=name,
                                      pane="markerPane", control=False))
    m.add_child(group)


def _stations_layer(lang: str, *, show: bool = True) -> _GeoJsonLayer:
    stations = geodata.load_stations()
    stations = stations[stations["in_study_area"].fillna(False).astype(bool)]
    geoms = _display_geoms(stations.geometry, 0)
    style = {"radius": 2.5, "color": "#333333", "weight": 1, "fillColor": "#ffffff",
             "fillOpacity": 1, "className": "mob-station"}
    features = [
        _feature(g, {"name": str(n), "_style": style, "_tooltip": _esc(n)})
        for n, g in zip(stations["name"], geoms, strict=True)
    ]
    return _GeoJsonLayer(_collection(features), name=text("stations", lang), pane="mob-points",
                         show=show)


#: Line width and colour of the model's road classes on the maps.
_ROAD_STYLE: dict[str, tuple[float, str]] = {
    "motorway": (3.0, "#8c6d1f"), "expressway": (2.5, "#a6842b"),
    "main_road": (1.8, "#b89a54"), "local": (1.2, "#c9b68a"),
}


_ROAD_CLASS_LABEL: dict[str, tuple[str, str]] = {
    "motorway": ("motorvej", "motorway"), "expressway": ("motortrafikvej", "expressway"),
    "main_road": ("hovedvej", "main road"), "local": ("lokalvej", "local road"),
}


def _roads_layer(lang: str, *, show: bool = False) -> _GeoJsonLayer:
    """The road network of the model (``geodata/roads.yaml``; straight, schematic links) with
    class, lanes, speed and capacity in the tooltip; hidden until switched on."""
    from ..network.roads import road_links_frame

    roads = road_links_frame().to_crs(4326)
    feats = []
    for row in roads.itertuples():
        width, colour = _ROAD_STYLE.get(str(row.road_class), (1.2, "#c9b68a"))
        da = lang == "da"
        cls = _ROAD_CLASS_LABEL.get(str(row.road_class), (str(row.road_class),) * 2)[0 if da else 1]
        tip = (f"{_esc(row.name or f'{row.a} – {row.b}')}<br>{_esc(cls)}: "
               f"{format_number(row.lanes, 0, lang)} {'spor' if da else 'lanes'}, "
               f"{format_number(row.speed_kmh, 0, lang)} {'km/t' if da else 'km/h'}, "
               f"{format_number(row.capacity_vph, 0, lang)} "
               f"{'køretøjer/t' if da else 'vehicles/h'}")
        feats.append(_feature(row.geometry, {
            "_style": {"color": colour, "weight": width, "opacity": 0.85, "dashArray": "6 4",
                       "className": "mob-road"},
            "_tooltip": tip}))
    return _GeoJsonLayer(_collection(feats), name=text("road_network", lang), pane="mob-lines",
                         show=show)


def _theme_legend(themes: Iterable[str], lang: str, *, with_kinds: bool = True,
                  schematic: bool = False) -> str:
    rows = [f"<b>{text('theme', lang)}</b>"]
    for key in themes:
        col = THEMES[key]["color"]
        rows.append(f'<div class="mob-legend-row"><span class="mob-swatch" '
                    f'style="border-color:{col}"></span>{_esc(theme_label(key, lang))}</div>')
    if with_kinds:
        rows += _kind_legend_rows(lang, schematic=schematic)
    return "".join(rows)


def _kind_legend_rows(lang: str, colour: str = "#555", *, schematic: bool = False,
                      not_modelled: bool = False) -> list[str]:
    extra = []
    if schematic:
        extra.append(f'<div class="mob-legend-row"><span class="mob-swatch-dash" '
                     f'style="border-color:{colour}"></span>'
                     f'{_esc(text("schematic_note", lang))}</div>')
    if not_modelled:
        extra.append(f'<div class="mob-legend-row"><span class="mob-nm-key">'
                     f'{_esc(text("not_modelled", lang))}</span>'
                     f'{_esc(text("not_modelled_legend", lang))}</div>')
    return [
        *extra,
        f'<div class="mob-legend-row" style="margin-top:5px"><span class="mob-swatch" '
        f'style="border-color:{colour}"></span>{text("line_initiative", lang)}</div>',
        f'<div class="mob-legend-row"><span class="mob-swatch-point" '
        f'style="background:{colour}"></span>{text("point_initiative", lang)}</div>',
        f'<div class="mob-legend-row"><span class="mob-swatch-area" '
        f'style="border-color:{colour}"></span>{text("area_initiative", lang)}</div>',
    ]


def _check_tiles(tiles: str | None) -> str | None:
    return tiles or None


# --------------------------------------------------------------------------------------------
# Public map functions


def catalogue_map(
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    m: folium.Map | None = None,
    lang: str = "da",
    tiles: str | None = DEFAULT_TILES,
    stations: bool = True,
) -> folium.Map:
    """Map every initiative by its geometry, coloured by theme, one layer per theme.

    Parameters
    ----------
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue (:func:`mobility.catalogue.read_initiatives`).
    m : folium.Map, optional
        A map to add the layers to; default a new map.
    lang : {"da", "en"}
        Language of labels, tooltips and popups.
    tiles : str or None
        Online background tiles (a folium tile name); ``None`` for none (offline mode). The
        municipal basemap is drawn either way.
    stations : bool
        Add the rail, metro and light-rail stations as a context layer.

    Returns
    -------
    folium.Map
        The map (``m`` itself when given).
    """
    inits = as_initiatives(initiatives)
    m = _prepare(m, tiles=_check_tiles(tiles), lang=lang,
                 sources=("catalogue", "rejseplanen") if stations else ("catalogue",))
    if stations and not _has_child(m, "mobility_stations"):
        m.add_child(_stations_layer(lang), name="mobility_stations")
    if not _has_child(m, "mobility_roads"):
        m.add_child(_roads_layer(lang), name="mobility_roads")
    colour = {i: THEMES[init.theme]["color"] for i, init in inits.items()}
    themes = [t for t in THEMES if any(i.theme == t for i in inits.values())]
    for theme in themes:
        members = [i for i in inits.values() if i.theme == theme]
        feats = _initiative_features(members, colour=colour, lang=lang)
        _add_initiative_layer(m, feats, f"{theme_label(theme, lang)} ({len(members)})")
    _finish(m, title=text("catalogue_map", lang), lang=lang,
            subtitle=f"{len(inits)} {text('initiatives', lang).lower()}",
            legend_html=_theme_legend(themes, lang, schematic=any(
                i.schematic for i in inits.values()))
            + (f'<div class="mob-legend-row"><span class="mob-swatch-point" style="width:6px;'
               f'height:6px;background:#fff"></span>{_esc(text("stations", lang))}</div>'
               if stations else "")
            + (f'<div class="mob-legend-row"><span class="mob-swatch-dash" '
               f'style="border-color:{_ROAD_STYLE["motorway"][1]}"></span>'
               f'{_esc(text("road_network", lang))}</div>'))
    return m


def _colour_scale(values: pd.Series, cmap: str, *, vmin: float | None = None,
                  vmax: float | None = None) -> tuple[dict[Any, str], float, float]:
    finite = values.dropna().astype(float)
    lo = float(finite.min()) if vmin is None and len(finite) else (vmin or 0.0)
    hi = float(finite.max()) if vmax is None and len(finite) else (vmax or 1.0)
    if hi <= lo:
        hi = lo + 1.0
    norm = Normalize(lo, hi, clip=True)
    cm = colormaps[cmap]
    out = {k: to_hex(cm(norm(float(v)))) for k, v in finite.items()}
    return out, lo, hi


def _gradient_legend(title: str, cmap: str, lo: float, hi: float, lang: str, *,
                     decimals: int = 1, extra: str = "") -> str:
    cm = colormaps[cmap]
    stops = ", ".join(f"{to_hex(cm(x))} {x * 100:.0f}%" for x in np.linspace(0, 1, 7))
    ticks = "".join(
        f"<span>{format_number(v, decimals, lang)}</span>" for v in np.linspace(lo, hi, 5)
    )
    return (f"<b>{_esc(title)}</b>"
            f'<div class="mob-gradient" style="background: linear-gradient(to right, {stops})">'
            f'</div><div class="mob-ticks">{ticks}</div>{extra}')


def score_map(
    scores: pd.DataFrame | None = None,
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    weights: Any = "equal",
    m: folium.Map | None = None,
    lang: str = "da",
    tiles: str | None = DEFAULT_TILES,
    weights_label: str | None = None,
    rows: Mapping[int, InitiativeRow] | None = None,
) -> folium.Map:
    """Map the initiatives coloured by their score under chosen weights.

    Parameters
    ----------
    scores : pandas.DataFrame, optional
        Indexed by initiative id, with at least ``score`` (and optionally ``rank``,
        ``coverage``, ``score_per_bn_dkk``), as returned by
        :func:`mobility.appraisal.score_initiatives`. Default: computed with ``weights``.
    initiatives : mapping or iterable of Initiative, optional
        Default: the shipped catalogue.
    weights : str or mapping
        Weights passed to ``score_initiatives`` when ``scores`` is not given.
    m, lang, tiles
        As for :func:`catalogue_map`.
    weights_label : str, optional
        Shown under the title (default: ``weights`` when it is a preset name).
    rows : mapping of id to InitiativeRow, optional
        The run's prepared rows (:attr:`RunView.rows`) with rank, score and coverage; default
        prepared here from ``scores``.

    Returns
    -------
    folium.Map
    """
    inits = as_initiatives(initiatives)
    if scores is None:
        from ..appraisal import score_initiatives

        scores = score_initiatives(list(inits.values()), weights=weights)
    if "score" not in scores.columns:
        msg = "scores need a 'score' column (see mobility.appraisal.score_initiatives)"
        raise MobilityError(msg)
    m = _prepare(m, tiles=_check_tiles(tiles), lang=lang, sources=("catalogue",))
    score = pd.to_numeric(scores["score"], errors="coerce")
    cmap = "viridis_r"
    if rows is None:
        rows = initiative_rows(inits, lang=lang, scores=scores)
    low = {i for i in inits if rows[i].low_coverage}
    # low-coverage items are never painted as the best: grey, and outside the colour range
    colours, lo, hi = _colour_scale(score.drop(index=[i for i in low if i in score.index]),
                                    cmap)
    no_score, low_colour = "#bbbbbb", "#8c8c8c"
    colour = {i: (low_colour if i in low else colours.get(i, no_score)) for i in inits}
    popup_extra: dict[int, list[tuple[str, str]]] = {}
    tips: dict[int, str] = {}
    for ident in inits:
        r = rows[ident]
        extra: list[tuple[str, str]] = []
        if r.score is not None:
            if r.rank is not None:
                extra.append((text("rank", lang), f"<b>{r.rank}</b>"))
            extra.append((text("score", lang), f"<b>{r.score_text}</b>"))
            per_bn = scores.loc[ident].get("score_per_bn_dkk")
            if per_bn is not None and pd.notna(per_bn):
                extra.append((text("score_per_bn_dkk", lang), format_number(per_bn, 2, lang)))
            if r.coverage is not None:
                extra.append((text("coverage", lang), _esc(r.coverage_text)))
            tips[ident] = f"{text('score', lang)} {r.score_text}"
            if r.low_coverage:
                low_text = _esc(text("low_coverage", lang))
                extra.append((text("coverage", lang), f'<span class="mob-grey">{low_text}</span>'))
                tips[ident] += f' <span class="mob-grey">({low_text})</span>'

        else:
            extra.append((text("score", lang), text("no_score", lang)))
        popup_extra[ident] = extra
    ordered = sorted(inits.values(), key=lambda i: score.get(i.id, -math.inf)
                     if pd.notna(score.get(i.id, np.nan)) else -math.inf)
    not_modelled = {i: r.not_modelled_reason for i, r in rows.items() if r.modelled is False}
    feats = _initiative_features(ordered, colour=colour, lang=lang, popup_extra=popup_extra,
                                 tooltip_extra=tips, not_modelled=not_modelled, rows=rows)
    _add_initiative_layer(m, feats, f"{text('initiatives', lang)} ({len(inits)})")
    label = weights_label if weights_label is not None else (
        weights if isinstance(weights, str) else "")
    subtitle = f"{text('weights', lang)}: {_esc(label)}" if label else ""
    extra = (f'<div class="mob-legend-row"><span class="mob-swatch" '
             f'style="border-color:{no_score}"></span>{text("no_score", lang)}</div>')
    if low:
        extra += (f'<div class="mob-legend-row"><span class="mob-swatch" '
                  f'style="border-color:{low_colour}"></span>'
                  f'{_esc(text("low_coverage", lang))}</div>')
    extra += "".join(_kind_legend_rows(lang, schematic=any(i.schematic for i in inits.values()),
                                       not_modelled=bool(not_modelled)))
    _finish(m, title=text("score_map", lang), subtitle=subtitle, lang=lang,
            legend_html=_gradient_legend(text("score_legend", lang), cmap, lo, hi, lang,
                                         decimals=2, extra=extra))
    return m


def _zone_frame(zones: pd.DataFrame) -> gpd.GeoDataFrame:
    """Zones with cell geometry (joined from the population grid when they have none)."""
    if isinstance(zones, gpd.GeoDataFrame) and zones.geometry.notna().any():
        return zones.to_crs(geodata.CRS) if zones.crs is not None else zones.set_crs(geodata.CRS)
    frame = zones.reset_index() if "cell_id" not in zones.columns else zones.reset_index(
        drop=True)
    if "cell_id" not in frame.columns:
        msg = "accessibility zones need a 'cell_id' column or a geometry"
        raise MobilityError(msg)
    grid = geodata.load_population_grid()[["cell_id", "geometry"]]
    merged = grid.merge(frame.drop(columns=["geometry"], errors="ignore"), on="cell_id",
                        how="inner")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=geodata.CRS)


def _nice(x: float) -> float:
    """The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at least ``x``."""
    if not math.isfinite(x) or x <= 0:
        return 1.0
    k = math.floor(math.log10(x))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * 10**k >= x * (1 - 1e-9):
            return float(step * 10**k)
    return float(10 ** (k + 1))


def shared_span(results: Iterable[Any], value: str = "mean_time_change_min",
                quantile: float = 98.0) -> float:
    """One symmetric colour range for the accessibility maps of several results.

    The ``quantile`` (percent) of ``|value|`` over the cells that change, pooled across all
    results, rounded up to a readable number (:func:`_nice`): maps of different bundles drawn
    with it share one scale, and a few extreme cells do not wash out the rest.
    """
    pooled = []
    for r in results:
        zones = getattr(r, "zones", None)
        if zones is None or value not in zones.columns:
            continue
        v = pd.to_numeric(zones[value], errors="coerce").abs().to_numpy(dtype=float)
        pooled.append(v[np.isfinite(v) & (v > 1e-9)])
    allv = np.concatenate(pooled) if pooled else np.array([])
    if not len(allv):
        return 1.0
    return _nice(float(np.percentile(allv, quantile)))


def accessibility_map(
    result: Any,
    initiatives: Mapping[int, Initiative] | Iterable[Initiative] | None = None,
    *,
    value: str = "mean_time_change_min",
    m: folium.Map | None = None,
    lang: str = "da",
    tiles: str | None = DEFAULT_TILES,
    title: str | None = None,
    show_cells: bool = True,
    span: float | None = None,
    not_modelled: Mapping[int, str] | None = None,
) -> folium.Map:
    """Map the change in travel time or accessibility of a scenario or bundle.

    Parameters
    ----------
    result : object
        A scenario result with ``zones`` (per populated 1 km cell: ``cell_id``, ``population``,
        ``accessibility_change_pct``, ``mean_time_change_min``; geometry optional) and
        ``municipalities`` (indexed by code: ``name``, ``population``,
        ``accessibility_change_pct``, ``person_minutes_saved_per_day``), as returned by
        :func:`mobility.network.evaluate_scenario`.
    initiatives : mapping or iterable of Initiative, optional
        The scenario's initiatives, drawn on top (default: none).
    value : {"mean_time_change_min", "accessibility_change_pct"}
        What the cells and municipalities are coloured by.
    m, lang, tiles
        As for :func:`catalogue_map`.
    title : str, optional
        Map title (default: "Accessibility").
    show_cells : bool
        Show the grid-cell layer on opening (the municipal layer is shown otherwise).
    span : float, optional
        The colour scale runs from ``-span`` to ``+span``. Give the same span to the maps of
        several bundles to compare them (:func:`shared_span`); default: this result's own
        :func:`shared_span`.
    not_modelled : mapping of id to reason, optional
        Initiatives the network model does not represent (tagged "ikke modelleret").

    Returns
    -------
    folium.Map
    """
    if value not in ("mean_time_change_min", "accessibility_change_pct"):
        msg = f"unknown value {value!r}; choose mean_time_change_min or accessibility_change_pct"
        raise MobilityError(msg)
    zones = _zone_frame(result.zones)
    munis_result = result.municipalities
    m = _prepare(m, tiles=_check_tiles(tiles), lang=lang,
                 sources=("catalogue", "eurostat", "dst"))
    # travel time: negative = faster = good (blue); accessibility: positive = good (blue)
    cmap = "RdBu_r" if value == "mean_time_change_min" else "RdBu"
    vals = pd.to_numeric(zones[value], errors="coerce") if value in zones.columns else pd.Series(
        np.nan, index=zones.index)
    if span is None:
        span = shared_span([result], value)
    decimals = 1 if span >= 1 else (2 if span >= 0.1 else 3)
    colours, lo, hi = _colour_scale(vals, cmap, vmin=-span, vmax=span)
    unit = " min." if value == "mean_time_change_min" else " %"
    if lang == "en" and value == "mean_time_change_min":
        unit = " min"
    keep = zones[vals.notna()]
    geoms = _display_geoms(keep.geometry, 0, 1e-4)  # 1 km cells: 10 m is plenty
    cell_feats = []
    for (idx, row), geom in zip(keep.iterrows(), geoms, strict=True):
        v = float(vals[idx])
        tip = (f"{format_number(v, decimals + 1, lang)}{unit}, "
               f"{format_number(row.get('population'), 0, lang)} "
               f"{text('population', lang).lower()}")
        style = {"color": colours[idx], "weight": 0, "fillColor": colours[idx],
                 "fillOpacity": 0.75, "className": "mob-cell"}
        cell_feats.append(_feature(geom, {"_style": style, "_tooltip": tip}))
    m.add_child(_GeoJsonLayer(_collection(cell_feats), name=text("grid_cells", lang),
                              pane="mob-cells", show=show_cells))
    # municipalities
    munis = geodata.load_municipalities().set_index("code")
    mvals = pd.to_numeric(munis_result[value], errors="coerce") if value in getattr(
        munis_result, "columns", []) else pd.Series(dtype=float)
    mcolours, _, _ = _colour_scale(mvals, cmap, vmin=-span, vmax=span)
    muni_feats = []
    disp = dict(zip(munis.index, _display_geoms(munis.geometry, SIMPLIFY_TOLERANCE_M * 2),
                    strict=True))
    for code, v in mvals.dropna().items():
        code_int = int(code)
        if code_int not in disp:
            continue
        row = munis_result.loc[code]
        lines = [f"<b>{_esc(row.get('name', munis.loc[code_int, 'name']))}</b>",
                 f"{text(value, lang)}: {format_number(v, decimals + 1, lang)}"]
        if "person_minutes_saved_per_day" in munis_result.columns:
            lines.append(f"{text('person_minutes', lang)}: "
                         f"{format_number(row['person_minutes_saved_per_day'], 0, lang)}")
        style = {"color": "#444", "weight": 1.2, "fillColor": mcolours[code],
                 "fillOpacity": 0.7, "className": "mob-muni-value"}
        muni_feats.append(_feature(disp[code_int], {"_style": style,
                                                    "_tooltip": "<br>".join(lines)}))
    m.add_child(_GeoJsonLayer(_collection(muni_feats), name=text("municipalities", lang)
                              + f": {text(value, lang)}", pane="mob-cells",
                              show=not show_cells))
    if initiatives is not None:
        inits = as_initiatives(initiatives)
        colour = {i: "#222222" for i in inits}
        if not_modelled is None:
            excluded = getattr(result, "excluded", None) or {}
            not_modelled = {int(i): str(r) for i, r in excluded.items() if int(i) in inits}
        feats = _initiative_features(list(inits.values()), colour=colour, lang=lang,
                                     not_modelled=not_modelled)
        _add_initiative_layer(m, feats, f"{text('initiatives', lang)} ({len(inits)})")
        kinds = _kind_legend_rows(lang, "#222", schematic=any(
            i.schematic for i in inits.values()), not_modelled=bool(not_modelled))
    else:
        kinds = []
    legend_title = text("mean_time_change_legend" if value == "mean_time_change_min"
                        else "accessibility_change_legend", lang)
    note = (f'<div class="mob-note">{_esc(text("shared_scale", lang))}: '
            f"±{format_number(span, decimals, lang)}</div>")
    legend = _gradient_legend(legend_title, cmap, lo, hi, lang, decimals=decimals,
                              extra=note + "".join(kinds))
    saved = getattr(result, "person_minutes_saved_per_day", None)
    subtitle = ""
    if saved is not None:
        subtitle = f"{text('person_minutes', lang)}: {format_number(saved, 0, lang)}"
    _finish(m, title=title or text("accessibility_map", lang), subtitle=subtitle,
            legend_html=legend, lang=lang, search=initiatives is not None)
    return m


# --------------------------------------------------------------------------------------------
# Rendering and writing


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str]:
    try:
        js = (_VENDOR / "leaflet.js").read_text(encoding="utf-8")
        css = (_VENDOR / "leaflet.css").read_text(encoding="utf-8")
    except OSError as err:
        msg = f"vendored Leaflet is missing ({_VENDOR}): {err}"
        raise OutputError(msg) from err

    def data_uri(match: re.Match[str]) -> str:
        path = _VENDOR / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    return js, css


_ID_RE = re.compile(r"\b([a-z][a-z_]*?)_([0-9a-f]{32})(?![0-9a-f])")
_REMOTE_RE = re.compile(
    r"""<(?:script[^>]*\bsrc|link[^>]*\bhref|img[^>]*\bsrc)\s*=\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def _stable_ids(page: str) -> str:
    """Replace folium's random element ids by numbers in order of appearance."""
    seen: dict[str, int] = {}

    def sub(match: re.Match[str]) -> str:
        key = match.group(2)
        if key not in seen:
            seen[key] = len(seen) + 1
        return f"{match.group(1)}_{seen[key]}"

    return _ID_RE.sub(sub, page)


def render_html(m: folium.Map, *, offline: bool = False) -> str:
    """Render a map to a self-contained HTML page.

    The Leaflet script and style sheet are inlined (from ``mobility/_vendor/leaflet``) and
    folium's random element ids are replaced by stable numbers, so the same map renders to the
    same page.

    Parameters
    ----------
    m : folium.Map
        The map (not modified).
    offline : bool
        Also check that nothing is loaded from the network (no tile layer, no remote script,
        style sheet or image); raises if something is.

    Raises
    ------
    OutputError
        ``offline=True`` and the page still refers to a remote resource.
    """
    with _no_template_evaluation():
        page = m.get_root().render()
    js, css = _leaflet_assets()
    n_js = page.count(_LEAFLET_JS_URL)
    page = page.replace(f'<script src="{_LEAFLET_JS_URL}"></script>',
                        f"<script>/* Leaflet {LEAFLET_VERSION}, BSD-2-Clause */\n{js}</script>")
    page = page.replace(f'<link rel="stylesheet" href="{_LEAFLET_CSS_URL}"/>',
                        f"<style>/* Leaflet {LEAFLET_VERSION} */\n{css}</style>")
    if n_js != 1 or _LEAFLET_JS_URL in page or _LEAFLET_CSS_URL in page:
        msg = "could not inline Leaflet into the map page (was the map built by mobility.maps?)"
        raise OutputError(msg)
    page = _stable_ids(page)
    if offline:
        problems = _REMOTE_RE.findall(page)
        if "L.tileLayer(" in page:
            problems.append("a tile layer")
        if problems:
            msg = ("offline map still loads from the network: "
                   f"{len(problems)} remote reference(s); build it with tiles=None")
            raise OutputError(msg)
    return page


def write_map(m: folium.Map, path: str | os.PathLike[str], *, offline: bool = False) -> Path:
    """Write a map as a self-contained HTML page, atomically (see :func:`render_html`)."""
    page = render_html(m, offline=offline)
    out = write_text(path, page)
    log.info("wrote %s (%.0f kB)", out, out.stat().st_size / 1024)
    return out


def expected_paths(m: folium.Map) -> dict[str, int]:
    """Count the SVG paths a browser should draw per CSS class, for tests.

    Only layers shown on opening are counted; badges (markers) are counted under their class.
    """
    counts: dict[str, int] = {}

    def visit(el: Any, shown: bool) -> None:
        for child in el._children.values():
            vis = shown and getattr(child, "show", True)
            if isinstance(child, _GeoJsonLayer) and vis:
                for f in child.data["features"]:
                    cls = f["properties"].get("_style", {}).get("className", "")
                    key = cls.split()[0] if cls else "(none)"
                    if f["properties"].get("_badge"):
                        counts[key] = counts.get(key, 0) + 1
                        continue
                    geom = shapely.geometry.shape(f["geometry"])
                    counts[key] = counts.get(key, 0) + _path_count(geom)
            visit(child, vis)

    visit(m, True)
    partner = getattr(m, "_mobility_partner", None)
    if partner is not None:
        for key, n in expected_paths(partner).items():
            counts[key] = counts.get(key, 0) + n
    return counts



# --------------------------------------------------------------------------------------------
# The maps of a run


def _slug(name: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
    s = re.sub(r"[^a-z0-9]+", "-", name.translate(table).lower()).strip("-")
    return s or "bundle"


def render(view: RunView, stage: Path, part: str = "all") -> list[Entry]:
    """Write the maps of a run into ``stage``; returns their index entries.

    ``part``: ``"catalogue"``, ``"score"``, ``"bundles"`` (the comparison and one accessibility
    map per bundle with network results) or ``"all"``.
    """
    lang, tiles, offline = view.lang, view.tiles, view.offline
    sec = section("maps", lang)
    out: list[Entry] = []
    if part in ("catalogue", "all"):
        write_map(catalogue_map(view.initiatives, lang=lang, tiles=tiles),
                  stage / "catalogue.html", offline=offline)
        out.append(Entry(sec, text("catalogue_map", lang), "catalogue.html"))
    if part in ("score", "all"):
        write_map(score_map(view.scores, view.initiatives, lang=lang, tiles=tiles,
                            weights_label=view.weights_label, rows=view.rows),
                  stage / "score.html", offline=offline)
        out.append(Entry(sec, f"{text('score_map', lang)} ({view.weights_label})", "score.html"))
    if part in ("bundles", "all") and view.bundle_rows:
        from .bundle_map import bundle_comparison_map

        m = bundle_comparison_map(view.bundle_rows, view.initiatives, lang=lang, tiles=tiles)
        write_map(m, stage / "bundles.html", offline=offline)
        out.append(Entry(sec, text("bundle_map", lang), "bundles.html"))
        results = []
        for row in view.bundle_rows:
            if view.effects is None or row.person_minutes_saved_per_day is None:
                continue
            result = view.effects.scenario(row.initiatives)
            if getattr(result, "zones", None) is not None:
                results.append((row, result))
        span = shared_span([r for _, r in results])  # one scale for every bundle's map
        for row, result in results:
            title = f"{text('accessibility_map', lang)}: {row.name}"
            m = accessibility_map(result, [view.initiatives[i] for i in row.initiatives],
                                  lang=lang, tiles=tiles, title=title, span=span,
                                  not_modelled=row.not_modelled)
            rel = f"accessibility-{_slug(row.key)}.html"
            write_map(m, stage / rel, offline=offline)
            out.append(Entry(sec, title, rel))
    return out


def __getattr__(name: str) -> Any:
    """``bundle_comparison_map`` lives in :mod:`.bundle_map` (it uses the frame above)."""
    if name == "bundle_comparison_map":
        from .bundle_map import bundle_comparison_map

        return bundle_comparison_map
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
